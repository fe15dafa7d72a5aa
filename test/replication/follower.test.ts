import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../server/app.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { createFollower, type Follower } from '../../server/replication/follower.ts'
import { openDatabase, type Database } from '../../server/store/database.ts'
import { createStore } from '../../server/store/index.ts'
import { approveRegistration, bearer, sampleCapability, tempDir } from '../helpers.ts'

const quiet = { info() {}, warn() {}, error() {} }

interface Node { app: App, db: Database, url: string, follower?: Follower }

let dir: ReturnType<typeof tempDir>
let nodes: Node[]
beforeEach(() => { dir = tempDir(); nodes = [] })
afterEach(async () => {
  for (const node of nodes.reverse()) await stopNode(node)
  dir.remove()
})

async function stopNode(node: Node) {
  nodes = nodes.filter((other) => other !== node)
  await node.follower?.stop()
  await node.app.close()
  node.db.close()
}

async function startPrimary(port = 0): Promise<Node> {
  const { db } = openRegistry(join(dir.path, 'primary.db'))
  const app = await buildApp({ db })
  const node = { app, db, url: await app.listen({ host: '127.0.0.1', port }) }
  nodes.push(node)
  return node
}

async function startFollower(primary: string, name: string, maxLagSeconds = 30): Promise<Node & { follower: Follower }> {
  const db = openDatabase(join(dir.path, `${name}.db`))
  const follower = createFollower({ primary, store: createStore(db), maxLagSeconds, log: quiet, retryMs: 100 })
  const app = await buildApp({ db, follower })
  const node = { app, db, url: await app.listen({ host: '127.0.0.1', port: 0 }), follower }
  nodes.push(node)
  follower.start()
  return node
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const isReady = (node: Node) => until('ready', async () => (await node.app.inject('/readyz')).statusCode === 200)

const approve = (primary: Node, entry: object, action = 'register') =>
  approveRegistration({ app: primary.app, store: createStore(primary.db) }, { kind: 'capability', action, entry })

const READS = ['/v1/registry', '/v1/capabilities', '/v1/capabilities/TOP', '/v1/capabilities/TOP/history', '/v1/response-codes',
  '/v1/capabilities?asOf=2001-01-01', '/v1/changes?since=0', '/v1/registry.json', '/v1/registry.xml', '/v1/registry.txt',
  '/v1/capabilities.csv', '/v1/response-codes.csv', '/v1/rfcs']

async function expectSameReads(primary: Node, follower: Node, urls = READS) {
  for (const url of urls) {
    const [a, b] = await Promise.all([primary.app.inject(url), follower.app.inject(url)])
    expect(b.statusCode, url).toBe(a.statusCode)
    expect(b.body, url).toBe(a.body)
    expect(b.headers.etag, url).toBe(a.headers.etag)
    expect(b.headers['last-modified'], url).toBe(a.headers['last-modified'])
  }
}

/** Loads RFC statuses into the primary's file through a connection of its own, as `pop3-registry rfc-index load` does. */
function loadRfcs(status: 'PROPOSED STANDARD' | 'INTERNET STANDARD' | 'HISTORIC'): number {
  const db = openDatabase(join(dir.path, 'primary.db'))
  try {
    return createStore(db).rfcs.load([{ number: 2449, title: 'POP3 Extension Mechanism', status, obsoletedBy: null }])
  } finally {
    db.close()
  }
}

const statusOf2449 = async (node: Node) => ((await node.app.inject('/v1/rfcs')).json() as { items: { number: number, status: string }[] })
  .items.find((rfc) => rfc.number === 2449)?.status

describe('a follower', () => {
  it('copies the primary, history included, and answers every read with its bytes and ETags', async () => {
    const primary = await startPrimary()
    await approve(primary, sampleCapability('EARLY'))
    const follower = await startFollower(primary.url, 'f1')
    await isReady(follower)
    await expectSameReads(primary, follower, [...READS, '/v1/capabilities/EARLY/history'])
  })

  it('copies the primary\'s RFC statuses, and copies them again when a load changes them, with the primary\'s bytes and dates', async () => {
    const primary = await startPrimary()
    // Loaded before the follower starts: its copy must carry this load's date, not that of its bootstrap.
    expect(loadRfcs('INTERNET STANDARD')).toBe(1)
    const follower = await startFollower(primary.url, 'f1', 2)
    await isReady(follower)
    await expectSameReads(primary, follower, ['/v1/registry.json', '/v1/rfcs'])
    const before = await follower.app.inject('/v1/registry.json')
    expect(before.json().rfcs).toContainEqual(expect.objectContaining({ number: 2449, status: 'INTERNET STANDARD' }))

    expect(loadRfcs('HISTORIC')).toBe(1)
    await until('the follower knows the new status', async () => await statusOf2449(follower) === 'HISTORIC')
    await expectSameReads(primary, follower, [...READS, '/v1/rfcs'])
    const after = await follower.app.inject('/v1/registry.json')
    expect(after.json().rfcs).toContainEqual(expect.objectContaining({ number: 2449, status: 'HISTORIC' }))
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect((await follower.app.inject({ url: '/v1/registry.json', headers: { 'if-none-match': before.headers.etag as string } })).statusCode).toBe(200)
  })

  it('applies an approval promptly through the long poll, updates included', async () => {
    const primary = await startPrimary()
    const follower = await startFollower(primary.url, 'f1')
    await isReady(follower)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const started = Date.now()
    await approve(primary, sampleCapability('PROMPT'))
    await until('the follower holds PROMPT', async () => (await follower.app.inject('/v1/capabilities/PROMPT')).statusCode === 200)
    expect(Date.now() - started).toBeLessThan(3000)
    await approve(primary, sampleCapability('PROMPT', { discussion: 'Revised.' }), 'update')
    await until('the follower holds the update', async () => (await follower.app.inject('/v1/capabilities/PROMPT')).json().discussion === 'Revised.')
    await expectSameReads(primary, follower, [...READS, '/v1/capabilities/PROMPT', '/v1/capabilities/PROMPT/history'])
    const ready = (await follower.app.inject('/readyz')).json()
    expect(ready).toMatchObject({ status: 'ok', latest: createStore(primary.db).changes.latest().seq, follower: { primary: primary.url, lagChanges: 0, lagSeconds: 0 } })
    const metrics = (await follower.app.inject('/metrics')).body
    expect(metrics).toMatch(/^pop3_registry_follower_lag_changes 0$/m)
    expect(metrics).toMatch(/^pop3_registry_follower_lag_seconds 0$/m)
  })

  it('carries a deprecation with its reason and replacement, as every other change', async () => {
    const primary = await startPrimary()
    const follower = await startFollower(primary.url, 'f1')
    await isReady(follower)
    const store = createStore(primary.db)
    const top = store.capabilities.get('TOP') as { status: string } & Record<string, unknown>
    const { status: _status, registeredAt: _r, updatedAt: _u, links: _l, ...entry } = top
    store.capabilities.publish(entry as never, { at: new Date().toISOString(), action: 'deprecate', note: 'Superseded for the test.', replacedBy: 'UIDL' })
    await until('the follower holds the deprecation', async () => (await follower.app.inject('/v1/capabilities/TOP')).json().status === 'deprecated')
    await expectSameReads(primary, follower)
    const history = (await follower.app.inject('/v1/capabilities/TOP/history')).json().items as { action: string }[]
    expect(history.at(-1)).toMatchObject({ action: 'deprecate' })
  })

  it('answers every write, and registrations, with 307 to the same path on the primary', async () => {
    const primary = await startPrimary()
    const follower = await startFollower(primary.url, 'f1')
    await isReady(follower)
    const asked = [['POST', '/v1/registrations'], ['POST', '/v1/registrations/3/approve?x=1'], ['POST', '/v1/registrations/validate'],
      ['GET', '/v1/registrations?status=pending'], ['GET', '/v1/registrations/7'], ['DELETE', '/v1/capabilities/TOP'], ['PUT', '/nowhere']] as const
    for (const [method, url] of asked) {
      const response = await follower.app.inject({ method, url, ...(method === 'GET' ? {} : { payload: {} }) })
      expect(response.statusCode, `${method} ${url}`).toBe(307)
      expect(response.headers.location, `${method} ${url}`).toBe(`${primary.url}${url}`)
    }
    // Repeating the request at the Location submits on the primary. (fetch and curl drop the
    // Authorization header on a redirect to another origin, so the test repeats it itself.)
    const request = {
      method: 'POST',
      headers: { ...bearer(createStore(primary.db), 'submitter', 'sam'), 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'capability', action: 'register', entry: sampleCapability('VIAFOLLOWER') }),
      redirect: 'manual',
    } as const
    const answered = await fetch(`${follower.url}/v1/registrations`, request)
    expect(answered.status).toBe(307)
    const redirected = await fetch(answered.headers.get('location')!, request)
    expect(redirected.status).toBe(201)
    expect(createStore(primary.db).registrations.pendingCount()).toBe(1)
  })

  it('keeps serving without its primary, turns not ready after the lag, and catches up when it returns', async () => {
    const primary = await startPrimary()
    const follower = await startFollower(primary.url, 'f1', 1)
    await isReady(follower)
    const before = await follower.app.inject('/v1/capabilities')
    const port = Number(new URL(primary.url).port)
    await stopNode(primary)
    const notReady = await until('not ready', async () => {
      const response = await follower.app.inject('/readyz')
      return response.statusCode === 503 ? response.json() as { detail: string } : undefined
    })
    expect(notReady.detail).toMatch(/behind .* more than FOLLOW_MAX_LAG=1/)
    const during = await follower.app.inject('/v1/capabilities')
    expect(during.statusCode).toBe(200)
    expect(during.body).toBe(before.body)
    expect((await follower.app.inject('/metrics')).body).toMatch(/^pop3_registry_follower_lag_seconds [1-9]/m)

    // The primary comes back on its port with a change made while it was away.
    const { db } = openRegistry(join(dir.path, 'primary.db'))
    createStore(db).capabilities.publish(sampleCapability('WHILEAWAY') as never, { at: new Date().toISOString(), action: 'register' })
    db.close()
    const back = await startPrimary(port)
    await isReady(follower)
    await expectSameReads(back, follower, [...READS, '/v1/capabilities/WHILEAWAY'])
  })

  it('restarted on its old file, asks only for the changes after its last one', async () => {
    const primary = await startPrimary()
    const first = await startFollower(primary.url, 'f1')
    await isReady(first)
    await stopNode(first)
    await approve(primary, sampleCapability('LATER'))
    const again = await startFollower(primary.url, 'f1')
    await until('caught up', async () => (await again.app.inject('/v1/capabilities/LATER')).statusCode === 200)
    // One export, for the first start; the restart read the feed alone.
    const primaryMetrics = (await primary.app.inject('/metrics')).body
    expect(primaryMetrics).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/v1\/registry.json",status_code="200"\} 1$/m)
    await expectSameReads(primary, again)
  })

  it('answers 503 to reads until it holds a copy, but answers /livez', async () => {
    const db = openDatabase(join(dir.path, 'orphan.db'))
    const follower = createFollower({ primary: 'http://127.0.0.1:9', store: createStore(db), maxLagSeconds: 1, log: quiet, retryMs: 100 })
    const app = await buildApp({ db, follower })
    nodes.push({ app, db, url: '', follower })
    follower.start()
    expect((await app.inject('/livez')).statusCode).toBe(200)
    expect((await app.inject('/v1/capabilities')).statusCode).toBe(503)
    const ready = await app.inject('/readyz')
    expect(ready.statusCode).toBe(503)
    expect(ready.json().detail).toMatch(/no registry|has not copied/)
  })
})
