// The worst POST /v1/check/capa times at the 100k scale (issue 9): hostile CAPA bodies against a
// registry of 100,000 capabilities, each timed alone, and /healthz timed while the worst one runs.
// Usage: node --import tsx bench/capa-worst.ts [path-to-scale.db]  (built when missing)
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../server/app.ts'
import { openRegistry } from '../server/registry-file.ts'
import { buildScaleDatabase } from './scale-db.ts'

const SCALE = 100_000
const path = process.argv[2] ?? join(tmpdir(), 'pop3-registry-capa-worst.db')
if (!existsSync(path)) {
  const built = buildScaleDatabase(path, SCALE)
  process.stderr.write(`built ${SCALE} capabilities in ${built.seconds.toFixed(1)} s\n`)
}

let seed = 9
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const randomTag = (length: number) => Array.from({ length }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-'[Math.floor(random() * 37)]).join('')
const capa = (lines: string[]) => ['+OK', ...lines, '.', ''].join('\r\n')

const bodies: Record<string, { before: string }> = {
  '300 random tags (2.7 KB)': { before: capa(Array.from({ length: 300 }, () => randomTag(8))) },
  '300 near-registered tags': { before: capa(Array.from({ length: 300 }, (_, i) => `CAP${i * 331}Z`)) },
  '64 KiB of short tags': { before: capa(Array.from({ length: 7000 }, () => randomTag(5))) },
  '64 KiB of 16-character tags': { before: capa(Array.from({ length: 3000 }, () => randomTag(16))) },
  '64 KiB of long tags': { before: capa(Array.from({ length: 120 }, () => randomTag(500))) },
}

const { db } = openRegistry(path)
const app = await buildApp({ db })
// A first small request, so that compiling the route is not counted against the hostile ones.
await app.inject({ method: 'POST', url: '/v1/check/capa', payload: { before: capa(['TOP']) } })
const results: Record<string, { ms: number, times: number[], cpuMs: number[], status: number, requestBytes: number, answerBytes: number }> = {}
// Each body three times: the first pays for reading cold pages of the database from disk.
for (const [name, body] of Object.entries(bodies)) {
  const times: number[] = []
  const cpu: number[] = []
  let response
  for (let round = 0; round < 3; round++) {
    const began = performance.now()
    const cpuBefore = process.cpuUsage()
    response = await app.inject({ method: 'POST', url: '/v1/check/capa', payload: body })
    const used = process.cpuUsage(cpuBefore)
    times.push(Math.round(performance.now() - began))
    // CPU time is what the request costs on a machine no one else is using: wall time here
    // includes waiting for a core.
    cpu.push(Math.round((used.user + used.system) / 1000))
  }
  results[name] = { ms: Math.max(...times), times, cpuMs: cpu, status: response!.statusCode, requestBytes: JSON.stringify(body).length, answerBytes: response!.rawPayload.length }
  process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`)
}
const worst = Math.max(...Object.values(results).map((r) => r.ms))
process.stdout.write(`${JSON.stringify({ scale: SCALE, worstMs: worst, results }, null, 2)}\n`)
await app.close()
db.close()
