import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Marks an anonymous read: 'registry' reads change with the registry, 'static' ones only with
     * the program. Reads without it (health, registrations) are neither cached nor validated.
     */
    lastModified?: 'registry' | 'static'
  }
  interface FastifyRequest {
    readAt?: { version: number, lastModified: Date, key: string }
    servedFromCache?: boolean
  }
}

export interface RegistryVersion { seq: number, at: string | undefined }

interface CachedRead {
  version: number
  etag: string
  headers: Record<string, string>
  body: string | Buffer
}

// Headers a cached answer carries again; the validators are added from the entry itself.
const KEPT_HEADERS = ['content-type', 'vary', 'content-disposition']
const MAX_ENTRIES = 1_000
const MAX_BODY = 1 << 20

const entityTag = (payload: string | Buffer) => `"${createHash('sha1').update(payload).digest('base64url')}"`

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x".
function matchesAnyTag(header: string, tag: string): boolean {
  if (header.trim() === '*') return true
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag)
}

// RFC 9110 §13.1.3: If-Modified-Since counts only without If-None-Match, and is ignored unparsed.
export function isFresh(request: FastifyRequest, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = request.headers['if-none-match']
  if (ifNoneMatch !== undefined) return matchesAnyTag(ifNoneMatch, etag)
  const since = Date.parse(request.headers['if-modified-since'] ?? '')
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since
}

export function setValidators(reply: FastifyReply, etag: string, lastModified: Date) {
  reply.header('etag', etag)
  reply.header('last-modified', lastModified.toUTCString())
  reply.header('cache-control', 'public, no-cache')
}

/**
 * Every anonymous read answers with an ETag (a hash of its body), Last-Modified and
 * Cache-Control, and with 304 when the client's copy is current (RFC 9110 §13). Its body is kept
 * for the registry version it was built at, so the next identical read is answered without
 * touching the handler, the database (but for the version) or the serializer; any change to the
 * registry, by this process or another, moves the version and so retires every kept body.
 */
export function installReadCache(app: FastifyInstance, registryVersion: () => RegistryVersion) {
  const startedAt = new Date()
  const kept = new Map<string, CachedRead>()

  app.addHook('onRequest', async (request, reply) => {
    const kind = request.routeOptions.config.lastModified
    if (!kind || (request.method !== 'GET' && request.method !== 'HEAD')) return
    const { seq, at } = kind === 'registry' ? registryVersion() : { seq: -1, at: startedAt.toISOString() }
    const key = `${request.url}\n${request.headers.accept ?? ''}`
    const lastModified = new Date(at ?? 0)
    request.readAt = { version: seq, lastModified, key }

    const hit = kept.get(key)
    if (!hit || hit.version !== seq) return
    request.servedFromCache = true
    reply.headers(hit.headers)
    setValidators(reply, hit.etag, lastModified)
    return isFresh(request, hit.etag, lastModified) ? reply.code(304).send() : reply.code(200).send(hit.body)
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const read = request.readAt
    if (!read || request.servedFromCache || reply.statusCode !== 200) return payload
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload

    const etag = entityTag(payload)
    setValidators(reply, etag, read.lastModified)
    if (payload.length <= MAX_BODY) {
      const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => {
        const value = reply.getHeader(name)
        return value === undefined ? [] : [[name, String(value)]]
      }))
      if (kept.size >= MAX_ENTRIES) kept.delete(kept.keys().next().value!)
      kept.set(read.key, { version: read.version, etag, headers, body: payload })
    }
    if (!isFresh(request, etag, read.lastModified)) return payload
    reply.code(304)
    reply.removeHeader('content-type')
    reply.removeHeader('content-length')
    return ''
  })
}
