import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openRegistry } from '../server/registry-file.ts'
import { createStore } from '../server/store/index.ts'
import { tempDir } from './helpers.ts'

const ROOT = new URL('..', import.meta.url).pathname
const BIN = join(ROOT, 'bin/pop3-registry.js')

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

function scratchDb() {
  const dir = tempDir()
  cleanups.push(dir.remove)
  return join(dir.path, 'nested', 'registry.db')
}

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 })
}

interface Server { process: ChildProcess, url: string, logs: () => string }

/** Starts `pop3-registry serve` on a free port and resolves once it listens. */
function serve(dbPath: string): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: dbPath, PORT: '0', LOG_LEVEL: 'info' },
  })
  cleanups.push(() => child.kill('SIGKILL'))
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (listening) {
        clearTimeout(timer)
        resolve({ process: child, url: listening[1]!, logs: () => output })
      }
    })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
}

function stop(server: Server): Promise<number | null> {
  return new Promise((resolve) => {
    server.process.on('exit', (code) => resolve(code))
    server.process.kill('SIGTERM')
  })
}

describe('pop3-registry serve', () => {
  it('creates and seeds the database on first start, serves it, and stops cleanly on SIGTERM', async () => {
    const dbPath = scratchDb()
    const server = await serve(dbPath)
    expect(server.logs()).toContain('created the registry database and seeded the initial set')
    const body = await (await fetch(`${server.url}/v1/capabilities`)).json() as { total: number }
    expect(body.total).toBe(10)
    expect(await stop(server)).toBe(0)
    expect(server.logs()).toContain('shutting down')
  })

  it('neither reseeds nor duplicates the registry on the next start', async () => {
    const dbPath = scratchDb()
    await stop(await serve(dbPath))
    const second = await serve(dbPath)
    expect(second.logs()).toContain('opened the registry database')
    const body = await (await fetch(`${second.url}/v1/response-codes`)).json() as { total: number }
    expect(body.total).toBe(2)
    await stop(second)
  })

  it('refuses a bad environment value, naming the variable', () => {
    const result = run(['serve'], { PORT: 'eighty', DB_PATH: scratchDb() })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/PORT="eighty"/)
  })
})

describe('pop3-registry', () => {
  it('explains its commands and environment with --help', () => {
    const result = run(['--help'])
    expect(result.status).toBe(0)
    for (const word of ['serve', 'backup', 'DB_PATH', 'PORT', 'HOST', 'LOG_LEVEL']) expect(result.stdout).toContain(word)
  })

  it('exits 2 with a pointer to help on an unknown command', () => {
    const result = run(['frobnicate'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('unknown command "frobnicate"')
  })

  it('backs the database up to a file that opens as the same registry', () => {
    const dbPath = scratchDb()
    const target = join(dbPath, '..', 'copy.db')
    const result = run(['backup', target], { DB_PATH: dbPath })
    expect(result.status, result.stderr).toBe(0)
    expect(existsSync(target)).toBe(true)
    const { db, seeded } = openRegistry(target)
    expect(seeded).toBe(false)
    expect(createStore(db).capabilities.count()).toBe(10)
    db.close()
  })
})
