import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { CapaCheckReportSchema, CapaCheckRequestSchema, ResponseCheckReportSchema, ResponseCheckRequestSchema } from '../../../schema/check.ts'
import { ProblemSchema } from '../../../schema/problem.ts'
import { localChecker } from '../../check/live-check.ts'
import { ANONYMOUS_POST } from '../../http/rate-limit.ts'
import type { Store } from '../../store/index.ts'

const problems = { 400: ProblemSchema, 413: ProblemSchema, 415: ProblemSchema, 422: ProblemSchema, 429: ProblemSchema }

/** Conformance checks of what a live POP3 server says, against RFC 2449 and the registry. */
export function checkRoutes(store: Store): FastifyPluginAsyncZod {
  const checker = localChecker(store)
  return async (app) => {
    app.post('/v1/check/capa', {
      config: ANONYMOUS_POST,
      schema: {
        summary: 'Check a server\'s CAPA responses, before and after login',
        description: 'Each line is parsed per RFC 2449 §3 and §5 and looked up in the registry; findings cover syntax, registration, arguments and the two states together.',
        operationId: 'checkCapa',
        tags: ['check'],
        body: CapaCheckRequestSchema,
        response: { 200: CapaCheckReportSchema, ...problems },
      },
    }, async (request) => checker.capa(request.body))

    app.post('/v1/check/response', {
      config: ANONYMOUS_POST,
      schema: {
        summary: 'Check one response line\'s extended response code',
        operationId: 'checkResponse',
        tags: ['check'],
        body: ResponseCheckRequestSchema,
        response: { 200: ResponseCheckReportSchema, ...problems },
      },
    }, async (request) => checker.response(request.body.line, request.body.command))
  }
}
