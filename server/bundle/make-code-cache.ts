// build-bundle.ts runs this, compiled, in a process of its own (its stdout, the server's log, is
// dropped): it starts the bundle's `serve` on a seeded registry in a temporary folder, asks it what
// a start-up's first requests ask, and writes V8's code for the bundle as it then stands (the
// functions compiled so far included) to the code cache that load-bundle.ts hands V8 at start-up.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openRegistry } from '../registry-file.ts'
import { CODE_CACHE, loadBundle } from './load-bundle.ts'

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const folder = mkdtempSync(join(tmpdir(), 'pop3-registry-code-cache-'))
try {
  const dbPath = join(folder, 'registry.db')
  // Created and seeded from dist/'s files: the code cache holds what a start-up of an existing
  // registry compiles, not the seeding a registry's first start-up does once.
  openRegistry(dbPath).db.close()
  const bundle = loadBundle()
  const port = await freePort()
  const env = { DB_PATH: dbPath, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' }
  const status = await bundle.exports.runCli(['serve'], { env, err: (text) => void process.stderr.write(text) })
  if (status !== 0) throw new Error(`serve exited with ${status}`)
  for (const path of ['/v1/capabilities/login-delay', '/healthz']) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  }
  const written = `${CODE_CACHE}.${process.pid}`
  writeFileSync(written, Buffer.concat([Buffer.from(`${bundle.key}\n`), bundle.script.createCachedData()]))
  renameSync(written, CODE_CACHE)
} finally {
  rmSync(folder, { recursive: true, force: true })
}
// The server still listens.
process.exit(0)
