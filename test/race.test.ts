import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRegistry } from '../server/registry-file.ts'
import { createStore } from '../server/store/index.ts'
import { sampleCapability, tempDir } from './helpers.ts'
import { serve, stop, type ServerProcess } from './processes.ts'

// Two server processes on one database file, so that the approvals really run at the same time.
const dir = tempDir()
const dbPath = join(dir.path, 'registry.db')
const servers: ServerProcess[] = []
const tokens: Record<string, string> = {}

beforeAll(async () => {
  const { db } = openRegistry(dbPath, 'initial')
  const store = createStore(db)
  for (const [name, role] of [['alice', 'submitter'], ['bob', 'submitter'], ['rita', 'reviewer'], ['remy', 'reviewer']] as const) {
    tokens[name] = store.tokens.create(name, role).token
  }
  db.close()
  servers.push(await serve(dbPath), await serve(dbPath))
})
afterAll(async () => {
  await Promise.all(servers.map(stop))
  dir.remove()
})

async function call(server: ServerProcess, path: string, who: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'authorization': `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: await response.json() as { id: number } }
}

describe('two reviewers approving registrations of the same new tag at once', () => {
  it('publishes exactly one, every time', async () => {
    for (let round = 0; round < 8; round++) {
      const tag = `RACE${round}`
      const [first, second] = await Promise.all([
        call(servers[0]!, '/v1/registrations', 'alice', { kind: 'capability', action: 'register', entry: sampleCapability(tag) }),
        call(servers[1]!, '/v1/registrations', 'bob', { kind: 'capability', action: 'register', entry: sampleCapability(tag.toLowerCase()) }),
      ])
      expect([first.status, second.status]).toEqual([201, 201])

      const approvals = await Promise.all([
        call(servers[0]!, `/v1/registrations/${first.body.id}/approve`, 'rita'),
        call(servers[1]!, `/v1/registrations/${second.body.id}/approve`, 'remy'),
      ])
      expect(approvals.map((a) => a.status).sort()).toEqual([200, 409])

      const published = await (await fetch(`${servers[0]!.url}/v1/capabilities/${tag}/history`)).json() as { items: unknown[] }
      expect(published.items).toHaveLength(1)
    }
    const { db } = openRegistry(dbPath, 'initial')
    expect(createStore(db).capabilities.count()).toBe(18)
    db.close()
  })
})

describe('simultaneous submissions of one body to two processes', () => {
  const registrationCount = () => {
    const { db } = openRegistry(dbPath, 'initial')
    const count = db.prepare('SELECT count(*) FROM registrations').pluck().get() as number
    db.close()
    return count
  }

  it('make one registration for one Idempotency-Key, and answer every request with it', async () => {
    for (let round = 0; round < 4; round++) {
      const before = registrationCount()
      const body = { kind: 'capability', action: 'register', entry: sampleCapability(`IDEM${round}`) }
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        call(servers[i % 2]!, '/v1/registrations', 'alice', body, { 'idempotency-key': `"round-${round}"` })))
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201))
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1)
      expect(registrationCount()).toBe(before + 1)
    }
  })

  it('make one registration without a key: one 201, and 200 with it for the others', async () => {
    for (let round = 0; round < 4; round++) {
      const before = registrationCount()
      const body = { kind: 'capability', action: 'register', entry: sampleCapability(`SAME${round}`) }
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call(servers[i % 2]!, '/v1/registrations', 'bob', body)))
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201])
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1)
      expect(registrationCount()).toBe(before + 1)
    }
  })
})

describe('a read kept by one process while the other writes', () => {
  it('is retired by the next read after the write is acknowledged', async () => {
    const [reader, writer] = servers as [ServerProcess, ServerProcess]
    const total = async () => {
      const response = await fetch(`${reader.url}/v1/capabilities?limit=1`)
      expect(response.status).toBe(200)
      return (await response.json() as { total: number }).total
    }
    for (let round = 0; round < 5; round++) {
      // Kept by the reader, and read from its cache while several reads share each turn of its event loop.
      const before = await total()
      expect(await Promise.all(Array.from({ length: 8 }, total))).toEqual(Array(8).fill(before))
      const submitted = await call(writer, '/v1/registrations', 'alice', { kind: 'capability', action: 'register', entry: sampleCapability(`KEPT${round}`) })
      expect(submitted.status).toBe(201)
      expect((await call(writer, `/v1/registrations/${submitted.body.id}/approve`, 'rita')).status).toBe(200)
      expect(await total()).toBe(before + 1)
    }
  })
})

describe('a dry run in one process while the other writes', () => {
  it('sees the write in its next request after the write is acknowledged', async () => {
    const [checker, writer] = servers as [ServerProcess, ServerProcess]
    const validate = async (tag: string) => {
      const response = await fetch(`${checker.url}/v1/registrations/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'capability', action: 'register', entry: sampleCapability(tag) }),
      })
      expect(response.status).toBe(200)
      return (await response.json() as { violations: { rule: string }[] }).violations.map((v) => v.rule)
    }
    for (let round = 0; round < 3; round++) {
      const tag = `DRY${round}`
      // Several at once, so that they share turns of the checker's event loop and its look at the database.
      expect(await Promise.all(Array.from({ length: 8 }, () => validate(tag)))).toEqual(Array(8).fill([]))
      const submitted = await call(writer, '/v1/registrations', 'bob', { kind: 'capability', action: 'register', entry: sampleCapability(tag) })
      expect(submitted.status).toBe(201)
      expect((await call(writer, `/v1/registrations/${submitted.body.id}/approve`, 'remy')).status).toBe(200)
      expect(await validate(tag)).toEqual(['duplicate'])
    }
  })
})
