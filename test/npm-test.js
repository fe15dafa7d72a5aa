// npm test: vitest, with the checks (test/checks.js) running beside it at the lowest priority and
// their report printed after vitest's. Much of the suite waits on processes, timers and long polls,
// leaving a core idle; the checks use that time instead of running first on their own, and the
// priority keeps them from slowing the tests that measure time. Exits 1 if either fails.
// Arguments are vitest's (`npm test -- test/cli.test.ts`).
import { spawn } from 'node:child_process'
import { setPriority } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'

const ROOT = join(import.meta.dirname, '..')

const exited = (child) => new Promise((resolve) => child.on('close', (code) => resolve(code)))

const checks = spawn(process.execPath, [join(ROOT, 'test/checks.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
setPriority(checks.pid, 19)
let report = ''
checks.stdout.on('data', (chunk) => { report += chunk })
checks.stderr.on('data', (chunk) => { report += chunk })

const vitest = spawn(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' })
const [checked, tested] = await Promise.all([exited(checks), exited(vitest)])
process.stdout.write(`\nChecks (tsc, ESLint, knip): ${checked === 0 ? 'clean' : 'FAILED'}\n${report}`)
process.exitCode = checked === 0 && tested === 0 ? 0 : 1
