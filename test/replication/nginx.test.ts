import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalProgram } from '../external.ts'
import { isReady, NGINX, servedRequests, startCluster, startNode, stopNode, until, type Cluster, type Node } from '../cluster.ts'
import { sampleCapability, tempDir } from '../helpers.ts'
import { cli } from '../processes.ts'

const nginx = externalProgram('nginx', NGINX, ['-v'], 'apt-get install nginx')

const MAX_LAG = 2

describe.skipIf(nginx.skip)('a primary, two followers and nginx (deploy/nginx.conf)', () => {
  let dir: ReturnType<typeof tempDir>
  let cluster: Cluster
  let tokens: { submitter: string, reviewer: string }

  beforeAll(async () => {
    dir = tempDir()
    cluster = await startCluster(dir.path, { followerCount: 2, maxLag: MAX_LAG })
    // In this process: the CLI tests show the command's own process; here a token is all it is for.
    const token = async (role: string, name: string) => {
      const made = await cli(['token', 'create', '--role', role, '--name', name], { DB_PATH: cluster.primary.dbPath })
      expect(made.status, made.stderr).toBe(0)
      return made.stdout.trim().split('\n').at(-1)!
    }
    tokens = { submitter: await token('submitter', 'sam'), reviewer: await token('reviewer', 'rita') }
  }, 90_000)

  afterAll(async () => {
    await cluster?.stop()
    dir?.remove()
  }, 30_000)

  const through = (path: string, init: RequestInit = {}) => fetch(`${cluster.url}${path}`, init)

  async function approveThroughNginx(tag: string): Promise<number> {
    const submitted = await through('/v1/registrations', {
      method: 'POST',
      headers: { 'authorization': `Bearer ${tokens.submitter}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'capability', action: 'register', entry: sampleCapability(tag) }),
    })
    expect(submitted.status, await submitted.clone().text()).toBe(201)
    const { id } = await submitted.json() as { id: number }
    const approved = await through(`/v1/registrations/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${tokens.reviewer}` } })
    expect(approved.status, await approved.clone().text()).toBe(200)
    return Date.now()
  }

  const holds = async (node: Node, tag: string) => (await fetch(`${node.url}/v1/capabilities/${tag}`)).status === 200

  it('publishes an approval made through nginx on both followers within 3 s', async () => {
    // The first approval each process sees pays for compiling what it runs the first time; the second shows the steady state.
    for (const tag of ['THROUGHNGINX', 'SECONDTHROUGH']) {
      const approvedAt = await approveThroughNginx(tag)
      const lags = await Promise.all(cluster.followers.map(async (follower) => {
        await until(`${follower.name} holds ${tag}`, () => holds(follower, tag), 3000, 10)
        return Date.now() - approvedAt
      }))
      console.log(`replication lag, approval ${tag} through nginx to each follower: ${lags.map((ms) => `${ms} ms`).join(', ')} (polled every 10 ms)`)
      for (const lag of lags) expect(lag).toBeLessThan(3000)
    }
    // Both followers answer with the primary's bytes, so with one ETag.
    const etags = await Promise.all([cluster.primary, ...cluster.followers].map(async (node) => (await fetch(`${node.url}/v1/capabilities/THROUGHNGINX`)).headers.get('etag')))
    expect(new Set(etags).size).toBe(1)
  })

  it('loses no read through nginx while a follower is killed, and the restarted follower catches up', async () => {
    const [victim] = cluster.followers as [Node, Node]
    const paths = Array.from({ length: 40 }, (_, i) => `/v1/capabilities?limit=${i + 1}`)
    const failures: string[] = []
    let reads = 0
    let reading = true
    const reader = (async () => {
      for (let i = 0; reading; i++) {
        const path = paths[i % paths.length]!
        try {
          const response = await through(path)
          if (response.status !== 200) failures.push(`${path}: ${response.status}`)
          await response.arrayBuffer()
        } catch (error) {
          failures.push(`${path}: ${(error as Error).message}`)
        }
        reads++
      }
    })()
    await until('the reader is reading', async () => reads >= 5)
    expect(await stopNode(victim, 'SIGKILL')).toBeNull()
    // At least 2 s and 20 reads after the kill, however busy the machine: nginx has to notice.
    const atKill = reads
    const killedAt = Date.now()
    await until('20 reads after the kill', async () => reads - atKill >= 20 && Date.now() - killedAt >= 2000, 20_000)
    reading = false
    await reader
    expect(failures).toEqual([])

    // A change while it is down; restarted on its file, it catches up from where it was.
    await approveThroughNginx('WHILEDOWN')
    await startNode(victim)
    await until(`${victim.name} caught up`, () => holds(victim, 'WHILEDOWN'), 10_000)
    await until(`${victim.name} is ready`, () => isReady(victim), 10_000)
    expect(victim.logs).not.toMatch(/copied the registry/)
  })

  it('keeps the followers serving without the primary, not ready after the lag, ready again when it returns', async () => {
    const before = await Promise.all(cluster.followers.map(async (f) => (await fetch(`${f.url}/v1/capabilities`)).text()))
    // Graceful: the followers' open long polls are ended, not waited for.
    const stopping = Date.now()
    expect(await stopNode(cluster.primary, 'SIGTERM')).toBe(0)
    expect(Date.now() - stopping).toBeLessThan(5000)
    const stoppedAt = Date.now()
    for (const follower of cluster.followers) {
      const during = await fetch(`${follower.url}/v1/capabilities`)
      expect(during.status).toBe(200)
      expect(await during.text()).toBe(before[cluster.followers.indexOf(follower)])
    }
    await Promise.all(cluster.followers.map((follower) =>
      until(`${follower.name} is not ready`, async () => (await fetch(`${follower.url}/readyz`)).status === 503, (MAX_LAG + 8) * 1000)))
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(MAX_LAG * 1000 - 1000)
    // Reads through nginx go on (writes cannot: their server is down).
    expect((await through('/v1/capabilities/TOP')).status).toBe(200)
    expect((await through('/v1/registry.json')).status).toBe(200)

    await startNode(cluster.primary)
    await Promise.all(cluster.followers.map((follower) => until(`${follower.name} is ready again`, () => isReady(follower), 10_000)))
    await approveThroughNginx('AFTERRETURN')
    await Promise.all(cluster.followers.map((follower) => until(`${follower.name} holds AFTERRETURN`, () => holds(follower, 'AFTERRETURN'), 3000, 10)))
  })

  it('serves repeated reads from its cache, revalidating by ETag', async () => {
    const first = await through('/v1/capabilities/TOP')
    const second = await through('/v1/capabilities/TOP')
    expect(first.headers.get('etag')).toBe(second.headers.get('etag'))
    expect(second.headers.get('x-cache-status')).toMatch(/HIT|REVALIDATED|UPDATING|STALE/)
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const later = await through('/v1/capabilities/TOP')
    expect(later.status).toBe(200)
    expect(later.headers.get('x-cache-status')).toMatch(/REVALIDATED|UPDATING|STALE|HIT/)
    expect((await through('/metrics')).status).toBe(403)
  })

  it('sends a signed-in person\'s reads to the primary, past the cache', async () => {
    const served = async () => (await servedRequests(cluster.primary))['GET /v1/capabilities/:tag 200'] ?? 0
    const before = await served()
    const response = await through('/v1/capabilities/TOP', { headers: { cookie: 'session=someone' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-cache-status')).toBe('BYPASS')
    expect(await served()).toBe(before + 1)
  })
})
