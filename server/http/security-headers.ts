import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The headers every answer of the route carries, worked out once when the route is added. */
    securityHeaders?: Record<string, string>
  }
}

/**
 * The security headers of helmet's set (README: Security and limits), written out once rather than
 * made per request. An API answer loads nothing, so its policy allows nothing.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

/**
 * Swagger UI at /docs: its own scripts and styles (its components set inline styles), its inline
 * SVG icons as data: images, and requests to this server alone.
 */
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
  + "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/**
 * The web pages (server/web/): this site's stylesheet, forms posted to this site, and no script
 * at all, so that even a value that escaped its escaping could not run.
 */
export const PAGES_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
const PAGES = /^\/(?:$|capabilities\/|response-codes\/|register$|registrations(?:\/|$)|signin$|signout$|static\/)/

/**
 * The registry's reads are public data, like IANA's files: a page on any site may read them with
 * fetch, without credentials. Writes and the registrations (which need a token) get no CORS
 * headers, so a browser keeps other sites from making them.
 */
const CORS_READ_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD',
  'access-control-allow-headers': 'Accept, If-None-Match, If-Modified-Since',
  'access-control-expose-headers': 'ETag, Last-Modified, Retry-After, Link',
  'access-control-max-age': '86400',
  'cross-origin-resource-policy': 'cross-origin',
}

const PUBLIC_READS = /^\/(?:v1\/(?!registrations(?:\/|$))|openapi\.yaml$|problems\/)/
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The headers of a route: by its path and methods, so that no request has to work them out. */
function headersFor(url: string, methods: string[]): Record<string, string> {
  if (url === '/docs' || url.startsWith('/docs/')) return { ...SECURITY_HEADERS, 'content-security-policy': DOCS_CSP }
  if (PAGES.test(url)) return { ...SECURITY_HEADERS, 'content-security-policy': PAGES_CSP }
  // A preflight (OPTIONS) or a read of public data; the 405 of a write on a public URL carries them too, harmlessly.
  if (PUBLIC_READS.test(url) && methods.some((method) => READ_METHODS.has(method))) return { ...SECURITY_HEADERS, ...CORS_READ_HEADERS }
  return SECURITY_HEADERS
}

/**
 * Gives every route its security headers (and CORS for public reads), worked out once when the
 * route is added and written by the first of its own onRequest hooks, so that errors from its
 * other hooks and handler carry them too. A public read's (config.lastModified) are written by
 * the read cache with its answer, kept or fresh; answers given outside any route (404s, framework
 * errors, a follower's redirects) write SECURITY_HEADERS themselves. Install before any route.
 */
export function installSecurityHeaders(app: FastifyInstance) {
  app.addHook('onRoute', (route: RouteOptions) => {
    const headers = headersFor(route.url, [route.method].flat())
    route.config = { ...route.config, securityHeaders: headers }
    if (route.config.lastModified) return
    // A callback hook: it runs on every request, and spares the promise an async one would make.
    const writeHeaders: onRequestHookHandler = (_request, reply, done) => {
      reply.headers(headers)
      done()
    }
    route.onRequest = [writeHeaders, ...[route.onRequest ?? []].flat()]
  })
}
