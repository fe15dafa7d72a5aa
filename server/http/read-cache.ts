import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Marks an anonymous read: 'registry' reads change with the registry, 'static' ones only with
     * the program. Reads without it (health, registrations) are neither cached nor validated.
     */
    lastModified?: 'registry' | 'static'
    /** A read that long-polls when asked with `wait`: such answers are live, never kept nor validated. */
    longPoll?: boolean
  }
  interface FastifyInstance {
    /** The Cache-Control every anonymous read answers with (CACHE_MAX_AGE, CACHE_STALE_WHILE_REVALIDATE). */
    readCacheControl: string
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
  lastModified: Date
  /** Every header the answer carries again, its validators included. */
  headers: Record<string, string>
  body: string | Buffer
}

const KEPT_HEADERS = ['content-type', 'vary', 'content-disposition', 'etag', 'last-modified', 'cache-control']
// The kept bodies are bounded by their total size, oldest out first.
const MAX_BYTES = 16 << 20
const MAX_BODY = 1 << 20

/** Caches keep a read but ask again before each use, with the validators: nothing stale is served. */
export const DEFAULT_CACHE_CONTROL = 'public, no-cache'

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
  reply.header('cache-control', reply.server.readCacheControl)
}

/**
 * Every anonymous read answers with an ETag (a hash of its body), Last-Modified and
 * Cache-Control, and with 304 when the client's copy is current (RFC 9110 §13). Its body is kept
 * for the registry version it was built at, so the next identical read is answered without
 * touching the handler, the database (but for the version) or the serializer; any change to the
 * registry, by this process or another, moves the version and so retires every kept body.
 */
export function installReadCache(app: FastifyInstance, registryVersion: () => RegistryVersion, cacheControl = DEFAULT_CACHE_CONTROL) {
  app.decorate('readCacheControl', cacheControl)
  const startedAt = new Date()
  const kept = new Map<string, CachedRead>()
  let keptBytes = 0
  const forget = (key: string) => {
    const old = kept.get(key)
    if (old) keptBytes -= old.body.length
    kept.delete(key)
  }

  // Callback-style hooks: they run on every read, and spare the promises async ones would make.
  app.addHook('onRequest', (request, reply, done) => {
    const kind = request.routeOptions.config.lastModified
    if (!kind || (request.method !== 'GET' && request.method !== 'HEAD')) return done()
    if (request.routeOptions.config.longPoll && (request.query as { wait?: unknown }).wait !== undefined) {
      reply.header('cache-control', 'no-store')
      return done()
    }
    const { seq, at } = kind === 'registry' ? registryVersion() : { seq: -1, at: startedAt.toISOString() }
    const key = `${request.url}\n${request.headers.accept ?? ''}`
    const hit = kept.get(key)
    if (hit && hit.version === seq) {
      request.servedFromCache = true
      reply.headers(hit.headers)
      if (isFresh(request, hit.etag, hit.lastModified)) reply.code(304).send()
      else reply.code(200).send(hit.body)
      return
    }
    request.readAt = { version: seq, lastModified: new Date(at ?? 0), key }
    done()
  })

  app.addHook('onSend', (request, reply, payload, done) => {
    const read = request.readAt
    if (!read || request.servedFromCache || reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      return done(null, payload)
    }
    const etag = entityTag(payload)
    setValidators(reply, etag, read.lastModified)
    if (payload.length <= MAX_BODY) {
      const headers: Record<string, string> = {}
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      forget(read.key)
      while (keptBytes + payload.length > MAX_BYTES && kept.size > 0) forget(kept.keys().next().value!)
      kept.set(read.key, { version: read.version, etag, lastModified: read.lastModified, headers, body: payload })
      keptBytes += payload.length
    }
    if (!isFresh(request, etag, read.lastModified)) return done(null, payload)
    reply.code(304)
    reply.removeHeader('content-type')
    reply.removeHeader('content-length')
    done(null, '')
  })
}
