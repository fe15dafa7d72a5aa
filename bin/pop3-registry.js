#!/usr/bin/env node
// Runs the compiled command line: dist/ bundled into one module (built by `npm run build`, which
// `npm ci` runs as `prepare`), which loads far faster than the hundreds of files it is made of.
import process from 'node:process'

try {
  await import('../dist/server/main.bundle.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/server/main.bundle.js')) throw error
  process.stderr.write('pop3-registry: not compiled yet (no dist/server/main.bundle.js): run `npm run build` in the project folder (`npm ci` does it)\n')
  process.exitCode = 1
}
