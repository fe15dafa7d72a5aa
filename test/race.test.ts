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

async function call(server: ServerProcess, path: string, who: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'authorization': `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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
