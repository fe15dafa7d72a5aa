import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { requireRole } from '../../server/http/auth.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { createStore } from '../../server/store/index.ts'
import { bearer, sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'initial') })
afterAll(async () => { await registry.close() })

const READS = [
  '/v1/registry',
  '/v1/capabilities',
  '/v1/capabilities?state=TRANSACTION&limit=1',
  '/v1/capabilities/top',
  '/v1/response-codes',
  '/v1/response-codes/IN-USE',
  '/openapi.yaml',
  '/problems/not-found',
]

describe('conditional GET on every read', () => {
  it.each(READS)('%s answers with ETag and Last-Modified, and 304 to If-None-Match', async (url) => {
    const first = await registry.app.inject(url)
    expect(first.statusCode).toBe(200)
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(Date.parse(first.headers['last-modified'] as string)).not.toBeNaN()

    const again = await registry.app.inject({ url, headers: { 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect(again.headers.etag).toBe(etag)

    const weak = await registry.app.inject({ url, headers: { 'if-none-match': `"other", W/${etag}` } })
    expect(weak.statusCode).toBe(304)
    const stale = await registry.app.inject({ url, headers: { 'if-none-match': '"other"' } })
    expect(stale.statusCode).toBe(200)
  })

  it('dates registry reads by the registry\'s last change, and answers 304 to If-Modified-Since', async () => {
    const first = await registry.app.inject('/v1/capabilities')
    expect(first.headers['last-modified']).toBe('Fri, 29 Jun 2001 00:00:00 GMT')
    const same = await registry.app.inject({ url: '/v1/capabilities', headers: { 'if-modified-since': 'Fri, 29 Jun 2001 00:00:00 GMT' } })
    expect(same.statusCode).toBe(304)
    const older = await registry.app.inject({ url: '/v1/capabilities', headers: { 'if-modified-since': 'Thu, 28 Jun 2001 00:00:00 GMT' } })
    expect(older.statusCode).toBe(200)
  })

  it('answers HEAD with the same validators and no body', async () => {
    const get = await registry.app.inject('/v1/capabilities/top')
    const head = await registry.app.inject({ method: 'HEAD', url: '/v1/capabilities/top' })
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe('')
    expect(head.headers.etag).toBe(get.headers.etag)
  })

  it('gives a changed registry new validators at once', async () => {
    const before = await registry.app.inject('/v1/capabilities')
    registry.store.capabilities.publish(sampleCapability('NEWCAP'), { at: '2026-11-28T09:30:00.000Z', action: 'register' })
    const after = await registry.app.inject({ url: '/v1/capabilities', headers: { 'if-none-match': before.headers.etag as string } })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect(after.headers['last-modified']).toBe('Sat, 28 Nov 2026 09:30:00 GMT')
    expect(after.json().total).toBe(11)
  })

  it('does not cache errors', async () => {
    const missing = await registry.app.inject('/v1/capabilities/NOPE')
    expect(missing.statusCode).toBe(404)
    expect(missing.headers.etag).toBeUndefined()
  })
})

describe('the read cache', () => {
  it('never answers a guarded route, even once a public read at the same moment is kept', async () => {
    const reviewer = bearer(registry.store, 'reviewer', 'cache-rita')
    for (const url of ['/v1/capabilities', '/v1/registrations']) {
      for (let i = 0; i < 2; i++) expect((await registry.app.inject({ url, headers: reviewer })).statusCode).toBe(200)
    }
    // The public read is answered from the cache now, to anyone; the registrations are not.
    expect((await registry.app.inject('/v1/capabilities')).statusCode).toBe(200)
    const anonymous = await registry.app.inject('/v1/registrations')
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.headers.etag).toBeUndefined()
    const withAccept = await registry.app.inject({ url: '/v1/registrations', headers: { accept: 'application/json' } })
    expect(withAccept.statusCode).toBe(401)
  })

  it('keeps an answer from the second time it is asked for on', async () => {
    const keyOf = (body: string) => (JSON.parse(body) as { items: { seq: number, key: string }[] }).items.find((item) => item.seq === 11)?.key
    const edit = (key: string) => registry.db.prepare('UPDATE changes SET key = ? WHERE seq = 11').run(key)
    const url = '/v1/changes?since=10'
    try {
      // Rows changed behind the store's back leave the registry's version where it was: a kept
      // answer is served as it was kept, one not kept is made again from the rows.
      expect(keyOf((await registry.app.inject(url)).body)).toBe('LOGIN-DELAY')
      edit('ASKED-TWICE')
      expect(keyOf((await registry.app.inject(url)).body)).toBe('ASKED-TWICE')
      edit('ASKED-THRICE')
      expect(keyOf((await registry.app.inject(url)).body)).toBe('ASKED-TWICE')
    } finally {
      edit('LOGIN-DELAY')
    }
  })

  it('forgets the keys asked for once when they are too long together', async () => {
    const keyOf = (body: string) => (JSON.parse(body) as { items: { seq: number, key: string }[] }).items.find((item) => item.seq === 11)?.key
    const edit = (key: string) => registry.db.prepare('UPDATE changes SET key = ? WHERE seq = 11').run(key)
    const url = '/v1/changes?since=10&limit=50'
    try {
      await registry.app.inject(url)
      // A key is the URL and the Accept, which a client may make as long as it likes: 1 MiB of them.
      for (let i = 0; i < 110; i++) {
        const accept = `application/json, ${`text/x-${i};q=0.1, `.repeat(1000)}`
        expect((await registry.app.inject({ url, headers: { accept } })).statusCode).toBe(200)
      }
      // Asked for once again, as far as the cache now knows: made, not kept.
      await registry.app.inject(url)
      edit('FORGOTTEN')
      expect(keyOf((await registry.app.inject(url)).body)).toBe('FORGOTTEN')
    } finally {
      edit('LOGIN-DELAY')
    }
  })

  it('refuses, at start-up, a public read that has a guard of its own', async () => {
    const { db } = openRegistry(':memory:', 'initial')
    const app = await buildApp({ db })
    try {
      expect(() => app.get('/v1/secret', {
        config: { lastModified: 'registry' },
        onRequest: requireRole(createStore(db).tokens, 'reviewer'),
      }, async () => ({ secret: true }))).toThrow(/takes no onRequest hook of its own/)
      expect(() => app.post('/v1/public-post', { config: { lastModified: 'registry' } }, async () => ({}))).toThrow(/only GET and HEAD/)
    } finally {
      await app.close()
      db.close()
    }
  })
})
