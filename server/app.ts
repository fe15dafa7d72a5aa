import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { trackAllowedMethods } from './http/allowed-methods.ts'
import { installMetrics } from './http/metrics.ts'
import { OneLinePerRequest, requestLogger } from './http/request-log.ts'
import { installReadCache } from './http/read-cache.ts'
import { serializerCompiler } from './http/serializer.ts'
import { installNegotiation } from './http/negotiation.ts'
import { answerFrameworkError, installProblemHandlers, validatorCompiler } from './http/problems.ts'
import { answerClientError, answerExpectations } from './http/client-errors.ts'
import { installJsonBodies } from './http/json-body.ts'
import { installRateLimits } from './http/rate-limit.ts'
import { installSecurityHeaders } from './http/security-headers.ts'
import { DEFAULT_LIMITS, type Config, type Limits } from './config.ts'
import { docsRoutes } from './routes/docs.ts'
import { healthRoutes } from './routes/health.ts'
import { problemRoutes } from './routes/problems.ts'
import { v1Routes } from './routes/v1/index.ts'
import { webRoutes } from './routes/web.ts'
import { createChangeWaiter } from './replication/change-waiter.ts'
import type { FollowerStatus } from './replication/follower.ts'
import { installFollowerFrontDoor } from './replication/primary-only.ts'
import type { Database } from './store/database.ts'
import { createPublicationFiles } from './publish/files.ts'
import { createStore } from './store/index.ts'

/** 64 KiB: far more than any registration needs (design §3). */
const BODY_LIMIT = 64 * 1024

/**
 * The longest path segment the router takes: every key the rules accept (510 octets), even with
 * each octet %-encoded, is readable at its links.self.
 */
const MAX_PARAM_LENGTH = 3 * 512

/** Typed for Ajv's and fast-json-stringify's compilers; ours take and give zod schemas. */
type Compilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
const OUR_COMPILERS = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as Compilers

export interface AppOptions {
  db: Database
  logger?: FastifyServerOptions['logger']
  /** Signs the web pages' session and CSRF cookies; a random one per process when not given. */
  sessionSecret?: string
  /** Cache-Control of anonymous reads; `public, no-cache` by default. */
  cacheControl?: string
  /** Makes the app a follower's: writes redirected to the primary, readiness by its lag. */
  follower?: { primary: string, status: () => FollowerStatus, holdsRegistry: () => boolean }
  /** Include the process's memory, CPU and event-loop figures in /metrics. */
  processMetrics?: boolean
  /** Timeouts, connection cap and rate limit; the configuration's defaults for any not given. */
  limits?: Partial<Limits>
  /** Which proxies' X-Forwarded-For and X-Forwarded-Proto to believe (TRUST_PROXY); none by default. */
  trustProxy?: Config['TRUST_PROXY']
  /** Generate the OpenAPI document from the routes (`app.swagger()`): for the openapi command and its test. */
  openapi?: boolean
}

/** Builds the whole HTTP application over an open registry database; listening is the caller's. */
export async function buildApp({ db, logger = false, sessionSecret = randomBytes(32).toString('base64url'), cacheControl, follower, processMetrics, limits: given = {}, trustProxy = false, openapi = false }: AppOptions) {
  const limits: Limits = { ...DEFAULT_LIMITS, ...given }
  const app = Fastify({
    logger,
    // request.ip (the rate limits' key) and request.protocol (the session cookie's Secure) follow it.
    // fastify now ignores a bare hop count (it trusts nothing then); a function keeps its meaning.
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    logController: new OneLinePerRequest(),
    childLoggerFactory: requestLogger,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // The request id goes in logs and in 5xx problems, so a report can be matched to its log line.
    requestIdHeader: false,
    frameworkErrors: answerFrameworkError,
    // Our compilers from the start: fastify would otherwise load its own (Ajv, fast-json-stringify)
    // when made, a sixth of a start-up, only for them to be replaced.
    schemaController: { compilersFactory: OUR_COMPILERS },
    clientErrorHandler: answerClientError,
    requestTimeout: limits.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: limits.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: limits.CONNECTION_TIMEOUT_MS,
    http: {
      headersTimeout: limits.HEADERS_TIMEOUT_MS,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, limits.HEADERS_TIMEOUT_MS),
    },
  }).withTypeProvider<ZodTypeProvider>()
  app.server.maxConnections = limits.MAX_CONNECTIONS
  answerExpectations(app.server)

  const store = createStore(db)
  installSecurityHeaders(app)
  const metrics = installMetrics(app, { store, follower: follower?.status, processMetrics })
  installProblemHandlers(app, metrics.unmatched)
  if (follower) installFollowerFrontDoor(app, follower.primary, follower.holdsRegistry)
  installJsonBodies(app)
  await installRateLimits(app, limits.RATE_LIMIT)
  installReadCache(app, store.version, cacheControl)
  const finishAllowedMethods = trackAllowedMethods(app)
  await installNegotiation(app)

  // The OpenAPI generator only when asked (the openapi command, its test): @fastify/swagger and yaml
  // are a fifth of a start-up, and the server serves the committed openapi.yaml instead.
  if (openapi) await (await import('./http/openapi.ts')).installOpenApi(app)
  await app.register(healthRoutes({ store, metrics, follower: follower?.status }))
  const files = createPublicationFiles(db, store)
  app.addHook('onClose', async () => files.close())
  const waiter = createChangeWaiter(() => store.version().seq)
  // Long polls end before the server stops waiting for its requests to finish.
  app.addHook('preClose', async () => waiter.releaseAll())
  await app.register(v1Routes(store, files, waiter))
  await app.register(problemRoutes)
  await app.register(docsRoutes)
  await app.register(webRoutes(store, sessionSecret))
  finishAllowedMethods()
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
