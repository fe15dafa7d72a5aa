import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRegistry, type TestRegistry } from '../helpers.ts'

// Short limits, so that the test waits seconds rather than the defaults' tens of seconds.
const LIMITS = { REQUEST_TIMEOUT_MS: 2_000, HEADERS_TIMEOUT_MS: 1_500, KEEP_ALIVE_TIMEOUT_MS: 1_000, MAX_CONNECTIONS: 300 }
let registry: TestRegistry
let port: number
beforeAll(async () => {
  registry = await startRegistry(':memory:', { limits: LIMITS })
  await registry.app.listen({ host: '127.0.0.1', port: 0 })
  port = (registry.app.server.address() as { port: number }).port
})
afterAll(async () => { await registry.close() })

interface Watched { socket: Socket, answer: () => string, closedAfter: Promise<number> }

/** A socket to the server, with what it was answered and how long after opening it was closed. */
function open(): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const began = performance.now()
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk) => { answer += chunk })
    socket.on('error', () => {})
    const closedAfter = new Promise<number>((done) => socket.on('close', () => done(performance.now() - began)))
    socket.once('connect', () => resolve({ socket, answer: () => answer, closedAfter }))
    socket.once('error', reject)
  })
}

describe('slow clients', () => {
  it('a body sent a byte at a time is cut at the request timeout, with a 408 problem', async () => {
    const { socket, answer, closedAfter } = await open()
    socket.write('POST /v1/check/capa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{')
    const dribble = setInterval(() => { if (!socket.destroyed) socket.write(' ') }, 200)
    const after = await closedAfter
    clearInterval(dribble)
    // The limit, plus up to a second for Node's periodic check and the machine's load.
    expect(after).toBeGreaterThanOrEqual(LIMITS.REQUEST_TIMEOUT_MS - 100)
    expect(after).toBeLessThan(LIMITS.REQUEST_TIMEOUT_MS + 4_000)
    expect(answer()).toMatch(/^HTTP\/1\.1 408 /)
    expect(answer()).toContain('"type":"/problems/request-timeout"')
  })

  it('headers sent a line at a time are cut at the header timeout', async () => {
    const { socket, closedAfter } = await open()
    socket.write('GET /v1/capabilities HTTP/1.1\r\n')
    const dribble = setInterval(() => { if (!socket.destroyed) socket.write('X-Slow: 1\r\n') }, 200)
    const after = await closedAfter
    clearInterval(dribble)
    expect(after).toBeLessThan(LIMITS.HEADERS_TIMEOUT_MS + 4_000)
  })

  it('a normal client is answered at once while 200 idle sockets are open, and the idle ones are closed', async () => {
    const idle = await Promise.all(Array.from({ length: 200 }, open))
    const began = performance.now()
    const response = await fetch(`http://127.0.0.1:${port}/v1/capabilities/TOP`)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { tag: string }).tag).toBe('TOP')
    expect(performance.now() - began).toBeLessThan(2_000)
    const closed = await Promise.all(idle.map((watched) => watched.closedAfter))
    expect(Math.max(...closed)).toBeLessThan(LIMITS.HEADERS_TIMEOUT_MS + 5_000)
  })

  it('connections past MAX_CONNECTIONS are closed as they arrive', async () => {
    const held = await Promise.all(Array.from({ length: LIMITS.MAX_CONNECTIONS }, open))
    const extra = await open()
    const after = await Promise.race([extra.closedAfter, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 1_000))])
    expect(after).toBeLessThan(1_000)
    held.forEach(({ socket }) => socket.destroy())
    await Promise.all(held.map((watched) => watched.closedAfter))
    // Room again: a client is answered.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
  })
})
