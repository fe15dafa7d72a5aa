#!/usr/bin/env node
// Runs the compiled command line (dist/, built by `npm run build`, which `npm ci` runs as `prepare`).
// `serve` runs from dist/ bundled with the packages it imports into one module, which loads in
// two thirds of the time their hundreds of files take; the short commands run from the files,
// since each loads only its own few and parsing the whole bundle would double a `--version`. A
// dist/ compiled without its bundle (tsc alone) still serves, from the files.
import { existsSync } from 'node:fs'
import process from 'node:process'
import { URL } from 'node:url'

const bundled = process.argv[2] === 'serve' && existsSync(new URL('../dist/server/main.bundle.js', import.meta.url))
const entry = bundled ? 'dist/server/main.bundle.js' : 'dist/server/main.js'
try {
  await import(`../${entry}`)
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry)) throw error
  process.stderr.write(`pop3-registry: not compiled yet (no ${entry}): run \`npm run build\` in the project folder (\`npm ci\` does it)\n`)
  process.exitCode = 1
}
