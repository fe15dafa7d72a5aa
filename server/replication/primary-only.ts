import type { FastifyInstance } from 'fastify'
import { sendProblem, problem } from '../http/problems.ts'
import { SECURITY_HEADERS } from '../http/security-headers.ts'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Reads a follower cannot answer: registrations (and their pages) and sign-in live with the tokens, on the primary. */
const PRIMARY_ONLY = /^\/(?:v1\/)?(?:registrations|register|signin|signout)(?:[/?]|$)/

/** Always answered by a follower itself, even before it holds a registry. */
const OPERATIONS = /^\/(?:livez|readyz|healthz|metrics)(?:\?|$)/

/**
 * A follower's front door: every write, and every read of what only the primary holds, answers
 * 307 Temporary Redirect to the same path on the primary (a client that follows redirects repeats
 * its method and body there); until the first copy of the registry arrives, reads answer 503.
 */
export function installFollowerFrontDoor(app: FastifyInstance, primary: string, bootstrapped: () => boolean) {
  app.addHook('onRequest', (request, reply, done) => {
    // Before any route's own hooks, which write the route's security headers: these answers write the common set.
    if (!READ_METHODS.has(request.method) || PRIMARY_ONLY.test(request.url)) {
      reply.headers(SECURITY_HEADERS).code(307).header('location', `${primary}${request.url}`).header('cache-control', 'no-store').send()
      return
    }
    if (!OPERATIONS.test(request.url) && !bootstrapped()) {
      sendProblem(reply.headers(SECURITY_HEADERS), problem('unavailable', `This follower has not copied the registry from ${primary} yet.`, request.url), { 'retry-after': '1' })
      return
    }
    done()
  })
}
