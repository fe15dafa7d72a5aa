// `npm run bundle` (the last step of `npm run build`) runs this, compiled: it bundles the compiled
// command line (dist/server/cli.js) with the packages it imports into one CommonJS file, which
// `serve` runs (load-bundle.ts), then has make-code-cache.ts start it once and keep V8's code.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { projectFile } from '../project-files.ts'
import { BUNDLE, CODE_CACHE } from './load-bundle.ts'

// A cache is never left beside a bundle it was not made for (load-bundle.ts checks that too), nor
// the ES module bundle an older build made.
for (const stale of [CODE_CACHE, fileURLToPath(projectFile('dist/server/main.bundle.js'))]) rmSync(stale, { force: true })

await build({
  entryPoints: [fileURLToPath(projectFile('dist/server/cli.js'))],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // better-sqlite3 is native; the documentation's plugins are loaded on the first /docs request.
  external: ['better-sqlite3', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/static'],
  // Their import() becomes a require() (they are CommonJS): V8 drops a script's dynamic import
  // callback when it comes from a code cache, and the import() would fail.
  supported: { 'dynamic-import': false },
  // The modules find the project's files from their own URL: the bundle answers as
  // dist/server/main.js would (beside the files it was made from, and ending in .js).
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'var importMetaUrl = require("node:url").pathToFileURL(require("node:path").join(__dirname, "main.js")).href;' },
})

const made = spawnSync(process.execPath, [fileURLToPath(new URL('make-code-cache.js', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] })
// Without its cache the bundle still runs, only slower to start: a build is not refused for that.
if (made.status !== 0) process.stderr.write(`build-bundle: no code cache was made (exit ${made.status ?? made.signal}); serve starts without it\n`)
