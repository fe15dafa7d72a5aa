import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Published } from '../../../schema/entry.ts'
import { AsOfQuerySchema, pageSchema, type ListQuery } from '../../../schema/list.ts'
import { ProblemSchema } from '../../../schema/problem.ts'
import { RevisionSchema } from '../../../schema/registration.ts'
import type { SubRegistryId } from '../../../schema/registry.ts'
import { decodeCursor, encodeCursor } from '../../http/cursor.ts'
import { recordJsonWriter } from '../../http/record-json.ts'
import { negotiated } from '../../http/negotiation.ts'
import { HttpProblem } from '../../http/problems.ts'
import { parseRequestPart } from '../../rules/zod-issues.ts'
import { CSV_TYPE } from './publications.ts'
import type { EntryStore } from '../../store/entries.ts'

interface EntryRoutesOptions<Entry, EntryRecord> {
  registry: SubRegistryId
  keyName: 'tag' | 'code'
  /** The grammar a key must follow. */
  keySchema: z.ZodString
  recordSchema: z.ZodType<EntryRecord>
  querySchema: z.ZodType<Partial<ListQuery> & { limit: number }>
  store: EntryStore<Entry>
  /** The entry as the API shows it: with its links. */
  toRecord: (entry: Published<Entry>) => EntryRecord
  noun: string
  /** IANA's CSV of a list of entries, for Accept: text/csv. */
  toCsv: (entries: Published<Entry>[]) => string
  /** Names operations: listCapabilities, getCapability. */
  operationNoun: { one: string, many: string }
  /** How the one-entry route is documented. */
  keyHelp: string
  /** Whether keys may hold "/" (response codes), so that a raw SYS/TEMP reaches the entry. */
  multiLevelKeys?: boolean
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpProblem('bad-request', `The path segment ${JSON.stringify(segment)} has a %-escape that does not decode.`)
  }
}

/** The reads of one sub-registry: its list and one entry by key, in any case. */
// eslint-disable-next-line max-lines-per-function -- a route plugin: its routes side by side, each handler a few lines
export function entryRoutes<Entry, EntryRecord>(options: EntryRoutesOptions<Entry, EntryRecord>): FastifyPluginAsyncZod {
  const { registry, keyName, keySchema, recordSchema, querySchema, store, toRecord, noun } = options
  const base = `/v1/${registry}`
  const recordJson = recordJsonWriter(registry, store.kind)

  // eslint-disable-next-line max-lines-per-function -- as above
  return async (app) => {
    app.get(base, {
      config: { lastModified: 'registry', produces: ['application/json', 'text/csv'] },
      schema: {
        summary: `List the ${registry.replace('-', ' ')}`,
        description: 'JSON by default; `Accept: text/csv` gives the same page as IANA\'s CSV.',
        operationId: `list${options.operationNoun.many}`,
        tags: [registry],
        querystring: querySchema,
        response: { 200: pageSchema(recordSchema), 400: ProblemSchema },
      },
    }, async (request, reply) => {
      const { cursor, ...query } = request.query
      const filter = { ...query, after: cursor === undefined ? undefined : decodeCursor(cursor) }
      // The CSV is a string, which fastify sends as it is; the schema describes the JSON answer.
      if (negotiated(request) === 'text/csv') return reply.type(CSV_TYPE).send(options.toCsv(store.list(filter).items) as never)
      // The page is written as JSON from the stored documents (record-json.ts), past the schema's
      // serializer: the bytes it would write (test/routes/list-json.test.ts), for a fraction of the CPU.
      const page = store.listStored(filter)
      const items = page.items.map(recordJson).join(',')
      const nextCursor = page.lastPosition === undefined ? 'null' : `"${encodeCursor(page.lastPosition)}"`
      return reply.type('application/json; charset=utf-8').send(`{"items":[${items}],"total":${page.total},"nextCursor":${nextCursor}}` as never)
    })

    const oneSchema = {
      summary: `Get one ${noun}`,
      operationId: `get${options.operationNoun.one}`,
      description: options.keyHelp,
      tags: [registry],
      response: { 200: recordSchema, 400: ProblemSchema, 404: ProblemSchema },
    }
    const HistorySchema = z.object({ items: z.array(RevisionSchema) })
    const historySchema = {
      summary: `Every revision of one ${noun}, oldest first`,
      operationId: `get${options.operationNoun.one}History`,
      description: options.keyHelp,
      tags: [registry],
      response: { 200: HistorySchema, 400: ProblemSchema, 404: ProblemSchema },
    }
    const checkedKey = (key: string) => {
      const parsed = parseRequestPart(keySchema, key, 'path', [keyName])
      if (!parsed.success) throw new HttpProblem('bad-request', `"${key}" is not a ${noun}: ${parsed.violations[0]!.message}.`, parsed.violations)
      return key
    }
    const findOne = (key: string, asOf: string | undefined) => {
      const entry = store.get(checkedKey(key), asOf)
      if (!entry) {
        throw new HttpProblem('not-found', asOf === undefined ? `No ${noun} "${key}" is registered.` : `No ${noun} "${key}" was registered on ${asOf}.`)
      }
      return toRecord(entry)
    }
    const findHistory = (key: string, asOf: string | undefined) => {
      const items = store.history(checkedKey(key), asOf)
      if (items.length === 0) {
        throw new HttpProblem('not-found', asOf === undefined ? `No ${noun} "${key}" has ever been registered.` : `No ${noun} "${key}" had been registered by ${asOf}.`)
      }
      return { items: items.map(({ at, ...item }) => ({ ...item, date: at.slice(0, 10), at })) }
    }
    const keyParams = z.object({ [keyName]: z.string() })
    const keyOf = (params: unknown) => (params as Record<string, string>)[keyName]!

    app.get(`${base}/:${keyName}`, {
      config: { lastModified: 'registry', produces: ['application/json'] },
      schema: { ...oneSchema, params: keyParams, querystring: AsOfQuerySchema },
    }, async (request) => findOne(keyOf(request.params), request.query.asOf))

    app.get(`${base}/:${keyName}/history`, {
      config: { lastModified: 'registry', produces: ['application/json'] },
      schema: { ...historySchema, params: keyParams, querystring: AsOfQuerySchema },
    }, async (request) => findHistory(keyOf(request.params), request.query.asOf))

    if (options.multiLevelKeys) {
      // A key with raw "/" in it (SYS/TEMP) reaches this route. The path is read undecoded, so that
      // a final raw "/history" means the history while an encoded one (SYS%2Fhistory) is part of a key.
      app.get(`${base}/*`, {
        config: { lastModified: 'registry', produces: ['application/json'] },
        schema: { ...oneSchema, hide: true, querystring: AsOfQuerySchema, response: { ...oneSchema.response, 200: z.union([recordSchema, HistorySchema]) } },
      }, async (request) => {
        const raw = request.url.split('?')[0]!.slice(base.length + 1)
        const history = raw.endsWith('/history')
        const key = (history ? raw.slice(0, -'/history'.length) : raw).split('/').map(decodedSegment).join('/')
        return history ? findHistory(key, request.query.asOf) : findOne(key, request.query.asOf)
      })
    }
  }
}
