// npm run bench:nginx: a primary, two followers and nginx with deploy/nginx.conf on loopback ports;
// 10,000 reads through nginx of an unchanged registry, and how many of them reached a server (each
// server's own /metrics, before and after). Then the replication lag: approvals on the primary
// timed until both followers answer them. Writes bench/nginx-results.json.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { servedRequests, startCluster, type Node } from '../test/cluster.ts'
import { sampleCapability, tempDir } from '../test/helpers.ts'
import { runCliProcess } from '../test/processes.ts'

const READS = 10_000
const CONNECTIONS = 10
// What tooling asks of a registry: the lists, a few entries, the downloads.
const PATHS = ['/v1/registry', '/v1/capabilities', '/v1/response-codes', '/v1/capabilities/TOP', '/v1/capabilities/SASL',
  '/v1/capabilities/LOGIN-DELAY', '/v1/response-codes/IN-USE', '/v1/registry.json', '/v1/registry.xml', '/v1/capabilities.csv']

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

async function countsOf(nodes: Node[]) {
  const all: Record<string, number> = {}
  for (const node of nodes) {
    for (const [key, n] of Object.entries(await servedRequests(node))) all[key] = (all[key] ?? 0) + n
  }
  return all
}

const dir = tempDir()
const cluster = await startCluster(dir.path)
try {
  const nodes = [cluster.primary, ...cluster.followers]
  // Prime nginx's cache once, so the run measures the steady state of an unchanged registry.
  for (const path of PATHS) await (await fetch(`${cluster.url}${path}`)).arrayBuffer()
  const before = await countsOf(nodes)
  const started = Date.now()
  let next = 0
  let failed = 0
  const statuses: Record<string, number> = {}
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < READS) {
      const path = PATHS[next++ % PATHS.length]!
      const response = await fetch(`${cluster.url}${path}`)
      await response.arrayBuffer()
      if (response.status !== 200) failed++
      const cache = response.headers.get('x-cache-status') ?? 'none'
      statuses[cache] = (statuses[cache] ?? 0) + 1
    }
  }))
  const seconds = (Date.now() - started) / 1000
  const after = await countsOf(nodes)
  const reached: Record<string, number> = {}
  for (const [key, n] of Object.entries(after)) if (n - (before[key] ?? 0) > 0) reached[key] = n - (before[key] ?? 0)

  // Replication lag: approval answered on the primary -> both followers answer the entry.
  const token = (role: string, name: string) =>
    runCliProcess(['token', 'create', '--role', role, '--name', name], { DB_PATH: cluster.primary.dbPath }).stdout.trim().split('\n').at(-1)!
  const submitter = token('submitter', 'bench-sam')
  const reviewer = token('reviewer', 'bench-rita')
  const lags: number[] = []
  for (let i = 0; i < 11; i++) {
    const tag = `LAG${i}`
    const submitted = await fetch(`${cluster.url}/v1/registrations`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${submitter}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'capability', action: 'register', entry: sampleCapability(tag) }),
    })
    const { id } = await submitted.json() as { id: number }
    await fetch(`${cluster.url}/v1/registrations/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${reviewer}` } })
    const approvedAt = Date.now()
    for (const follower of cluster.followers) {
      while ((await fetch(`${follower.url}/v1/capabilities/${tag}`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    // The first approval pays for what each process compiles on first use.
    if (i > 0) lags.push(Date.now() - approvedAt)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  lags.sort((a, b) => a - b)

  const result = {
    reads: READS,
    connections: CONNECTIONS,
    seconds,
    failedReads: failed,
    cacheStatuses: statuses,
    requestsReachingServers: total(reached),
    byRouteAndStatus: reached,
    replicationLagMs: { median: lags[Math.floor(lags.length / 2)], max: lags.at(-1), samples: lags },
  }
  writeFileSync(join(import.meta.dirname, 'nginx-results.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(`${READS} reads through nginx in ${seconds.toFixed(1)} s (${CONNECTIONS} connections, ${PATHS.length} URLs), ${failed} failed`)
  console.log(`nginx cache: ${Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  console.log(`requests that reached a server: ${total(reached)}`)
  for (const [key, n] of Object.entries(reached)) console.log(`  ${n}\t${key}`)
  console.log(`replication lag (approval answered -> both followers answer it), ${lags.length} approvals: median ${result.replicationLagMs.median} ms, max ${result.replicationLagMs.max} ms`)
} finally {
  await cluster.stop()
  dir.remove()
}
