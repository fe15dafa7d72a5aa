import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { roleAtLeast, type Role, type TokenInfo, type TokenStore } from '../store/tokens.ts'
import { HttpProblem } from './problems.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The token the request was authenticated with, on routes that require one. */
    token?: TokenInfo
  }
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="pop3-registry"' }

/**
 * The token behind a request's `Authorization: Bearer …`, which must have at least `role`:
 * 401 without a valid token, 403 with too weak a role.
 */
function authenticate(tokens: TokenStore, request: FastifyRequest, role: Role): TokenInfo {
  const header = request.headers.authorization
  const bearer = header && /^Bearer +(\S+)\s*$/i.exec(header)?.[1]
  if (!bearer) {
    throw new HttpProblem('unauthorized', 'This request needs an Authorization: Bearer <token> header; tokens are made with `pop3-registry token create`.', undefined, CHALLENGE)
  }
  const token = tokens.verify(bearer)
  if (!token) throw new HttpProblem('unauthorized', 'The bearer token is not valid, or has been revoked.', undefined, CHALLENGE)
  if (!roleAtLeast(token.role, role)) {
    throw new HttpProblem('forbidden', `This request needs the ${role} role; the token of ${token.name} has ${token.role}.`)
  }
  request.log.info({ token: token.id, name: token.name, role: token.role }, 'authenticated')
  return token
}

/**
 * An onRequest hook that authenticates before the body is even read, so that a request without a
 * valid token gets 401 whatever its body, and no work is done for it.
 */
export function requireRole(tokens: TokenStore, role: Role): onRequestAsyncHookHandler {
  return async (request) => {
    // A client that has failed too often is refused before its token is even looked at.
    const failures = request.server.failedAuthentications
    await failures?.refuseIfOver(request)
    try {
      request.token = authenticate(tokens, request, role)
    } catch (error) {
      if (failures && error instanceof HttpProblem && error.kind === 'unauthorized') await failures.count(request)
      throw error
    }
  }
}

/** The token of a request on a route guarded by requireRole. */
export function tokenOf(request: FastifyRequest): TokenInfo {
  if (!request.token) throw new Error(`route ${request.routeOptions.url} reads a token but has no requireRole hook`)
  return request.token
}
