import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { runCli } from '../server/cli.ts'

export const ROOT = new URL('..', import.meta.url).pathname
const BIN = join(ROOT, 'bin/pop3-registry.js')

/** A loopback port nobody listens on now (the kernel's pick, released for the caller). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * Resolves once a GET of url answers 2xx, asking every `everyMs`; rejects with what the process
 * said (`logs`) if it exits first or does not answer within `timeoutMs`.
 */
export async function answering(child: ChildProcess, url: string, options: { everyMs?: number, timeoutMs?: number, logs?: () => string } = {}): Promise<void> {
  const { everyMs = 50, timeoutMs = 20_000, logs = () => '' } = options
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${child.spawnargs.slice(1).join(' ')} exited with ${child.exitCode ?? child.signalCode}:\n${logs()}`)
    }
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.spawnargs.slice(1).join(' ')} did not answer ${url} within ${timeoutMs} ms:\n${logs()}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** Stops a process with a signal and resolves with its exit code (null when the signal ended it); at once if it has ended. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.kill(signal)
  })
}

/** Runs the CLI to completion in a process of its own: for what only a process shows (exit codes, pipes). */
export function runCliProcess(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 })
}

export interface ServerProcess { process: ChildProcess, url: string, logs: () => string }

/**
 * Starts `pop3-registry serve` on a free port and resolves once it listens; `kill` it when done.
 * A new database gets the 2001 set unless `env` says otherwise (SEED=current).
 */
export function serve(dbPath: string, onStart: (child: ChildProcess) => void = () => {}, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: dbPath, PORT: '0', LOG_LEVEL: 'info', SEED: 'initial', ...env },
  })
  onStart(child)
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

/** Sends SIGTERM and resolves with the exit code. */
export const stop = (server: ServerProcess) => stopProcess(server.process)

/**
 * Runs a command line in this process, as the program would, with its own environment added to
 * this one's: most CLI tests need no process of their own, and starting one costs a second here.
 */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const status = await runCli(args, { out: (text) => { stdout += text }, err: (text) => { stderr += text }, env: { ...process.env, ...env } })
  return { status, stdout, stderr }
}
