import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { CapabilityRecordSchema } from '../../../schema/capability.ts'
import { CapaTagSchema, ResponseCodeKeySchema } from '../../../schema/grammar.ts'
import { AsOfQuerySchema, CapabilityListQuerySchema, ResponseCodeListQuerySchema } from '../../../schema/list.ts'
import { ProblemSchema } from '../../../schema/problem.ts'
import { RegistrySchema } from '../../../schema/registry.ts'
import { RfcListSchema } from '../../../schema/rfc.ts'
import { ResponseCodeRecordSchema } from '../../../schema/response-code.ts'
import { capabilityRecord, responseCodeRecord } from '../../http/links.ts'
import { HttpProblem } from '../../http/problems.ts'
import type { ChangeWaiter } from '../../replication/change-waiter.ts'
import type { Store } from '../../store/index.ts'
import { entryRoutes } from './entries.ts'
import type { PublicationFiles } from '../../publish/files.ts'
import { capabilitiesCsv, responseCodesCsv } from '../../publish/render.ts'
import { publicationRoutes } from './publications.ts'
import { checkRoutes } from './check.ts'
import { registrationRoutes } from './registrations.ts'

/** GET /v1/registry: the registry's metadata and each sub-registry's size. */
function registryRoute(store: Store): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/registry', {
      config: { lastModified: 'registry', produces: ['application/json'] },
      schema: {
        summary: 'The registry: title, note, last-updated date, and each sub-registry\'s rules and size',
        operationId: 'getRegistry',
        tags: ['registry'],
        querystring: AsOfQuerySchema,
        response: { 200: RegistrySchema, 400: ProblemSchema, 404: ProblemSchema, 503: ProblemSchema },
      },
    }, async (request) => {
      const { asOf } = request.query
      const current = store.registry.metadata()
      if (!current) throw new HttpProblem('unavailable', 'The registry has not been created in this database yet.')
      const dated = asOf === undefined ? undefined : store.asOf(asOf)
      if (asOf !== undefined && !dated) throw new HttpProblem('not-found', `The registry had no entries yet on ${asOf}.`)
      const metadata = dated?.registry.metadata() ?? current
      const counts = asOf === undefined
        ? { 'capabilities': store.capabilities.count(), 'response-codes': store.responseCodes.count() }
        : { 'capabilities': store.capabilities.list({ asOf, limit: 1 }).total, 'response-codes': store.responseCodes.list({ asOf, limit: 1 }).total }
      return {
        ...metadata,
        subRegistries: metadata.subRegistries.map((sub) => ({
          ...sub,
          count: counts[sub.id],
          links: { entries: `/v1/${sub.id}` },
        })),
      }
    })
  }
}

/** GET /v1/rfcs: the RFC statuses the reference warnings consult, as registry.json carries them; what a follower copies. */
function rfcsRoute(store: Store): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/rfcs', {
      config: { lastModified: 'rfcs', produces: ['application/json'] },
      schema: {
        summary: 'The RFC statuses the registry knows, and when they last changed',
        description: 'Refreshed by `pop3-registry rfc-index load`; a follower asks for them again (If-None-Match) alongside its change-feed polls.',
        operationId: 'listRfcs',
        tags: ['registry'],
        response: { 200: RfcListSchema, 406: ProblemSchema },
      },
    }, async () => ({ items: store.rfcs.all(), loadedAt: store.rfcs.latestLoad().at ?? null }))
  }
}

/** The read API under /v1. */
export function v1Routes(store: Store, files: PublicationFiles, waiter: ChangeWaiter): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(registryRoute(store))
    await app.register(rfcsRoute(store))

    await app.register(entryRoutes({
      registry: 'capabilities',
      keyName: 'tag',
      keySchema: CapaTagSchema,
      recordSchema: CapabilityRecordSchema,
      querySchema: CapabilityListQuerySchema,
      store: store.capabilities,
      toRecord: capabilityRecord,
      noun: 'capability',
      toCsv: (entries) => [...capabilitiesCsv(entries)].join(''),
      operationNoun: { one: 'Capability', many: 'Capabilities' },
      keyHelp: 'The tag matches whatever its case: `top`, `Top` and `TOP` are one tag (RFC 2449 §5).',
    }))

    await app.register(entryRoutes({
      registry: 'response-codes',
      keyName: 'code',
      keySchema: ResponseCodeKeySchema,
      recordSchema: ResponseCodeRecordSchema,
      querySchema: ResponseCodeListQuerySchema,
      store: store.responseCodes,
      toRecord: responseCodeRecord,
      noun: 'response code',
      toCsv: (entries) => [...responseCodesCsv(entries)].join(''),
      operationNoun: { one: 'ResponseCode', many: 'ResponseCodes' },
      keyHelp: 'The code matches whatever its case (RFC 2449 §8). A code of several levels may be written with a raw "/" (`SYS/TEMP`) or an encoded one (`SYS%2FTEMP`); a final raw `/history` always asks for the history, so a code whose last level is HISTORY is written encoded.',
      multiLevelKeys: true,
    }))

    await app.register(registrationRoutes(store))
    await app.register(publicationRoutes(store, files, waiter))
    await app.register(checkRoutes(store))
  }
}
