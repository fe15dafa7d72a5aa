import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'initial') })
afterAll(async () => { await registry.close() })

describe('errors', () => {
  it('answers an unknown route with a 404 problem naming it', async () => {
    const problem = expectProblem(await registry.app.inject('/v1/capabilitiez'), 404)
    expect(problem.detail).toContain('/v1/capabilitiez')
    expect(problem.type).toBe('/problems/not-found')
  })

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'] as const)('answers %s on a read-only resource with 405 and Allow', async (method) => {
    const response = await registry.app.inject({ method, url: '/v1/capabilities/TOP' })
    expectProblem(response, 405)
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS')
  })

  it('answers 405 for a multi-level response code path too', async () => {
    const response = await registry.app.inject({ method: 'DELETE', url: '/v1/response-codes/SYS/TEMP' })
    expectProblem(response, 405)
  })

  it.each(['/v1/capabilities/%ZZ', '/v1/response-codes/A%2'])('answers a path that does not decode, %s, with a 400 problem', async (url) => {
    expect(expectProblem(await registry.app.inject(url), 400).detail).toContain('does not decode')
  })

  it('answers OPTIONS with the allowed methods', async () => {
    const response = await registry.app.inject({ method: 'OPTIONS', url: '/v1/capabilities' })
    expect(response.statusCode).toBe(204)
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS')
  })

  it('answers a failure inside the server with a 500 problem that shows no internals', async () => {
    const broken = await startRegistry(':memory:', 'initial')
    broken.db.close()
    const response = await broken.app.inject('/v1/capabilities')
    const problem = expectProblem(response, 500)
    expect(problem.detail).toMatch(/request id req-/)
    expect(response.body).not.toMatch(/database|sqlite|at \w+ \(|\.ts:/i)
    await broken.app.close()
  })
})

describe('odd requests are problems too', () => {
  it.each(['/v1/response-codes/A/B%ZZ', '/v1/response-codes/%E0%A4%A/history', '/v1/capabilities/%ZZ/history'])('answers %s with a 400 problem, not 500', async (url) => {
    expect(expectProblem(await registry.app.inject(url), 400).type).toBe('/problems/bad-request')
  })

  it('reads every key the rules accept at its links.self, even a 510-character tag, and 414 past any key', async () => {
    const tag = `L${'O'.repeat(509)}`
    registry.store.capabilities.publish(sampleCapability(tag), { at: '2026-01-01T00:00:00.000Z', action: 'register' })
    const entry = (await registry.app.inject(`/v1/capabilities/${tag.toLowerCase()}`)).json()
    expect(entry.tag).toBe(tag)
    expect((await registry.app.inject(entry.links.self)).statusCode).toBe(200)
    expect((await registry.app.inject(entry.links.history)).json().items).toHaveLength(1)
    // 510 octets each %-encoded: read (no such tag), not refused as too long.
    expectProblem(await registry.app.inject(`/v1/capabilities/${encodeURIComponent('%').repeat(510)}`), 404)
    const tooLong = expectProblem(await registry.app.inject(`/v1/capabilities/${'A'.repeat(2_000)}`), 414)
    expect(tooLong.type).toBe('/problems/uri-too-long')
  })

  it('calls a body with a "__proto__" key what it is: a field no request takes (422), not malformed JSON', async () => {
    for (const payload of ['{"__proto__": {"admin": true}}', '{"kind": "capability", "entry": {"\\u005f_proto__": 1}}', '{"constructor": {"prototype": {}}}']) {
      const response = await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', headers: { 'content-type': 'application/json' }, payload })
      const problem = expectProblem(response, 422)
      expect(problem.violations).toEqual([expect.objectContaining({ rule: 'unknown-field' })])
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    const malformed = expectProblem(await registry.app.inject({ method: 'POST', url: '/v1/check/capa', headers: { 'content-type': 'application/json' }, payload: '{"before": ' }), 400)
    expect(malformed.type).toBe('/problems/malformed-json')
  })

  it.each(['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])('answers a %s body with 415, as the README promises', async (type) => {
    const response = await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', headers: { 'content-type': type }, payload: '{"kind":"capability"}' })
    expect(expectProblem(response, 415).type).toBe('/problems/unsupported-media-type')
  })

  describe('over a real socket, where Node\'s HTTP parser answers before fastify', () => {
    let port: number
    beforeAll(async () => {
      await registry.app.listen({ host: '127.0.0.1', port: 0 })
      port = (registry.app.server.address() as { port: number }).port
    })

    /** Sends raw bytes and reads the whole answer until the server closes. */
    const raw = (bytes: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes))
      let answer = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk) => { answer += chunk })
      socket.on('close', () => resolve(answer))
      socket.on('error', reject)
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')))
    })
    const problemOf = (answer: string) => {
      const [head, body] = answer.split('\r\n\r\n')
      expect(head).toMatch(/content-type: application\/problem\+json/i)
      return { status: Number(head!.split(' ')[1]), body: JSON.parse(body!) }
    }

    it('answers a request line that is not HTTP with a 400 problem', async () => {
      const { status, body } = problemOf(await raw('GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n'))
      expect(status).toBe(400)
      expect(body).toMatchObject({ type: '/problems/bad-request', status: 400 })
    })

    it('answers a path whose fragment does not decode with a 400 problem, not 500', async () => {
      const { status, body } = problemOf(await raw('GET /v1/response-codes/A/B#%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
      expect(status).toBe(400)
      expect(body.type).toBe('/problems/bad-request')
    })

    it('answers headers over 16 KiB with a 431 problem', async () => {
      const { status, body } = problemOf(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`))
      expect(status).toBe(431)
      expect(body.type).toBe('/problems/header-too-large')
    })

    it('answers an Expect it cannot meet with a 417 problem', async () => {
      const { status, body } = problemOf(await raw('POST /v1/check/capa HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'))
      expect(status).toBe(417)
      expect(body.type).toBe('/problems/expectation-failed')
    })
  })
})
