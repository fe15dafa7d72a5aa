import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ProblemSchema } from '../../schema/problem.ts'
import { HttpProblem } from '../http/problems.ts'
import type { Store } from '../store/index.ts'

export function healthRoutes(store: Store): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', {
      schema: {
        summary: 'Whether the server and its database answer',
        operationId: 'getHealth',
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ok') }), 503: ProblemSchema },
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
  }
}
