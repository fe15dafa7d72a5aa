import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageSchema, type ListQuery } from '../../../schema/list.ts'
import { ProblemSchema } from '../../../schema/problem.ts'
import type { SubRegistryId } from '../../../schema/registry.ts'
import { decodeCursor, encodeCursor } from '../../http/cursor.ts'
import { HttpProblem } from '../../http/problems.ts'
import type { EntryStore } from '../../store/entries.ts'

interface EntryRoutesOptions<Published> {
  registry: SubRegistryId
  keyName: 'tag' | 'code'
  /** The grammar a key must follow. */
  keySchema: z.ZodString
  recordSchema: z.ZodType<Published>
  querySchema: z.ZodType<Partial<ListQuery> & { limit: number }>
  store: EntryStore<unknown, Published>
  noun: string
  /** Names operations: listCapabilities, getCapability. */
  operationNoun: { one: string, many: string }
  /** How the one-entry route is documented, and any further patterns that reach it. */
  keyHelp: string
  extraKeyUrls?: string[]
}

/** The reads of one sub-registry: its list and one entry by key, in any case. */
export function entryRoutes<Published>(options: EntryRoutesOptions<Published>): FastifyPluginAsyncZod {
  const { registry, keyName, keySchema, recordSchema, querySchema, store, noun } = options
  const base = `/v1/${registry}`
  const pointer = `/path/${keyName}`

  return async (app) => {
    app.get(base, {
      config: { lastModified: 'registry' },
      schema: {
        summary: `List the ${registry.replace('-', ' ')}`,
        operationId: `list${options.operationNoun.many}`,
        tags: [registry],
        querystring: querySchema,
        response: { 200: pageSchema(recordSchema), 400: ProblemSchema },
      },
    }, async (request) => {
      const { cursor, ...filter } = request.query
      const page = store.list({ ...filter, after: cursor === undefined ? undefined : decodeCursor(cursor) })
      return {
        items: page.items,
        total: page.total,
        nextCursor: page.lastPosition === undefined ? null : encodeCursor(page.lastPosition),
      }
    })

    const oneSchema = {
      summary: `Get one ${noun}`,
      operationId: `get${options.operationNoun.one}`,
      description: options.keyHelp,
      tags: [registry],
      response: { 200: recordSchema, 400: ProblemSchema, 404: ProblemSchema },
    }
    const findOne = (key: string) => {
      const parsed = keySchema.safeParse(key)
      if (!parsed.success) {
        const message = parsed.error.issues[0]?.message ?? 'is not valid'
        throw new HttpProblem('bad-request', `"${key}" is not a ${noun}: ${message}.`, [{ path: pointer, rule: 'syntax', message }])
      }
      const entry = store.get(key)
      if (!entry) throw new HttpProblem('not-found', `No ${noun} "${key}" is registered.`)
      return entry
    }

    app.get(`${base}/:${keyName}`, {
      config: { lastModified: 'registry' },
      schema: { ...oneSchema, params: z.object({ [keyName]: z.string() }) },
    }, async (request) => findOne((request.params as Record<string, string>)[keyName]!))

    for (const url of options.extraKeyUrls ?? []) {
      app.get(url, {
        config: { lastModified: 'registry' },
        schema: { ...oneSchema, hide: true },
      }, async (request) => findOne((request.params as Record<string, string>)['*']!))
    }
  }
}
