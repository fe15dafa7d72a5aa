// npm run bench: our server against a bare fastify ceiling on the seeded registry, the write path
// in-process, and the registry at 100,000 entries a sub-registry. Prints a table and writes
// bench/results.json. Figures are ratios within one run: this machine is shared and noisy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openRegistry } from '../server/registry-file.ts'
import { createStore } from '../server/store/index.ts'
import { createRegistrationWorkflow } from '../server/workflow/registrations.ts'
import { latencies, load, median, rssMb, startServer, stopServer, type Load } from './harness.ts'
import { buildScaleDatabase } from './scale-db.ts'

const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 1 : 3
const SECONDS = quick ? 1 : 2
const CONNECTIONS = 10
const SCALE = Number(process.env.BENCH_SCALE ?? (quick ? 10_000 : 100_000))

const work = mkdtempSync(join(tmpdir(), 'pop3-registry-bench-'))
const OURS = ['bin/pop3-registry.js', 'serve']
// Request logs off in both: the ceiling logs nothing either.
// RATE_LIMIT=0: the load comes from one client, which the limit exists to stop.
const OUR_ENV = { LOG_LEVEL: 'warn', RATE_LIMIT: '0' }

const VALID = JSON.stringify({
  kind: 'capability', action: 'register',
  entry: { tag: 'BENCHCAP', arguments: [], addedCommands: ['BNCH'], affectedCommands: [], announcedStates: ['AUTHORIZATION', 'TRANSACTION'],
    possibleDifferences: false, validStates: ['TRANSACTION'], references: ['RFC2449'], discussion: 'A benchmark capability.' },
})
const FIVE_VIOLATIONS = JSON.stringify({
  kind: 'capability', action: 'register',
  entry: { tag: 'XBENCH', arguments: [], addedCommands: ['TOOLONG'], affectedCommands: 'some', announcedStates: ['AUTHENTICATION'],
    possibleDifferences: false, validStates: [], references: ['RFC2449'], discussion: 'Breaks five rules.', colour: 'red' },
})
const JSON_POST = { 'content-type': 'application/json' }

interface Scenario extends Load { name: string, target: number }

const scenarios: Scenario[] = [
  { name: 'one capability by tag', path: '/v1/capabilities/login-delay', target: 0.85 },
  { name: 'capability list', path: '/v1/capabilities', target: 0.80 },
  { name: 'registry.json', path: '/v1/registry.json', target: 0.80 },
  { name: 'registry.xml', path: '/v1/registry.xml', target: 0.80 },
  { name: 'capabilities.csv', path: '/v1/capabilities.csv', target: 0.80 },
  { name: 'conditional GET answered 304', path: '/v1/capabilities', headers: {}, target: 0.80 },
  { name: 'validate, valid body', method: 'POST', path: '/v1/registrations/validate', headers: JSON_POST, body: VALID, target: 0.60 },
  { name: 'validate, five violations', method: 'POST', path: '/v1/registrations/validate', headers: JSON_POST, body: FIVE_VIOLATIONS, target: 0.60 },
]

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS }

