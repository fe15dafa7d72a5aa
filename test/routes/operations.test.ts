import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { cacheControlOf, readConfig } from '../../server/config.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { openDatabase } from '../../server/store/database.ts'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeEach(async () => { registry = await startRegistry() })
afterEach(async () => { await registry.close() })

/** The value of one series in Prometheus' text format, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('GET /livez', () => {
  it('answers 200 even once the database is gone: the process lives', async () => {
    const broken = await startRegistry()
    broken.db.close()
    const response = await broken.app.inject('/livez')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
    await broken.app.close()
  })
})

describe('GET /readyz', () => {
  it('answers 200 with the latest change on a migrated, seeded database', async () => {
    const response = await registry.app.inject('/readyz')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok', latest: registry.store.changes.latest().seq })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('answers 503 when the database is gone, and when it holds no registry', async () => {
    const broken = await startRegistry()
    broken.db.close()
    expectProblem(await broken.app.inject('/readyz'), 503)
    await broken.app.close()

    const db = openDatabase(':memory:')
    const empty = await buildApp({ db })
    expect(expectProblem(await empty.inject('/readyz'), 503).detail).toMatch(/no registry/)
    await empty.close()
    db.close()
  })
})

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, and reports the registry\'s version and pending registrations', async () => {
    await registry.app.inject('/v1/capabilities/TOP')
    await registry.app.inject('/v1/capabilities/SASL')
    await registry.app.inject('/v1/capabilities/NOPE')
    await registry.app.inject('/no/such/path')
    const response = await registry.app.inject('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = response.body
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/v1/capabilities/:tag",status_code="200"}')).toBe(2)
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/v1/capabilities/:tag",status_code="404"}')).toBe(1)
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="(unmatched)",status_code="404"}')).toBe(1)
    expect(sample(text, 'pop3_registry_latest_change_seq')).toBe(registry.store.changes.latest().seq)
    expect(sample(text, 'pop3_registry_pending_registrations')).toBe(0)
    expect(text).not.toContain('follower_lag')
  })

  it('counts reads the read cache answers, and leaves their bodies and ETags alone', async () => {
    const first = await registry.app.inject('/v1/capabilities')
    const second = await registry.app.inject('/v1/capabilities')
    const revalidated = await registry.app.inject({ url: '/v1/capabilities', headers: { 'if-none-match': String(first.headers.etag) } })
    expect(second.body).toBe(first.body)
    expect(second.headers.etag).toBe(first.headers.etag)
    expect(revalidated.statusCode).toBe(304)
    const text = (await registry.app.inject('/metrics')).body
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/v1/capabilities",status_code="200"}')).toBe(2)
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/v1/capabilities",status_code="304"}')).toBe(1)
  })
})

describe('Cache-Control of reads (CACHE_MAX_AGE, CACHE_STALE_WHILE_REVALIDATE)', () => {
  it('is public, no-cache by default, and max-age with stale-while-revalidate when configured', async () => {
    expect((await registry.app.inject('/v1/registry')).headers['cache-control']).toBe('public, no-cache')
    expect(cacheControlOf(readConfig({}))).toBe('public, no-cache')
    const configured = cacheControlOf(readConfig({ CACHE_MAX_AGE: '60', CACHE_STALE_WHILE_REVALIDATE: '300' }))
    expect(configured).toBe('public, max-age=60, stale-while-revalidate=300')

    const { db } = openRegistry(':memory:')
    const app = await buildApp({ db, cacheControl: configured })
    for (const url of ['/v1/registry', '/v1/capabilities/TOP', '/v1/registry.json', '/v1/capabilities.csv']) {
      const first = await app.inject(url)
      expect(first.headers['cache-control'], url).toBe(configured)
      const again = await app.inject({ url, headers: { 'if-none-match': String(first.headers.etag) } })
      expect(again.statusCode, url).toBe(304)
      expect(again.headers['cache-control'], url).toBe(configured)
    }
    await app.close()
    db.close()
  })

  it('refuses a negative or fractional age, naming the variable', () => {
    expect(() => readConfig({ CACHE_MAX_AGE: '-1' })).toThrow(/CACHE_MAX_AGE/)
    expect(() => readConfig({ CACHE_STALE_WHILE_REVALIDATE: '1.5' })).toThrow(/CACHE_STALE_WHILE_REVALIDATE/)
  })
})
