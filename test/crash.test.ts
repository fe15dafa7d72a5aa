import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openRegistry } from '../server/registry-file.ts'
import { createStore } from '../server/store/index.ts'
import { sampleCapability, tempDir } from './helpers.ts'
import { serve, stop, type ServerProcess } from './processes.ts'

// A real server process under concurrent submit+approve load, killed with SIGKILL at random moments
// and restarted each time: nothing it acknowledged may be lost, and the database must stay whole.
// Each kill lands with four writers' requests in flight, at a random moment; three of them have
// always sufficed to show a lost write when there was one.
const KILLS = 3
const WORKERS = 4
const dir = tempDir()
const dbPath = join(dir.path, 'registry.db')
afterAll(() => dir.remove())

let seed = 9
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)

const tokens: Record<string, string> = {}
{
  const { db } = openRegistry(dbPath)
  const store = createStore(db)
  for (const [name, role] of [['sam', 'submitter'], ['sue', 'submitter'], ['rita', 'reviewer'], ['remy', 'reviewer']] as const) {
    tokens[name] = store.tokens.create(name, role).token
  }
  db.close()
}

async function post(url: string, who: string, body?: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'authorization': `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: await response.json() as { id: number, status: string, changeSeq?: number } }
}

/** Submits and approves new tags until the server stops answering; returns the approvals it acknowledged. */
async function load(server: ServerProcess, killed: { now: boolean }, worker: number, round: number, acknowledged: Map<string, number>) {
  for (let n = 0; ; n++) {
    const tag = `CRASH-${round}-${worker}-${n}`
    try {
      const submitted = await post(`${server.url}/v1/registrations`, worker % 2 ? 'sam' : 'sue', { kind: 'capability', action: 'register', entry: sampleCapability(tag) })
      if (submitted.status !== 201) throw new Error(`submit answered ${submitted.status}`)
      const approved = await post(`${server.url}/v1/registrations/${submitted.body.id}/approve`, worker % 2 ? 'rita' : 'remy')
      if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`)
      acknowledged.set(tag, approved.body.changeSeq!)
    } catch (error) {
      // The kill: the connection is refused or reset. Anything else is a failure of the test.
      if (!killed.now) throw error
      return
    }
  }
}

describe('kill -9 under write load', () => {
  it(`loses no acknowledged approval over ${KILLS} kills, and leaves the database whole`, async () => {
    const acknowledged = new Map<string, number>()
    const killedPids: number[] = []
    for (let round = 0; round < KILLS; round++) {
      const server = await serve(dbPath)
      const exited = new Promise((resolve) => server.process.once('exit', resolve))
      const killed = { now: false }
      const workers = Array.from({ length: WORKERS }, (_, worker) => load(server, killed, worker, round, acknowledged))
      // A random moment once the load runs (its first approval acknowledged): 0.2 to 1.2 s later,
      // whatever is in flight then.
      const before = acknowledged.size
      for (let waited = 0; acknowledged.size === before && waited < 15_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
      await new Promise((resolve) => setTimeout(resolve, 200 + random() * 1_000))
      killedPids.push(server.process.pid!)
      killed.now = true
      server.process.kill('SIGKILL')
      await exited
      await Promise.all(workers)
    }
    expect(acknowledged.size).toBeGreaterThan(KILLS)

    // Restarted once more: every acknowledged approval is served, and the killed servers' temp folders are gone.
    const server = await serve(dbPath)
    try {
      for (const tag of acknowledged.keys()) {
        const response = await fetch(`${server.url}/v1/capabilities/${tag}`)
        expect(response.status, tag).toBe(200)
      }
      const left = readdirSync(tmpdir()).filter((name) => killedPids.some((pid) => name.startsWith(`pop3-registry-publications-${pid}-`)))
      expect(left).toEqual([])
    } finally {
      await stop(server)
    }

    const db = new BetterSqlite3(dbPath, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])
      // The change feed has no gaps: 1, 2, 3, … to the latest.
      const feed = db.prepare('SELECT count(*) AS n, min(seq) AS first, max(seq) AS last FROM changes').get() as { n: number, first: number, last: number }
      expect(feed.first).toBe(1)
      expect(feed.n).toBe(feed.last)
      const published = db.prepare("SELECT c.seq FROM entries e JOIN changes c ON c.seq = e.registered_seq WHERE e.registry = 'capabilities' AND e.key = ?").pluck()
      const decided = db.prepare("SELECT r.status FROM registrations r WHERE r.change_seq = ?").pluck()
      for (const [tag, seq] of acknowledged) {
        expect(published.get(tag), tag).toBe(seq)
        expect(decided.get(seq), tag).toBe('approved')
      }
      // Nothing half-done either: every approved registration's entry is published.
      const orphans = db.prepare("SELECT count(*) FROM registrations r WHERE r.status = 'approved' AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.seq = r.change_seq)").pluck().get()
      expect(orphans).toBe(0)
    } finally {
      db.close()
    }
    console.log(`crash test: ${KILLS} kills, ${acknowledged.size} acknowledged approvals, none lost`)
  }, 180_000)
})
