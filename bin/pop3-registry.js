#!/usr/bin/env node
// Runs the compiled command line (dist/, built by `npm run build`, which `npm ci` runs as `prepare`).
// `serve` runs from dist/ bundled with the packages it imports into one file, which loads in two
// thirds of the time their hundreds of files take, and is compiled with the code V8 kept for it at
// build time (dist/server/bundle/load-bundle.js); the short commands run from the files, since
// each loads only its own few and compiling the whole bundle would double a `--version`. A dist/
// compiled without its bundle (tsc alone) still serves, from the files, and so does one compiled
// again by tsc alone after its bundle was made: that bundle holds the code before the compile.
import { statSync } from 'node:fs'
import process from 'node:process'
import { URL } from 'node:url'

const modifiedAt = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs
const bundledAt = modifiedAt('../dist/server/main.bundle.cjs')
const bundled = process.argv[2] === 'serve' && bundledAt !== undefined && bundledAt >= (modifiedAt('../dist/.tsbuildinfo') ?? 0)
const entry = bundled ? 'dist/server/bundle/load-bundle.js' : 'dist/server/main.js'
let loaded
try {
  loaded = await import(`../${entry}`)
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry)) throw error
  process.stderr.write(`pop3-registry: not compiled yet (no ${entry}): run \`npm run build\` in the project folder (\`npm ci\` does it)\n`)
  process.exitCode = 1
}
if (bundled && loaded) {
  const bundle = loaded.loadBundle()
  // Without its code cache a start-up spends about half as much CPU again, and nothing else would say why.
  if (bundle.cache === 'rejected') process.stderr.write('pop3-registry: starting without the code cache made at build time: V8 refused it, as it does when node is given V8 flags (such as --max-old-space-size in NODE_OPTIONS)\n')
  if (bundle.cache === 'none') process.stderr.write('pop3-registry: starting without a code cache: none was made for this build of the bundle (`npm run build` makes one)\n')
  await bundle.exports.main()
}
