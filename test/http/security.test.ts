import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, expectProblem, sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry() })
afterAll(async () => { await registry.close() })

const get = (url: string, headers: Record<string, string> = {}) => registry.app.inject({ method: 'GET', url, headers })

describe('security headers', () => {
  it.each(['/v1/capabilities/TOP', '/v1/registry.xml', '/v1/nowhere', '/v1/capabilities?limit=0', '/healthz'])('are on every answer, %s included', async (url) => {
    const response = await get(url)
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['x-frame-options']).toBe('DENY')
    expect(response.headers['referrer-policy']).toBe('no-referrer')
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
  })

  it('are on an answer the read cache replays, and on a 304', async () => {
    const first = await get('/v1/capabilities/USER')
    const again = await get('/v1/capabilities/USER')
    const unchanged = await get('/v1/capabilities/USER', { 'if-none-match': String(first.headers.etag) })
    expect(unchanged.statusCode).toBe(304)
    for (const response of [again, unchanged]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    }
  })

  it('let /docs load its own scripts, styles and data: images, and nothing from elsewhere', async () => {
    const page = await get('/docs/')
    expect(page.statusCode).toBe(200)
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("img-src 'self' data:")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('upgrade-insecure-requests')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
  })
})

describe('CORS', () => {
  it('lets any site read the public registry, without credentials', async () => {
    for (const url of ['/v1/capabilities', '/v1/capabilities/TOP', '/v1/response-codes/IN-USE/history', '/v1/registry.json', '/v1/changes?since=0', '/openapi.yaml', '/v1/capabilities/NOSUCH']) {
      const response = await get(url, { origin: 'https://tool.example' })
      expect(response.headers['access-control-allow-origin'], url).toBe('*')
      expect(response.headers['access-control-allow-credentials'], url).toBeUndefined()
    }
    expect((await get('/v1/capabilities/TOP', { origin: 'https://tool.example' })).headers['access-control-expose-headers']).toContain('ETag')
  })

  it('answers a preflight of a read', async () => {
    const response = await registry.app.inject({ method: 'OPTIONS', url: '/v1/capabilities/TOP',
      headers: { 'origin': 'https://tool.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' } })
    expect(response.statusCode).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe('*')
    expect(response.headers['access-control-allow-methods']).toBe('GET, HEAD')
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('if-none-match')
  })

  it('gives writes and the registrations no CORS headers, so a browser keeps other sites from them', async () => {
    const origin = { 'origin': 'https://evil.example' }
    const preflight = await registry.app.inject({ method: 'OPTIONS', url: '/v1/registrations', headers: { ...origin, 'access-control-request-method': 'POST' } })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    const validate = await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', headers: origin, payload: { kind: 'capability' } })
    expect(validate.headers['access-control-allow-origin']).toBeUndefined()
    const check = await registry.app.inject({ method: 'POST', url: '/v1/check/capa', headers: origin, payload: { before: '+OK\r\n.\r\n' } })
    expect(check.headers['access-control-allow-origin']).toBeUndefined()
    const own = await get('/v1/registrations', { ...origin, ...bearer(registry.store, 'reviewer', 'rita') })
    expect(own.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('rate limits (RATE_LIMIT requests a minute per client)', () => {
  let limited: TestRegistry
  beforeAll(async () => { limited = await startRegistry(':memory:', { limits: { RATE_LIMIT: 3 } }) })
  afterAll(async () => { await limited.close() })

  it('answer the anonymous POSTs past the limit with 429 and Retry-After, route by route; reads are never limited', async () => {
    const validate = () => limited.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: { kind: 'capability', action: 'register', entry: sampleCapability('RATE') } })
    for (let i = 0; i < 3; i++) expect((await validate()).statusCode).toBe(200)
    const refused = await validate()
    const problem = expectProblem(refused, 429)
    expect(problem.type).toBe('/problems/too-many-requests')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    const check = () => limited.app.inject({ method: 'POST', url: '/v1/check/response', payload: { line: '+OK' } })
    for (let i = 0; i < 3; i++) expect((await check()).statusCode).toBe(200)
    expectProblem(await check(), 429)
    for (let i = 0; i < 10; i++) expect((await limited.app.inject('/v1/capabilities/TOP')).statusCode).toBe(200)
  })

  it('answer failed authentications past the limit with 429, then refuse even a good token for the minute', async () => {
    const good = bearer(limited.store, 'submitter', 'sam')
    expect((await limited.app.inject({ url: '/v1/registrations', headers: good })).statusCode).toBe(200)
    for (let i = 0; i < 3; i++) expectProblem(await limited.app.inject({ url: '/v1/registrations', headers: { authorization: `Bearer p3r_000000000001_guess${i}` } }), 401)
    const refused = await limited.app.inject({ url: '/v1/registrations', headers: { authorization: 'Bearer p3r_000000000001_guess4' } })
    expectProblem(refused, 429)
    expect(refused.headers['retry-after']).toBeDefined()
    expectProblem(await limited.app.inject({ url: '/v1/registrations', headers: good }), 429)
    // Successful authentications are not counted: another client's good token works.
    const other = await limited.app.inject({ url: '/v1/registrations', headers: good, remoteAddress: '10.0.0.2' })
    expect(other.statusCode).toBe(200)
  })

  it('are off with RATE_LIMIT=0', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await registry.app.inject({ method: 'POST', url: '/v1/check/response', payload: { line: '+OK' } })).statusCode).toBe(200)
    }
  })
})
