// A primary, its followers and nginx with the project's deploy/nginx.conf, all on loopback ports:
// what the nginx test and the nginx bench start.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { answering, freePort, ROOT, stopProcess } from './processes.ts'

export const NGINX = '/usr/sbin/nginx'
const BIN = join(ROOT, 'bin/pop3-registry.js')

export interface Node {
  name: string
  url: string
  port: number
  dbPath: string
  env: Record<string, string>
  /** Options after `serve`. */
  args?: string[]
  process?: ChildProcess
  logs: string
}

/** Starts `pop3-registry serve` for a node on its own port; resolves once it listens. */
export async function startNode(node: Node): Promise<Node> {
  const child = spawn(process.execPath, [BIN, 'serve', ...node.args ?? []], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: node.dbPath, PORT: String(node.port), LOG_LEVEL: 'warn', ...node.env },
  })
  node.process = child
  node.logs = ''
  const collect = (chunk: Buffer) => { node.logs += chunk }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  await answering(child, `${node.url}/livez`, { logs: () => `${node.name}: ${node.logs}` })
  return node
}

/** Stops a node with a signal and resolves with its exit code (null when killed by the signal). */
export const stopNode = (node: Node, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> =>
  node.process ? stopProcess(node.process, signal) : Promise.resolve(null)

export interface Cluster {
  dir: string
  primary: Node
  followers: Node[]
  /** nginx's address. */
  url: string
  nginx: ChildProcess
  nginxLogs: () => string
  stop(): Promise<void>
}

/**
 * deploy/nginx.conf as an operator would install it: the same file with this cluster's addresses,
 * its listen port and its cache folder, inside a main configuration of nginx's own files in `dir`.
 */
function nginxConfig(dir: string, listen: number, primary: Node, followers: Node[]): string {
  const site = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8')
    .replace('/var/cache/nginx/pop3-registry', join(dir, 'cache'))
    .replace(/server 127\.0\.0\.1:8080;(\s+# the primary)/, `server 127.0.0.1:${primary.port};$1`)
    .replace(/\n(\s+)server 127\.0\.0\.1:8081 (.*)\n\s+server 127\.0\.0\.1:8082 .*\n/,
      (_match, indent: string, options: string) => `\n${followers.map((f) => `${indent}server 127.0.0.1:${f.port} ${options}\n`).join('')}`)
    .replace(/listen 8000;/, `listen 127.0.0.1:${listen};`)
  for (const port of [8080, 8081, 8082, 8000]) {
    if (site.includes(`127.0.0.1:${port};`) || site.includes(`listen ${port};`)) throw new Error(`deploy/nginx.conf changed shape: port ${port} left in`)
  }
  writeFileSync(join(dir, 'pop3-registry.conf'), site)
  mkdirSync(join(dir, 'cache'), { recursive: true })
  // As root, nginx's workers would become "nobody" and could not write the test's folders.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : ''
  return `${user}daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'pop3-registry.conf')};
}
`
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 10_000, every = 50): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch {
      // try again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, every))
  }
}

export const isReady = async (node: Node) => (await fetch(`${node.url}/readyz`)).status === 200

/** Starts a primary, `followerCount` followers of it and nginx in front, each on its own loopback port. */
export async function startCluster(dir: string, { followerCount = 2, maxLag = 2, env = {} }: { followerCount?: number, maxLag?: number, env?: Record<string, string> } = {}): Promise<Cluster> {
  const node = async (name: string, extra: Record<string, string>, args: string[] = []): Promise<Node> => {
    const port = await freePort()
    return { name, port, url: `http://127.0.0.1:${port}`, dbPath: join(dir, `${name}.db`), env: { ...env, ...extra }, args, logs: '' }
  }
  const started: Node[] = []
  let nginx: ChildProcess | undefined
  let nginxLogs = ''
  async function stop() {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const stopping = nginx
      // SIGQUIT: nginx's graceful stop.
      await new Promise((resolve) => { stopping.once('exit', resolve); stopping.kill('SIGQUIT') })
    }
    for (const each of [...started].reverse()) await stopNode(each, 'SIGKILL')
  }
  try {
    const primary = await startNode(await node('primary', {}))
    started.push(primary)
    const followers: Node[] = []
    for (let i = 1; i <= followerCount; i++) {
      // The first follows by --follow, the others by FOLLOW: both ways are exercised.
      const how: { env: Record<string, string>, args: string[] } = i === 1 ? { env: {}, args: ['--follow', primary.url] } : { env: { FOLLOW: primary.url }, args: [] }
      const follower = await startNode(await node(`follower${i}`, { ...how.env, FOLLOW_MAX_LAG: String(maxLag) }, how.args))
      started.push(follower)
      followers.push(follower)
    }
    for (const follower of followers) await until(`${follower.name} is ready`, () => isReady(follower), 20_000)

    const listen = await freePort()
    const conf = join(dir, 'nginx.conf')
    writeFileSync(conf, nginxConfig(dir, listen, primary, followers))
    nginx = spawn(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
    nginx.stdout!.on('data', (chunk: Buffer) => { nginxLogs += chunk })
    nginx.stderr!.on('data', (chunk: Buffer) => { nginxLogs += chunk })
    const url = `http://127.0.0.1:${listen}`
    await until('nginx answers', async () => (await fetch(`${url}/v1/registry`)).ok, 10_000)

    return {
      dir,
      primary,
      followers,
      url,
      nginx,
      nginxLogs: () => `${nginxLogs}${(() => { try { return readFileSync(join(dir, 'error.log'), 'utf8') } catch { return '' } })()}`,
      stop,
    }
  } catch (error) {
    // A cluster that did not come up leaves no process behind: the test cannot stop what it never got.
    await stop()
    throw error
  }
}

/** Requests each server counted in its /metrics (the scrapes, readiness probes and the feed left out). */
export async function servedRequests(node: Node): Promise<Record<string, number>> {
  const text = await (await fetch(`${node.url}/metrics`)).text()
  const counts: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const match = /^http_request_duration_seconds_count\{method="(\w+)",route="([^"]*)",status_code="(\d+)"\} (\d+)$/.exec(line)
    if (!match || ['/metrics', '/readyz', '/livez', '/v1/changes'].includes(match[2]!)) continue
    const key = `${match[1]} ${match[2]} ${match[3]}`
    counts[key] = (counts[key] ?? 0) + Number(match[4])
  }
  return counts
}
