import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Rfc } from '../../schema/rfc.ts'
import { openDatabase } from '../../server/store/database.ts'
import { createStore } from '../../server/store/index.ts'
import { startRegistry, tempDir, type TestRegistry } from '../helpers.ts'

// The registry is served from a file and the RFC statuses loaded through a connection of their
// own, as `pop3-registry rfc-index load` does while the server runs.
let dir: ReturnType<typeof tempDir>
let registry: TestRegistry
let dbPath: string
beforeEach(async () => {
  dir = tempDir()
  dbPath = join(dir.path, 'registry.db')
  registry = await startRegistry(dbPath, 'initial')
})
afterEach(async () => {
  await registry.close()
  dir.remove()
})

function loadRfcs(rfcs: Rfc[]): number {
  const db = openDatabase(dbPath)
  try {
    return createStore(db).rfcs.load(rfcs)
  } finally {
    db.close()
  }
}

const get = (url: string, headers: Record<string, string> = {}) => registry.app.inject({ method: 'GET', url, headers })
const rfcIn = (body: { rfcs?: Rfc[], items?: Rfc[] }, number: number) => (body.rfcs ?? body.items)!.find((rfc) => rfc.number === number)

// The seed knows RFC 2449 as PROPOSED STANDARD; a later index is imagined to say otherwise.
const RFC2449_NOW: Rfc = { number: 2449, title: 'POP3 Extension Mechanism', status: 'INTERNET STANDARD', obsoletedBy: null }
const CARRYING = ['/v1/registry.json', '/v1/registry.json?asOf=2001-06-29', '/v1/rfcs']

describe('an RFC load that changes a status', () => {
  it('gives registry.json and /v1/rfcs the new status, a new ETag and a later Last-Modified, and the old validators get 200', async () => {
    const before = await Promise.all(CARRYING.map((url) => get(url)))
    for (const [i, response] of before.entries()) {
      expect(rfcIn(response.json(), 2449)?.status, CARRYING[i]).toBe('PROPOSED STANDARD')
      // Kept by the read cache and the publication files.
      expect((await get(CARRYING[i]!, { 'if-none-match': response.headers.etag as string })).statusCode, CARRYING[i]).toBe(304)
    }
    expect(before[0]!.headers['last-modified']).toBe('Fri, 29 Jun 2001 00:00:00 GMT')

    const loadedFrom = Date.now()
    expect(loadRfcs([RFC2449_NOW])).toBe(1)

    for (const [i, old] of before.entries()) {
      const url = CARRYING[i]!
      const now = await get(url)
      expect(rfcIn(now.json(), 2449)?.status, url).toBe('INTERNET STANDARD')
      expect(now.headers.etag, url).not.toBe(old.headers.etag)
      expect(Date.parse(now.headers['last-modified'] as string), url).toBeGreaterThanOrEqual(Math.floor(loadedFrom / 1000) * 1000)
      expect((await get(url, { 'if-none-match': old.headers.etag as string })).statusCode, url).toBe(200)
      expect((await get(url, { 'if-modified-since': old.headers['last-modified'] as string })).statusCode, url).toBe(200)
      expect((await get(url, { 'if-none-match': now.headers.etag as string })).statusCode, url).toBe(304)
    }
    expect((await get('/v1/rfcs')).json().loadedAt).toEqual(expect.any(String))
  })

  it('leaves the other downloads\' validators as they were: their bytes did not change', async () => {
    const urls = ['/v1/registry.xml', '/v1/capabilities.csv', '/v1/capabilities']
    const before = await Promise.all(urls.map((url) => get(url)))
    loadRfcs([RFC2449_NOW])
    for (const [i, old] of before.entries()) {
      const now = await get(urls[i]!)
      expect(now.headers.etag, urls[i]).toBe(old.headers.etag)
      expect(now.headers['last-modified'], urls[i]).toBe(old.headers['last-modified'])
    }
  })

  it('changes the reference warnings at once', async () => {
    const body = { kind: 'capability', action: 'register', entry: { tag: 'NEWCAP', description: 'A new capability.', arguments: [], addedCommands: [], affectedCommands: [], announcedStates: 'both', commandsVaryByState: false, validStates: [], references: ['RFC9801'] } }
    const validate = async () => (await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: body })).json()
    expect((await validate()).warnings).toEqual([expect.objectContaining({ rule: 'rfc-status-unknown', path: '/entry/references/0' })])
    loadRfcs([{ number: 9801, title: 'A POP3 capability', status: 'PROPOSED STANDARD', obsoletedBy: null }])
    expect((await validate()).warnings).toEqual([])
    loadRfcs([{ number: 9801, title: 'A POP3 capability', status: 'HISTORIC', obsoletedBy: 'RFC9802' }])
    expect((await validate()).warnings.map((warning: { rule: string }) => warning.rule)).toEqual(['rfc-obsoleted', 'rfc-not-standards-track'])
  })
})

describe('an RFC load that changes nothing', () => {
  it('counts no RFC, records no load and moves no version, ETag or date', async () => {
    const before = await Promise.all(CARRYING.map((url) => get(url)))
    const version = registry.store.version()
    const seeded = registry.store.rfcs.all()
    expect(loadRfcs(seeded)).toBe(0)
    expect(registry.store.version()).toEqual(version)
    for (const [i, old] of before.entries()) {
      const now = await get(CARRYING[i]!)
      expect(now.body, CARRYING[i]).toBe(old.body)
      expect(now.headers['last-modified'], CARRYING[i]).toBe(old.headers['last-modified'])
      expect((await get(CARRYING[i]!, { 'if-none-match': old.headers.etag as string })).statusCode, CARRYING[i]).toBe(304)
    }
  })

  it('counts only the RFCs it adds or changes, and records each load that changed some with its time', () => {
    const { rfcs } = registry.store
    const first = rfcs.latestLoad()
    expect(rfcs.load([...rfcs.all(), RFC2449_NOW, { number: 9801, title: 'New', status: 'EXPERIMENTAL', obsoletedBy: null }], '2030-01-02T03:04:05.000Z')).toBe(2)
    expect(rfcs.latestLoad()).toEqual({ seq: first.seq + 1, at: '2030-01-02T03:04:05.000Z' })
    expect(registry.db.prepare('SELECT changed FROM rfc_loads ORDER BY seq DESC LIMIT 1').pluck().get()).toBe(2)
    expect(rfcs.load([RFC2449_NOW])).toBe(0)
    expect(rfcs.latestLoad().seq).toBe(first.seq + 1)
  })
})
