import { createHash } from 'node:crypto'
import type { OutgoingHttpHeaders } from 'node:http'
import { Socket } from 'node:net'
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler, RouteOptions } from 'fastify'
import { SECURITY_HEADERS } from './security-headers.ts'
import { sameVersion, type RegistryVersion } from '../store/index.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Marks a public read, the same for everyone, which the read cache may answer: 'registry'
     * reads change with the registry, 'rfcs' ones also carry the RFC statuses (their Last-Modified
     * is the later of the latest change and the latest RFC load), 'static' ones change only with
     * the program. Routes without it
     * (health, registrations, forms) are neither kept nor validated, and a route with hooks of its
     * own (an authentication) cannot have it: installReadCache refuses the route.
     */
    lastModified?: 'registry' | 'rfcs' | 'static'
    /** A read that long-polls when asked with `wait`: such answers are live, never kept nor validated. */
    longPoll?: boolean
  }
  interface FastifyInstance {
    /** The Cache-Control every anonymous read answers with (CACHE_MAX_AGE, CACHE_STALE_WHILE_REVALIDATE). */
    readCacheControl: string
  }
  interface FastifyRequest {
    /** Set on a public read the cache could not answer, for its answer to be kept. */
    readAt: ReadAt | null
  }
}

interface ReadAt {
  version: RegistryVersion
  lastModified: Date
  key: string
  /** Whether the answer is kept for the next identical read: its key was asked for before (see passOver). */
  keep: boolean
}

interface CachedRead {
  version: RegistryVersion
  etag: string
  lastModified: Date
  /** Every header of the answer, worked out once: it is written as it is, with the body. */
  headers: OutgoingHttpHeaders
  /** The same less the body's own (type, length), for a 304. */
  notModified: OutgoingHttpHeaders
  body: Buffer
}

const KEPT_HEADERS = ['content-type', 'vary', 'content-disposition', 'etag', 'last-modified', 'cache-control']
// The kept bodies and their keys are bounded by their total size, oldest out first.
const MAX_BYTES = 16 << 20
const MAX_BODY = 1 << 20
/** How many characters of keys asked for are remembered (see askedBefore): a key is a URL and an Accept. */
const MAX_ASKED_CHARS = 1 << 20
/** Hooks that run before the handler: on a route the cache answers, they would run after it. */
const GUARD_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const

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

/** When a read last changed: the latest change, or for one that carries the RFC statuses the later of it and the latest RFC load. */
export function lastModifiedOf({ at, rfcLoadAt }: RegistryVersion, carriesRfcs: boolean): Date {
  return new Date((carriesRfcs && rfcLoadAt !== undefined && (at === undefined || rfcLoadAt > at) ? rfcLoadAt : at) ?? 0)
}

/**
 * Leaves a public read's answer out of the cache even when its key was asked for before, its
 * validators still worked out: for an answer that several clients each ask for once, such as a
 * full page of the change feed, which every mirror catching up asks for (at 100k entries, 80 MB of
 * pages, which would push every other answer out of the cache's 16 MB).
 */
export function passOver(request: FastifyRequest) {
  if (request.readAt) request.readAt.keep = false
}

export function setValidators(reply: FastifyReply, etag: string, lastModified: Date) {
  reply.header('etag', etag)
  reply.header('last-modified', lastModified.toUTCString())
  // Set anew, after the validators, even over one an earlier onSend set (the web pages' no-store):
  // the headers then come in the order a kept answer writes them, whichever answers.
  reply.removeHeader('cache-control')
  reply.header('cache-control', reply.server.readCacheControl)
}

/** Refuses, when it is added, a route the cache must not answer for everyone alike. */
function refuseUncacheable(route: RouteOptions) {
  const where = `${String(route.method)} ${route.url}`
  const methods = [route.method].flat()
  if (methods.some((method) => method !== 'GET' && method !== 'HEAD')) {
    throw new Error(`${where}: only GET and HEAD can be public reads (config.lastModified)`)
  }
  const guard = GUARD_HOOKS.find((hook) => [route[hook] ?? []].flat().length > 0)
  if (guard) {
    throw new Error(`${where}: a public read (config.lastModified) takes no ${guard} hook of its own: the read cache would answer before it, for everyone`)
  }
}

/**
 * Every public read (a GET route whose config has `lastModified`) answers with an ETag (a hash of
 * its body), Last-Modified and Cache-Control, and with 304 when the client's copy is current
 * (RFC 9110 §13). Its answer is kept for the registry version it was built at (the latest change's
 * seq and the latest RFC load's), headers included, so the next identical read is written out at
 * once, without the handler, the database (but for the version), the serializer or any header
 * work; any change to the registry or load of RFC statuses that changed one, by this process or
 * another, moves the version and so retires every kept answer.
 *
 * Only those routes get the cache's hooks, as their own: it cannot answer any other route, and a
 * route with an onRequest, preParsing, preValidation or preHandler of its own (a guard) is refused
 * at start-up. It writes a public read's security headers too (security-headers.ts leaves them to
 * it). Install before any route.
 */
