// Vitest's global setup: the tests that start real processes run bin/pop3-registry.js, which runs
// the compiled dist/. Compile it first whenever a source is newer than the last compilation, so a
// test never runs yesterday's code.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = new URL('..', import.meta.url).pathname
// Written by every `npm run build` (tsconfig.build.json is incremental), so the compilation `npm ci`
// just made counts; tsc leaves it alone when nothing changed, so a compilation here touches it.
const STAMP = join(ROOT, 'dist/.tsbuildinfo')
const INPUTS = ['server', 'schema', 'bench/bare-server.ts', 'tsconfig.json', 'tsconfig.build.json']

function newestChange(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))))
}

function compiledAt(): number {
  try {
    return statSync(STAMP).mtimeMs
  } catch {
    return 0
  }
}

export default function compileIfStale() {
  const newest = Math.max(...INPUTS.map((input) => newestChange(join(ROOT, input))))
  if (newest < compiledAt()) return
  // Type errors are the type check's business (npm test runs tsc first); tsc emits regardless.
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' })
    // The rest of npm run build: the response serializers the compiled server loads.
    execFileSync(process.execPath, [join(ROOT, 'dist/server/http/precompile-serializers.js')], { cwd: ROOT, stdio: 'inherit' })
  } catch {
    process.stderr.write('test/compile.ts: tsc reported errors compiling dist/ (see above); the process tests run what it emitted\n')
    return
  }
  const now = new Date()
  utimesSync(STAMP, now, now)
}
