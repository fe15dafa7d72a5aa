// What the benchmark needs to start servers, load them and read their memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import autocannon from 'autocannon'
import { answering, freePort, ROOT, stopProcess } from '../test/processes.ts'

export interface Server {
  url: string
  child: ChildProcess
  startedInMs: number
  /** The process's CPU time (user and system) when its first answer came: less noisy here than startedInMs. */
  startedCpuMs: number
}

/** Spawns a server and resolves once `GET probe` answers, with the time that took (asked every 5 ms, for that time). */
export async function startServer(args: string[], env: Record<string, string>, probe = '/healthz'): Promise<Server> {
  const port = await freePort()
  const began = performance.now()
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${port}`
  await answering(child, `${url}${probe}`, { everyMs: 5, timeoutMs: 120_000 })
  const startedInMs = performance.now() - began
  return { url, child, startedInMs, startedCpuMs: cpuMs(child.pid!) }
}

export const stopServer = (server: Server) => stopProcess(server.child)

/** Resident memory of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!
  return Number(/(\d+)/.exec(line)![1]) / 1024
}

export interface Load {
  method?: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

interface LoadResult { requestsPerSecond: number, p99Ms: number, p50Ms: number, errors: number, non2xx: number }

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))

/** CPU time a process has spent so far, user and system, in milliseconds (Linux: /proc/<pid>/stat). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) in parentheses; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

export interface CountedResult extends LoadResult { cpuMicrosPerRequest: number }

/** Sends a fixed number of requests and measures the server's CPU time per request. */
export async function loadCounted(server: Server, request: Load, options: { amount: number, connections: number }): Promise<CountedResult> {
  const before = cpuMs(server.child.pid!)
  const result = await autocannon({
    url: `${server.url}${request.path}`,
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body }),
    amount: options.amount,
    connections: options.connections,
  })
  const spent = cpuMs(server.child.pid!) - before
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpuMicrosPerRequest: (spent * 1000) / result.requests.total,
  }
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** A GET on the agent's kept-alive connection: its status, once the whole body has been read. */
function get(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (response) => {
      response.on('end', () => resolve(response.statusCode!)).on('error', reject).resume()
    }).on('error', reject).end()
  })
}

/**
 * Times single requests one after another, for the latency of a read on its own. Each request
 * asks for another path, so that every one reaches the database rather than the read cache.
 * The client is node:http on one kept-alive connection, not fetch: the bench shares the server's
 * two cores, and fetch (undici) spent 1.0-1.8 ms of this process's CPU on a change-feed request,
 * against 0.4-0.7 ms for node:http, with its garbage collections inside the timings (same server,
 * same minutes, in turns: p50 / p99 1.3-2.3 / 13-44 ms with fetch, 0.7-1.4 / 5-18 with node:http).
 * The server's own time is all still in the figures.
 */
export async function latencies(url: string, pathFor: (i: number) => string, count: number, pid?: number): Promise<{ requests: number, p50Ms: number, p99Ms: number, maxMs: number, serverCpuMs?: number }> {
  const times: number[] = []
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const cpuBefore = pid === undefined ? 0 : cpuMs(pid)
  try {
    for (let i = 0; i < count; i++) {
      const path = pathFor(i)
      const began = performance.now()
      const status = await get(agent, `${url}${path}`)
      if (status !== 200) throw new Error(`${path} answered ${status}`)
      times.push(performance.now() - began)
    }
  } finally {
    agent.destroy()
  }
  // The server's CPU time per request (with pid): the figure a machine shared with other work moves least.
  const serverCpuMs = pid === undefined ? undefined : Number(((cpuMs(pid) - cpuBefore) / count).toFixed(2))
  times.sort((a, b) => a - b)
  // Nearest rank: p99 is the time 99 % of the requests took at most; of 2,000, the 21st-slowest (20 took longer).
  return {
    requests: count,
    p50Ms: times[Math.ceil(count * 0.5) - 1]!, p99Ms: times[Math.ceil(count * 0.99) - 1]!, maxMs: times.at(-1)!,
    ...(serverCpuMs === undefined ? {} : { serverCpuMs }),
  }
}
