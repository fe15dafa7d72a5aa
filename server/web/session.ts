import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TokenInfo, TokenStore } from '../store/tokens.ts'

const SESSION_COOKIE = 'session'
/** A browser session lasts a working day; the token behind it is checked again on every request. */
const SESSION_SECONDS = 8 * 60 * 60
// Secure over HTTPS ('auto'), never readable by script, never sent on another site's request.
const COOKIE_OPTIONS = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto', signed: true } as const

/**
 * Cookies signed with the server's secret, the synchronizer token of @fastify/csrf-protection
 * (its secret in a cookie like the session's, its token in every form), and form bodies; only in
 * the scope of the pages, so the API keeps answering 415 to anything but JSON.
 */
export async function installSessions(app: FastifyInstance, secret: string) {
  await app.register(cookie, { secret })
  await app.register(csrf, { cookieOpts: COOKIE_OPTIONS })
  await app.register(formbody)
}

/**
 * Who is signed in: the session cookie holds the API token that was pasted into /signin, signed so
 * that it cannot be forged and verified against the token store each time, so a revoked token ends
 * its sessions at once.
 */
export function signedIn(request: FastifyRequest, tokens: TokenStore): TokenInfo | undefined {
  const value = request.cookies[SESSION_COOKIE]
  if (!value) return undefined
  const unsigned = request.unsignCookie(value)
  return unsigned.valid && unsigned.value ? tokens.verify(unsigned.value) : undefined
}

export function startSession(reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: SESSION_SECONDS })
}

export function endSession(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' })
}
