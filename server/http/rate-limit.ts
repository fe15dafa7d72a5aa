import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HttpProblem } from './problems.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a client's failed authentications; undefined when rate limiting is off. */
    failedAuthentications?: FailedAuthentications
  }
}

interface FailedAuthentications {
  /** Refuses (429) a client that has failed too often within the minute. */
  refuseIfOver(request: FastifyRequest): Promise<void>
  /** Counts a failure, refusing it with 429 if it is one too many. */
  count(request: FastifyRequest): Promise<void>
}

const MINUTE = 60_000

/** What a route that anyone may POST to says in its config, to be limited per client. */
export const ANONYMOUS_POST = { rateLimit: {} }

function tooMany(retryAfterSeconds: number, what: string) {
  return new HttpProblem('too-many-requests', `This client has made too many ${what} in a minute; try again in ${retryAfterSeconds} s.`,
    undefined, { 'retry-after': String(retryAfterSeconds) })
}

/**
 * Limits, per client (its IP address), the anonymous POSTs (the routes whose config holds
 * ANONYMOUS_POST) and the failed authentications to `perMinute` each; past it, 429 with
 * Retry-After. Reads are never limited, so this costs them nothing. 0 turns limiting off.
 */
export async function installRateLimits(app: FastifyInstance, perMinute: number) {
  if (perMinute === 0) return
  await app.register(rateLimit, {
    global: false,
    max: perMinute,
    timeWindow: MINUTE,
    // Its own draft headers are left out: Retry-After on a 429 is what RFC 6585 asks for.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) => tooMany(Math.max(1, Math.ceil(context.ttl / 1000)), 'anonymous requests of this kind'),
  })
  const failures = app.createRateLimit({ max: perMinute, timeWindow: MINUTE, keyGenerator: (request) => `auth:${request.ip}` })
  const refuse = (limit: { ttlInSeconds?: number }) => { throw tooMany(Math.max(1, limit.ttlInSeconds ?? 60), 'failed authentications') }
  app.decorate('failedAuthentications', {
    async refuseIfOver(request) {
      const limit = await failures(request, { increment: false })
      if (!limit.isAllowed && limit.isExceeded) refuse(limit)
    },
    async count(request) {
      const limit = await failures(request)
      if (!limit.isAllowed && limit.isExceeded) refuse(limit)
    },
  } satisfies FailedAuthentications)
}
