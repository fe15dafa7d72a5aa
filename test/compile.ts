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
const BUNDLE = join(ROOT, 'dist/server/main.bundle.cjs')
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
  // Type errors are the type check's business (npm test runs tsc beside); tsc emits regardless, but
  // then exits 1, and npm run build stops before the bundle: that is reported.
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' })
  } catch {
    process.stderr.write('test/compile.ts: npm run build failed compiling dist/ (see above); the process tests run what it left\n')
    return
  }
  // Dated as the bundle, which the build made last: a later stamp would tell bin/ that tsc compiled
  // again after the bundle, and `serve` would run dist/'s files rather than the bundle.
  const compiled = statSync(BUNDLE, { throwIfNoEntry: false })?.mtime ?? new Date()
  utimesSync(STAMP, compiled, compiled)
}
