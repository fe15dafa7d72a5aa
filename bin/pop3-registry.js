#!/usr/bin/env node
// Runs the compiled command line (dist/, built by `npm run build`, which `npm ci` runs as `prepare`).
import process from 'node:process'

try {
  await import('../dist/server/main.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/server/main.js')) throw error
  process.stderr.write('pop3-registry: not compiled yet (no dist/server/main.js): run `npm run build` in the project folder (`npm ci` does it)\n')
  process.exitCode = 1
}
