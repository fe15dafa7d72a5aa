import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'initial') })
afterAll(async () => { await registry.close() })

describe('GET /v1/registry', () => {
  it('gives the registry\'s title, note and last-updated date from the source', async () => {
    const body = (await registry.app.inject('/v1/registry')).json()
    expect(body).toMatchObject({
      id: 'pop3-extension-mechanism',
      title: 'POP3 Extension Mechanism',
      lastUpdated: '2001-06-29',
    })
    expect(body.note).toMatch(/^The POP3 Extension Mechanism \[RFC 2449\] updates RFC 1939/)
    expect(body.bibliography.map((ref: { id: string }) => ref.id)).toEqual(['RFC1734', 'RFC1939', 'RFC2449', 'RFC2595'])
  })

  it('gives each sub-registry\'s procedure, required fields and count', async () => {
    const [capabilities, responseCodes] = (await registry.app.inject('/v1/registry')).json().subRegistries
    expect(capabilities).toMatchObject({
      id: 'capabilities',
      count: 10,
      links: { entries: '/v1/capabilities' },
      registrationProcedure: expect.stringContaining('MUST NOT begin with the letter "X"'),
    })
    expect(capabilities.requiredFields.map((field: { label: string }) => field.label)).toEqual([
      'CAPA tag', 'Arguments', 'Added commands', 'Standard commands affected',
      'Announced states / possible differences', 'Commands valid in states', 'Specification reference', 'Discussion',
    ])
    expect(responseCodes).toMatchObject({ id: 'response-codes', count: 2, policy: 'Specification Required' })
    expect(responseCodes.requiredFields.flatMap((field: { fields: string[] }) => field.fields))
      .toEqual(['code', 'responseTypes', 'commands', 'definition', 'references'])
  })
})

describe('GET /healthz', () => {
  it('answers 200 while the database answers', async () => {
    const response = await registry.app.inject('/healthz')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('answers 503 problem, not 500, once the database is gone', async () => {
    const broken = await startRegistry(':memory:', 'initial')
    broken.db.close()
    expectProblem(await broken.app.inject('/healthz'), 503)
    await broken.app.close()
  })
})

describe('GET /problems/{kind}', () => {
  it('describes each problem type a problem body names', async () => {
    const problem = expectProblem(await registry.app.inject('/v1/capabilities/NOPE'), 404)
    const described = (await registry.app.inject(problem.type)).json()
    expect(described).toMatchObject({ type: problem.type, status: 404, title: problem.title })
    expectProblem(await registry.app.inject('/problems/no-such-problem'), 404)
  })
})