async function againstCeiling() {
  const dbPath = join(work, 'seeded.db')
  openRegistry(dbPath).db.close()
  const ours = await startServer(OURS, { ...OUR_ENV, DB_PATH: dbPath })

  // The ceiling answers each path with the bytes and headers ours sent for it.
  const etag = (await fetch(`${ours.url}/v1/capabilities`)).headers.get('etag')!
  scenarios.find((s) => s.name.startsWith('conditional'))!.headers = { 'if-none-match': etag }
  const fixtures = await Promise.all(scenarios.map(async (scenario) => {
    const response = await fetch(`${ours.url}${scenario.path}`, {
      method: scenario.method ?? 'GET', headers: scenario.headers?.['if-none-match'] ? {} : scenario.headers ?? {}, body: scenario.body ?? null,
    })
    const keep = ['content-type', 'etag', 'last-modified', 'cache-control', 'vary', 'content-disposition']
    const headers = Object.fromEntries(keep.flatMap((name) => (response.headers.get(name) ? [[name, response.headers.get(name)!]] : [])))
    return { method: scenario.method ?? 'GET', url: scenario.path, status: response.status, headers, body: await response.text() }
  }))
  const fixturesFile = join(work, 'fixtures.json')
  writeFileSync(fixturesFile, JSON.stringify(fixtures))
  const bare = await startServer(['dist/bench/bare-server.js', fixturesFile], {}, '/v1/capabilities')

  const rows = []
  for (const scenario of scenarios) {
    await load(ours.url, scenario, { seconds: 1, connections: CONNECTIONS })
    await load(bare.url, scenario, { seconds: 1, connections: CONNECTIONS })
    const runs = { ours: [] as number[], bare: [] as number[], p99: [] as number[] }
    for (let round = 0; round < ROUNDS; round++) {
      const mine = await load(ours.url, scenario, { seconds: SECONDS, connections: CONNECTIONS })
      const ceiling = await load(bare.url, scenario, { seconds: SECONDS, connections: CONNECTIONS })
      if (mine.errors > 0) throw new Error(`${scenario.name}: ${mine.errors} errors`)
      runs.ours.push(mine.requestsPerSecond)
      runs.bare.push(ceiling.requestsPerSecond)
      runs.p99.push(mine.p99Ms)
    }
    const row = {
      scenario: scenario.name,
      ours: Math.round(median(runs.ours)),
      bare: Math.round(median(runs.bare)),
      ratio: Number((median(runs.ours) / median(runs.bare)).toFixed(2)),
      target: scenario.target,
      p99Ms: median(runs.p99),
    }
    rows.push({ ...row, met: row.ratio >= row.target })
    process.stderr.write(`${row.scenario}: ${row.ours}/s vs ${row.bare}/s = ${row.ratio}\n`)
  }
  await Promise.all([stopServer(ours), stopServer(bare)])
  results.ceiling = rows
}

function writes() {
  const { db } = openRegistry(join(work, 'writes.db'))
  const workflow = createRegistrationWorkflow(createStore(db))
  const count = quick ? 500 : 3000
  const entry = (i: number) => JSON.parse(VALID.replace('BENCHCAP', `W${i}`)) as object
  const began = performance.now()
  for (let i = 0; i < count; i++) {
    const submitted = workflow.submit(entry(i), 'bench')
    if (!('registration' in submitted)) throw new Error(JSON.stringify(submitted))
    const approved = workflow.approve(submitted.registration.id, 'bench-reviewer')
    if (!('registration' in approved)) throw new Error(JSON.stringify(approved))
  }
  const perSecond = Math.round(count / ((performance.now() - began) / 1000))
  db.close()
  results.writes = { registrationsSubmittedAndApprovedPerSecond: perSecond, count, target: 2000, met: perSecond >= 2000 }
  process.stderr.write(`writes: ${perSecond} submit+approve a second\n`)
}

