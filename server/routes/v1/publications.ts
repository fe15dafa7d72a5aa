import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ChangeFeedQuerySchema, ChangeFeedSchema, RegistryExportSchema, type RegistryExport } from '../../../schema/export.ts'
import { ProblemSchema } from '../../../schema/problem.ts'
import type { PublicationCache } from '../../publish/cache.ts'
import { capabilitiesCsv, CSV_TYPE, responseCodesCsv } from '../../publish/csv.ts'
import { registryExport } from '../../publish/export.ts'
import type { Snapshot } from '../../publish/snapshot.ts'
import { registryText } from '../../publish/text.ts'
import { registryXml } from '../../publish/xml.ts'
import type { Store } from '../../store/index.ts'

interface Download {
  url: string
  summary: string
  operationId: string
  type: string
  filename: string
  render: (snapshot: Snapshot) => string
}

const TEXT_BODY = z.string()

/** The registry in IANA's forms and as one JSON file, plus the change feed mirrors follow. */
export function publicationRoutes(store: Store, cache: PublicationCache): FastifyPluginAsyncZod {
  const downloads: Download[] = [
    { url: '/v1/capabilities.csv', summary: 'The capabilities as IANA\'s CSV', operationId: 'getCapabilitiesCsv',
      type: CSV_TYPE, filename: 'pop3-capabilities.csv', render: (s) => capabilitiesCsv(s.capabilities) },
    { url: '/v1/response-codes.csv', summary: 'The response codes as IANA\'s CSV', operationId: 'getResponseCodesCsv',
      type: CSV_TYPE, filename: 'pop3-response-codes.csv', render: (s) => responseCodesCsv(s.responseCodes) },
    { url: '/v1/registry.xml', summary: 'The whole registry in IANA\'s registry XML', operationId: 'getRegistryXml',
      type: 'application/xml; charset=utf-8', filename: 'pop3-extension-mechanism.xml', render: registryXml },
    { url: '/v1/registry.txt', summary: 'The whole registry as fixed-width text, like IANA\'s text of 2001', operationId: 'getRegistryText',
      type: 'text/plain; charset=utf-8', filename: 'pop3-extension-mechanism.txt', render: registryText },
  ]

  return async (app) => {
    for (const download of downloads) {
      app.get(download.url, {
        config: { lastModified: 'registry', produces: [download.type.split(';')[0]!] },
        schema: {
          summary: download.summary,
          operationId: download.operationId,
          tags: ['registry'],
          produces: [download.type.split(';')[0]!],
          response: { 200: TEXT_BODY, 406: ProblemSchema },
        },
      }, async (_request, reply) => reply
        .type(download.type)
        .header('content-disposition', `attachment; filename="${download.filename}"`)
        .send(cache.body(download.url, download.render)))
    }

    app.get('/v1/registry.json', {
      config: { lastModified: 'registry', produces: ['application/json'] },
      schema: {
        summary: 'The whole registry as JSON: what pop3-registry import reads',
        operationId: 'getRegistryJson',
        tags: ['registry'],
        response: { 200: RegistryExportSchema, 406: ProblemSchema },
      },
    }, async (_request, reply) => reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="pop3-extension-mechanism.json"')
      // Built and serialized once per registry version; fastify sends a string body as it is.
      .send(cache.body('/v1/registry.json', (snapshot) => JSON.stringify(registryExport(store, snapshot))) as unknown as RegistryExport))

    app.get('/v1/changes', {
      config: { lastModified: 'registry', produces: ['application/json'] },
      schema: {
        summary: 'The change feed: every change after a sequence number, oldest first',
        description: 'A mirror starts from since=0 and passes the last seq it saw; an empty items list means it is up to date.',
        operationId: 'listChanges',
        tags: ['registry'],
        querystring: ChangeFeedQuerySchema,
        response: { 200: ChangeFeedSchema, 400: ProblemSchema, 406: ProblemSchema },
      },
    }, async (request) => ({
      items: store.changes.since(request.query.since, request.query.limit),
      latest: store.changes.latestSeq(),
    }))
  }
}
