import { createReadStream, openSync } from 'node:fs'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ChangeFeedQuerySchema, ChangeFeedSchema, RegistryExportSchema } from '../../../schema/export.ts'
import { ProblemSchema } from '../../../schema/problem.ts'
import { isFresh, lastModifiedOf, passOver, setValidators } from '../../http/read-cache.ts'
import type { PublicationFiles } from '../../publish/files.ts'
import { CARRIES_RFCS, type DownloadUrl } from '../../publish/downloads.ts'
import { historyItemJson } from '../../publish/render.ts'
import { AsOfQuerySchema } from '../../../schema/list.ts'
import { HttpProblem } from '../../http/problems.ts'
import type { ChangeWaiter } from '../../replication/change-waiter.ts'
import type { Store } from '../../store/index.ts'

export const CSV_TYPE = 'text/csv; charset=utf-8; header=present'

interface Download {
  url: DownloadUrl
  summary: string
  operationId: string
  type: string
  filename: string
  schema: z.ZodType
}

/** The registry in IANA's forms and as one JSON file, plus the change feed mirrors follow. */
// eslint-disable-next-line max-lines-per-function -- a route plugin: its routes side by side, each handler a few lines
export function publicationRoutes(store: Store, files: PublicationFiles, waiter: ChangeWaiter): FastifyPluginAsyncZod {
  const downloads: Download[] = [
    { url: '/v1/capabilities.csv', summary: 'The capabilities as IANA\'s CSV', operationId: 'getCapabilitiesCsv',
      type: CSV_TYPE, filename: 'pop3-capabilities.csv', schema: z.string() },
    { url: '/v1/response-codes.csv', summary: 'The response codes as IANA\'s CSV', operationId: 'getResponseCodesCsv',
      type: CSV_TYPE, filename: 'pop3-response-codes.csv', schema: z.string() },
    { url: '/v1/registry.xml', summary: 'The whole registry in IANA\'s registry XML', operationId: 'getRegistryXml',
      type: 'application/xml; charset=utf-8', filename: 'pop3-extension-mechanism.xml', schema: z.string() },
    { url: '/v1/registry.txt', summary: 'The whole registry as fixed-width text, like IANA\'s text of 2001', operationId: 'getRegistryText',
      type: 'text/plain; charset=utf-8', filename: 'pop3-extension-mechanism.txt', schema: z.string() },
    { url: '/v1/registry.json', summary: 'The whole registry as JSON: what pop3-registry import reads', operationId: 'getRegistryJson',
      type: 'application/json; charset=utf-8', filename: 'pop3-extension-mechanism.json', schema: RegistryExportSchema },
  ]

  return async (app) => {
    for (const download of downloads) {
      const mediaType = download.type.split(';')[0]!
      const carriesRfcs = CARRIES_RFCS.has(download.url)
      app.get(download.url, {
        // Small renderings are then kept by the read cache too; streamed ones it passes over.
        config: { lastModified: carriesRfcs ? 'rfcs' : 'registry', produces: [mediaType] },
        schema: {
          summary: download.summary,
          description: `Built once per registry version${carriesRfcs ? ' (its latest change and its latest load of RFC statuses, which it carries)' : ''}; large registries are streamed from a file.`,
          operationId: download.operationId,
          tags: ['registry'],
          querystring: AsOfQuerySchema,
          ...(mediaType === 'application/json' ? {} : { produces: [mediaType] }),
          response: { 200: download.schema, 400: ProblemSchema, 404: ProblemSchema, 406: ProblemSchema },
        },
      }, async (request, reply) => {
        const { asOf } = request.query
        if (asOf !== undefined && !store.asOf(asOf)) {
          throw new HttpProblem('not-found', `The registry had no entries yet on ${asOf}; it begins ${store.changes.since(0, 1)[0]?.at.slice(0, 10) ?? 'with its first registration'}.`)
        }
        // Rendering a large registry can outlast the idle-connection timeout on a busy machine (the
        // 320 MB JSON at 100k entries takes minutes there): the connection waits for it untimed,
        // and times out again once its bytes flow. (An injected request has no real socket.)
        const socket = request.raw.socket as Partial<typeof request.raw.socket> | undefined
        socket?.setTimeout?.(0)
        let rendered
        try {
          // A day's rendering is kept under its own name, for as long as the registry is unchanged.
          rendered = await files.get({ url: download.url, asOf })
        } finally {
          socket?.setTimeout?.(app.initialConfig.connectionTimeout ?? 0)
        }
        const lastModified = lastModifiedOf(rendered.version, carriesRfcs)
        reply.type(download.type).header('content-disposition', `attachment; filename="${download.filename}"`)
        setValidators(reply, rendered.etag, lastModified)
        if (isFresh(request, rendered.etag, lastModified)) return reply.code(304 as 200).send()
        reply.header('content-length', rendered.size)
        // A Buffer or a stream is sent as it is, past the schema's serializer. The file is opened
        // now, so that a newer rendering replacing it while it is sent does not cut it short.
        return reply.send((rendered.body ?? createReadStream('', { fd: openSync(rendered.path!, 'r') })) as never)
      })
    }

    app.get('/v1/changes', {
      config: { lastModified: 'registry', produces: ['application/json'], longPoll: true },
      schema: {
        summary: 'The change feed: every change after a sequence number, oldest first',
        description: 'A mirror starts from since=0 and passes the last seq it saw; an empty items list means it is up to date. '
          + 'With wait=S it long-polls: when nothing follows since, the answer comes as soon as a change does, or empty after S seconds.',
        operationId: 'listChanges',
        tags: ['registry'],
        querystring: ChangeFeedQuerySchema,
        response: { 200: ChangeFeedSchema, 400: ProblemSchema, 406: ProblemSchema },
      },
    }, async (request, reply) => {
      const { since, limit, wait, include } = request.query
      if (wait !== undefined) await waiter.wait(since, wait * 1000, reply.raw)
      const latest = store.changes.latest().seq
      // The items' JSON comes whole from the store (with include=entry, the stored entry documents
      // spliced in as they are, as the export does), past the schema's serializer.
      const items = include === 'entry' ? store.changes.sinceWithEntries(since, limit).map(historyItemJson) : store.changes.sinceJson(since, limit)
      // A full page is a mirror catching up, which asks for it once; the feed's last page is the
      // one asked for again and again until something changes, and is kept.
      if (items.length === limit) passOver(request)
      return reply.type('application/json; charset=utf-8').send(`{"items":[${items.join(',')}],"latest":${latest}}` as never)
    })
  }
}
