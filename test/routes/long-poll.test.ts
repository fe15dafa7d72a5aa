import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { approveRegistration, expectProblem, sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeEach(async () => { registry = await startRegistry() })
afterEach(async () => { await registry.close() })

const get = (url: string) => registry.app.inject({ method: 'GET', url })

const approve = (body: object) => approveRegistration(registry, body)

describe('GET /v1/changes?wait=S (long poll)', () => {
  it('answers at once when a change already follows since', async () => {
    const started = Date.now()
    const response = await get('/v1/changes?since=0&limit=2&wait=30')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(response.json().items.map((c: { seq: number }) => c.seq)).toEqual([1, 2])
  })

  it('answers as soon as an approval publishes a change, not after the wait', async () => {
    const latest = (await get('/v1/changes')).json().latest as number
    const started = Date.now()
    const polled = get(`/v1/changes?since=${latest}&wait=30`)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await approve({ kind: 'capability', action: 'register', entry: sampleCapability('PROMPT') })
    const response = await polled
    const waited = Date.now() - started
    expect(response.statusCode).toBe(200)
    expect(response.json().items).toMatchObject([{ seq: latest + 1, registry: 'capabilities', key: 'PROMPT', action: 'register' }])
    expect(waited).toBeGreaterThanOrEqual(300)
    expect(waited).toBeLessThan(3000)
  })

  it('answers with no items after the wait, uncached, and waits again the next time', async () => {
    const latest = (await get('/v1/changes')).json().latest as number
    for (let round = 0; round < 2; round++) {
      const started = Date.now()
      const response = await get(`/v1/changes?since=${latest}&wait=1`)
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      expect(response.json()).toEqual({ items: [], latest })
      expect(response.headers['cache-control']).toBe('no-store')
      expect(response.headers.etag).toBeUndefined()
    }
  })

  it('ends open polls when the server closes, so that shutdown does not wait for them', async () => {
    const latest = (await get('/v1/changes')).json().latest as number
    const polled = get(`/v1/changes?since=${latest}&wait=60`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const started = Date.now()
    await registry.app.close()
    expect((await polled).json()).toEqual({ items: [], latest })
    expect(Date.now() - started).toBeLessThan(2000)
    registry = { ...registry, close: async () => { registry.db.close() } }
  })

  it.each(['wait=61', 'wait=-1', 'wait=soon', 'include=everything'])('refuses %s with a problem naming it', async (query) => {
    const body = expectProblem(await get(`/v1/changes?since=0&${query}`), 400)
    expect(body.detail).toContain(query.split('=')[0])
  })
})

describe('GET /v1/changes?include=entry', () => {
  it('carries each entry as it became and its status, as the export\'s history does', async () => {
    await approve({ kind: 'capability', action: 'register', entry: sampleCapability('CARRIED') })
    await approve({ kind: 'capability', action: 'update', entry: sampleCapability('CARRIED', { discussion: 'Second.' }) })
    const history = (await get('/v1/registry.json')).json().history as { seq: number }[]
    const feed = (await get('/v1/changes?since=0&limit=1000&include=entry')).json()
    expect(feed.items).toEqual(history)
    expect(feed.items.at(-1)).toMatchObject({ key: 'CARRIED', action: 'update', status: 'active', entry: { tag: 'CARRIED', discussion: 'Second.' } })
  })

  it('leaves the plain feed as it was: no entries', async () => {
    const { items } = (await get('/v1/changes?since=0&limit=1')).json()
    expect(Object.keys(items[0]).sort()).toEqual(['action', 'at', 'key', 'registrationId', 'registry', 'seq'])
  })
})