// eslint-disable-next-line max-lines-per-function -- the cache and the two hooks that share it, in one closure
export function installReadCache(app: FastifyInstance, registryVersion: (forSocketRead: boolean) => RegistryVersion, cacheControl = DEFAULT_CACHE_CONTROL) {
  app.decorate('readCacheControl', cacheControl)
  app.decorateRequest('readAt', null)
  // What a 'static' read is kept for: the program, which changes only with a start.
  const started: RegistryVersion = { seq: -1, at: new Date().toISOString(), rfcLoad: 0, rfcLoadAt: undefined }
  const kept = new Map<string, CachedRead>()
  let keptBytes = 0
  const forget = (key: string) => {
    const old = kept.get(key)
    if (old) keptBytes -= old.body.length + key.length
    kept.delete(key)
  }

  // An answer is kept from the second time its key is asked for on. Most reads of a large registry
  // are asked for once (an entry, a page reached by its cursor, a change feed page): kept, each cost
  // a copy and pushed out answers asked for again, and the kept bytes they churned through made
  // old-generation garbage collections in the p99s. The keys asked for are forgotten all at once
  // when they are too long together (a client chooses their length).
  const asked = new Set<string>()
  let askedChars = 0
  const askedBefore = (key: string) => {
    if (asked.has(key)) return true
    if (askedChars + key.length > MAX_ASKED_CHARS) {
      asked.clear()
      askedChars = 0
    }
    asked.add(key)
    askedChars += key.length
    return false
  }

  const keep = (read: ReadAt, etag: string, bytes: Buffer, reply: FastifyReply, security: Record<string, string>) => {
    const headers: OutgoingHttpHeaders = { ...security }
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name)
      if (value !== undefined) headers[name] = String(value)
    }
    const { 'content-type': _type, ...notModified } = headers
    headers['content-length'] = String(bytes.length)
    forget(read.key)
    // Keys count too: a client chooses their length (a URL and an Accept).
    const size = bytes.length + read.key.length
    while (keptBytes + size > MAX_BYTES && kept.size > 0) forget(kept.keys().next().value!)
    kept.set(read.key, { version: read.version, etag, lastModified: read.lastModified, headers, notModified, body: bytes })
    keptBytes += size
  }

  app.addHook('onRoute', (route) => {
    const kind = route.config?.lastModified
    if (!kind) return
    refuseUncacheable(route)
    const security = route.config?.securityHeaders ?? SECURITY_HEADERS
    const longPoll = route.config?.longPoll === true
    const version = kind === 'static' ? () => started : registryVersion
    const carriesRfcs = kind === 'rfcs'

    // Callback-style hooks: they run on every read, and spare the promises async ones would make.
    const answerFromCache: onRequestHookHandler = (request, reply, done) => {
      if (longPoll && (request.query as { wait?: unknown }).wait !== undefined) {
        reply.headers(security).header('cache-control', 'no-store')
        return done()
      }
      // A request read from a socket may share this turn's look at the version (store/generation.ts); an injected one may not.
      const current = version(request.raw.socket instanceof Socket)
      const accept = request.headers.accept
      const key = accept === undefined ? request.url : `${request.url}\n${accept}`
      const hit = kept.get(key)
      if (hit !== undefined && sameVersion(hit.version, current)) {
        // Written past fastify's reply: its headers are complete, and onResponse hooks (metrics, the request log) still run.
        reply.hijack()
        if (isFresh(request, hit.etag, hit.lastModified)) reply.raw.writeHead(304, hit.notModified).end()
        else reply.raw.writeHead(200, hit.headers).end(request.method === 'HEAD' ? undefined : hit.body)
        return
      }
      reply.headers(security)
      request.readAt = { version: current, lastModified: lastModifiedOf(current, carriesRfcs), key, keep: askedBefore(key) }
      done()
    }

    const keepAnswer: onSendHookHandler = (request, reply, payload, done) => {
      const read = request.readAt
      if (!read || reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
        return done(null, payload)
      }
      // Encoded once, for the hash, the kept copy and the socket alike (a string would be encoded
      // by each: a list page at 100k is 70 kB).
      const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload)
      const etag = entityTag(bytes)
      setValidators(reply, etag, read.lastModified)
      if (read.keep && bytes.length <= MAX_BODY) keep(read, etag, bytes, reply, security)
      if (!isFresh(request, etag, read.lastModified)) return done(null, bytes)
      reply.code(304)
      reply.removeHeader('content-type')
      reply.removeHeader('content-length')
      // No payload at all: fastify gives an empty string a Content-Length of 0, which a 304 must
      // not have (RFC 9110 §8.6: only the length a 200 would have), nor has the kept answer's 304.
      // A HEAD route's own onSend, which comes after this one, needs a payload and gives a string
      // its length, 0; an empty stream it only drains.
      done(null, request.method === 'HEAD' ? Readable.from([]) : null)
    }

    route.onRequest = [answerFromCache]
    // First of the route's own: a HEAD route's (which drops the body) comes after it.
    route.onSend = [keepAnswer, ...[route.onSend ?? []].flat()]
  })
}
