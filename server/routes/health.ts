import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ProblemSchema } from '../../schema/problem.ts'
import type { Metrics } from '../http/metrics.ts'
import { HttpProblem } from '../http/problems.ts'
import type { FollowerStatus } from '../replication/follower.ts'
import type { Store } from '../store/index.ts'

const OkSchema = z.object({ status: z.literal('ok') })

const ReadySchema = OkSchema.extend({
  latest: z.number().int().describe('The sequence number of the latest change this server holds.'),
  follower: z.object({
    primary: z.string(),
    lagChanges: z.number().int(),
    lagSeconds: z.number(),
  }).optional().describe('For a follower: its primary and how far behind it is.'),
})

export interface HealthOptions {
  store: Store
  metrics: Metrics
  follower?: (() => FollowerStatus) | undefined
}

/** Liveness, readiness, health and metrics: what orchestrators, proxies and Prometheus ask. */
// eslint-disable-next-line max-lines-per-function -- a route plugin: its routes side by side, each handler a few lines
export function healthRoutes({ store, metrics, follower }: HealthOptions): FastifyPluginAsyncZod {
  // eslint-disable-next-line max-lines-per-function -- as above
  return async (app) => {
    app.get('/livez', {
      schema: {
        summary: 'Whether the process answers (it does not look at the database)',
        operationId: 'getLiveness',
        tags: ['operations'],
        response: { 200: OkSchema },
      },
    }, async (_request, reply) => {
      reply.header('cache-control', 'no-store')
      return { status: 'ok' as const }
    })

    app.get('/healthz', {
      schema: {
        summary: 'Whether the server and its database answer',
        operationId: 'getHealth',
        tags: ['operations'],
        response: { 200: OkSchema, 503: ProblemSchema },
      },
    }, async (_request, reply) => {
      let answers = false
      try {
        answers = store.ping()
      } catch {
        // reported below, as a 503 rather than a 500
      }
      if (!answers) throw new HttpProblem('unavailable', 'The database does not answer.')
      reply.header('cache-control', 'no-store')
      return { status: 'ok' as const }
    })

    app.get('/readyz', {
      schema: {
        summary: 'Whether the server should be sent traffic',
        description: 'Ready when the database answers, its schema is migrated and the registry created; '
          + 'for a follower, also when it holds every change of its primary or fell behind for no longer than FOLLOW_MAX_LAG seconds.',
        operationId: 'getReadiness',
        tags: ['operations'],
        response: { 200: ReadySchema, 503: ProblemSchema },
      },
    }, async (_request, reply) => {
      reply.header('cache-control', 'no-store')
      let ready = false
      try {
        ready = store.ready()
      } catch {
        // reported below, as a 503 rather than a 500
      }
      if (!ready) throw new HttpProblem('unavailable', 'The database does not answer, is not migrated, or holds no registry yet.', undefined, { 'cache-control': 'no-store' })
      const latest = store.version().seq
      if (!follower) return { status: 'ok' as const, latest }
      const status = follower()
      if (!status.ready) throw new HttpProblem('unavailable', status.reason ?? 'This follower is not ready.', undefined, { 'cache-control': 'no-store' })
      return { status: 'ok' as const, latest, follower: { primary: status.primary, lagChanges: status.lagChanges, lagSeconds: status.lagSeconds } }
    })

    app.get('/metrics', {
      schema: {
        summary: 'Request counts and durations, the registry\'s version, pending registrations, follower lag',
        description: 'Prometheus\' text exposition format. Keep it private: see the README (Running more than one).',
        operationId: 'getMetrics',
        tags: ['operations'],
        produces: ['text/plain'],
        response: { 200: z.string() },
      },
    }, async (_request, reply) => {
      const { contentType, text } = await metrics.scrape()
      reply.header('cache-control', 'no-store').type(contentType)
      return text
    })
  }
}
