import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry | undefined
afterEach(async () => { await registry?.close() })

function logSink() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, stream }
}

describe('request logs', () => {
  it('writes one line a request, with its id, method, URL, status and time', async () => {
    const sink = logSink()
    registry = await startRegistry(':memory:', { logger: { level: 'info', stream: sink.stream } })
    sink.lines.length = 0
    await registry.app.inject('/v1/capabilities/TOP')
    await registry.app.inject('/v1/capabilities/NOSUCH')
    await registry.app.inject('/no/such/route')
    expect(sink.lines).toHaveLength(3)
    expect(sink.lines[0]).toMatchObject({ msg: 'request', method: 'GET', url: '/v1/capabilities/TOP', statusCode: 200, reqId: expect.any(String) })
    expect(sink.lines[0]!.responseTime).toEqual(expect.any(Number))
    expect(sink.lines[1]).toMatchObject({ url: '/v1/capabilities/NOSUCH', statusCode: 404 })
    expect(sink.lines[2]).toMatchObject({ msg: 'request', url: '/no/such/route', statusCode: 404 })
  })

  it('writes none at warn', async () => {
    const sink = logSink()
    registry = await startRegistry(':memory:', { logger: { level: 'warn', stream: sink.stream } })
    await registry.app.inject('/v1/capabilities/TOP')
    expect(sink.lines).toEqual([])
  })

  it('at warn, still writes a failure with the request id its problem quotes', async () => {
    const sink = logSink()
    registry = await startRegistry(':memory:', { logger: { level: 'warn', stream: sink.stream } })
    registry.db.close()
    const failed = await registry.app.inject('/v1/capabilities/TOP')
    expect(failed.statusCode).toBe(500)
    const requestId = /quote request id (\S+) when/.exec(failed.json<{ detail: string }>().detail)?.[1]
    expect(requestId).toBeDefined()
    expect(sink.lines).toEqual([expect.objectContaining({ level: 50, msg: 'request failed', reqId: requestId, url: '/v1/capabilities/TOP' })])
    registry = undefined
  })
})
