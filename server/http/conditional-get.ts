import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Where a read's Last-Modified comes from; reads without it are not cached (e.g. /healthz). */
    lastModified?: 'registry' | 'static'
  }
}

const entityTag = (payload: string | Buffer) => `"${createHash('sha1').update(payload).digest('base64url')}"`

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x".
function matchesAnyTag(header: string, tag: string): boolean {
  if (header.trim() === '*') return true
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag)
}

// RFC 9110 §13.1.3: an If-Modified-Since the server cannot parse is ignored.
function notModifiedSince(header: string | undefined, lastModified: Date): boolean {
  if (!header) return false
  const since = Date.parse(header)
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since
}

/**
 * Gives every successful read an ETag (a hash of its body), a Last-Modified and a Cache-Control,
 * and answers 304 when the client's copy is current (RFC 9110 §13).
 */
export function installConditionalGet(app: FastifyInstance, registryChangedAt: () => Date) {
  const startedAt = new Date()
  const lastModifiedOf = (request: FastifyRequest) =>
    request.routeOptions.config.lastModified === 'registry' ? registryChangedAt() : startedAt

  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return payload
    if (!request.routeOptions.config.lastModified) return payload
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload

    const tag = entityTag(payload)
    const lastModified = lastModifiedOf(request)
    reply.header('etag', tag)
    reply.header('last-modified', lastModified.toUTCString())
    reply.header('cache-control', 'public, no-cache')

    const ifNoneMatch = request.headers['if-none-match']
    const fresh = ifNoneMatch !== undefined
      ? matchesAnyTag(ifNoneMatch, tag)
      : notModifiedSince(request.headers['if-modified-since'], lastModified)
    if (!fresh) return payload
    reply.code(304)
    reply.removeHeader('content-type')
    reply.removeHeader('content-length')
    return ''
  })
}