async function scale() {
  const dbPath = join(work, 'scale.db')
  const built = buildScaleDatabase(dbPath, SCALE)
  process.stderr.write(`scale: built ${SCALE} + ${SCALE} entries, ${built.changes} changes in ${built.seconds.toFixed(1)} s\n`)
  const server = await startServer(OURS, { ...OUR_ENV, DB_PATH: dbPath })
  const rssAfterStart = rssMb(server.child.pid!)
  const middle = Math.floor(built.changes / 2)
  // Every request names another entry, word or day, so none is answered from the read cache.
  const spread = (i: number) => (i * 7919) % SCALE
  const day = (i: number) => new Date(Date.UTC(2003, 0, 1) + spread(i) * 86_400_000 % (20 * 365 * 86_400_000)).toISOString().slice(0, 10)
  const reads: Record<string, (i: number) => string> = {
    'one capability by tag': (i) => `/v1/capabilities/cap${spread(i)}`,
    'list page with q': (i) => `/v1/capabilities?q=${encodeURIComponent(`CAP${spread(i)}`)}`,
    'asOf list page': (i) => `/v1/capabilities?asOf=${day(i)}&limit=100`,
    'change feed from the middle': (i) => `/v1/changes?since=${middle + i}`,
  }
  const latency: Record<string, unknown> = {}
  for (const [name, pathFor] of Object.entries(reads)) {
    await latencies(server.url, (i) => pathFor(i + 100_000), 20)
    latency[name] = await latencies(server.url, pathFor, quick ? 100 : 300)
    process.stderr.write(`scale: ${name}: ${JSON.stringify(latency[name])}\n`)
  }
  const exports: Record<string, unknown> = {}
  for (const path of ['/v1/registry.json', '/v1/registry.xml', '/v1/registry.txt', '/v1/capabilities.csv', '/v1/response-codes.csv']) {
    const began = performance.now()
    const response = await fetch(`${server.url}${path}`)
    const bytes = (await response.arrayBuffer()).byteLength
    exports[path] = { status: response.status, seconds: Number(((performance.now() - began) / 1000).toFixed(2)), megabytes: Number((bytes / 1e6).toFixed(1)) }
    process.stderr.write(`scale: ${path}: ${JSON.stringify(exports[path])}\n`)
  }
  const rssAfterExport = rssMb(server.child.pid!)
  await stopServer(server)
  results.scale = {
    entriesPerRegistry: SCALE,
    changes: built.changes,
    buildSeconds: Number(built.seconds.toFixed(1)),
    startupMs: Math.round(server.startedInMs),
    rssAfterStartMb: Math.round(rssAfterStart),
    rssAfterExportMb: Math.round(rssAfterExport),
    latency,
    exports,
  }
}

function table() {
  const lines = ['| scenario | ours req/s | bare req/s | ratio | target | our p99 ms | met |', '|---|---|---|---|---|---|---|']
  for (const row of results.ceiling as { scenario: string, ours: number, bare: number, ratio: number, target: number, p99Ms: number, met: boolean }[]) {
    lines.push(`| ${row.scenario} | ${row.ours} | ${row.bare} | ${row.ratio} | ≥ ${row.target} | ${row.p99Ms} | ${row.met ? 'yes' : 'NO'} |`)
  }
  const writesResult = results.writes as { registrationsSubmittedAndApprovedPerSecond: number, met: boolean }
  lines.push('', `Writes, in-process: ${writesResult.registrationsSubmittedAndApprovedPerSecond} registrations submitted and approved a second (target ≥ 2,000: ${writesResult.met ? 'met' : 'NOT met'}).`)
  const s = results.scale as { entriesPerRegistry: number, startupMs: number, rssAfterStartMb: number, rssAfterExportMb: number, latency: Record<string, { p50Ms: number, p99Ms: number }>, exports: Record<string, { seconds: number, megabytes: number }> }
  lines.push('', `Scale, ${s.entriesPerRegistry.toLocaleString('en')} capabilities and as many response codes, three revisions each:`, '',
    '| measure | value | target |', '|---|---|---|',
    `| start-up to first answer | ${s.startupMs} ms | < 1000 ms |`,
    `| RSS after start | ${s.rssAfterStartMb} MB | |`,
    `| RSS after every export | ${s.rssAfterExportMb} MB | < 250 MB |`)
  for (const [name, figures] of Object.entries(s.latency)) {
    const limit = name.includes('q') || name.includes('asOf') ? 20 : 5
    lines.push(`| ${name}: p50 / p99 | ${figures.p50Ms.toFixed(2)} / ${figures.p99Ms.toFixed(2)} ms | p99 < ${limit} ms |`)
  }
  for (const [path, figures] of Object.entries(s.exports)) lines.push(`| ${path} | ${figures.seconds} s, ${figures.megabytes} MB | |`)
  return lines.join('\n')
}

const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)
try {
  if (!only || only === 'ceiling') await againstCeiling()
  if (!only || only === 'writes') writes()
  if (!only || only === 'scale') await scale()
  if (only) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
    process.exit(0)
  }
  const report = table()
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify({ ...results, table: report }, null, 2)}\n`)
  process.stdout.write(`${report}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
