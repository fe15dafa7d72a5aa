import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry() })
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
    const broken = await startRegistry()
    broken.db.close()
    const response = await broken.app.inject('/v1/capabilities')
    const problem = expectProblem(response, 500)
    expect(problem.detail).toMatch(/request id req-/)
    expect(response.body).not.toMatch(/database|sqlite|at \w+ \(|\.ts:/i)
    await broken.app.close()
  })
})
