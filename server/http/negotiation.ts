import accepts from '@fastify/accepts'
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { HttpProblem } from './problems.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The media types a read can answer with, the default first. */
    produces?: string[]
  }
}

/** The media type chosen for a request by its route's `produces` and the request's Accept. */
export function negotiated(request: FastifyRequest): string {
  const produces = request.routeOptions.config.produces ?? ['application/json']
  const chosen = request.accepts().type(produces)
  return typeof chosen === 'string' ? chosen : produces[0]!
}

/**
 * Answers 406 when a read's Accept allows none of the media types its route produces (RFC 9110
 * §12.5.1); routes with a choice say so with Vary. Problems are application/problem+json whatever.
 * Only routes that declare `produces` get the hook, as the first of their own preHandlers: the
 * others (the writes among them) would run it for nothing on every request. Install before any route.
 */
export async function installNegotiation(app: FastifyInstance) {
  await app.register(accepts)
  app.addHook('onRoute', (route) => {
    const produces = route.config?.produces
    if (!produces) return
    const negotiate: preHandlerHookHandler = (request, reply, done) => {
      if (produces.length > 1) reply.header('vary', 'Accept')
      if (!request.accepts().type(produces)) {
        return done(new HttpProblem('not-acceptable', `${request.url.split('?')[0]} is available as ${produces.join(' or ')}; the Accept header allows none of them.`))
      }
      done()
    }
    route.preHandler = [negotiate, ...[route.preHandler ?? []].flat()]
  })
}
