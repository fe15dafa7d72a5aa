import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry(':memory:', 'initial')
  // RFC 3206's hierarchical code, published through the store as an approval would.
  registry.store.responseCodes.publish({
    code: 'SYS/TEMP',
    responseTypes: ['-ERR'],
    commands: 'all',
    definition: 'A transient system failure.',
    references: ['RFC3206'],
  }, { at: '2002-02-01T00:00:00.000Z', action: 'register' })
})
afterAll(async () => { await registry.close() })

const get = (url: string) => registry.app.inject({ method: 'GET', url })

describe('GET /v1/response-codes', () => {
  it('lists the source\'s two codes first, with LOGIN-DELAY\'s footnote on USER', async () => {
    const body = (await get('/v1/response-codes')).json()
    expect(body.items.map((item: { code: string }) => item.code)).toEqual(['LOGIN-DELAY', 'IN-USE', 'SYS/TEMP'])
    expect(body.items[0]).toMatchObject({
      responseTypes: ['-ERR'],
      commands: ['USER', 'PASS', 'APOP', 'AUTH'],
      references: ['RFC2449'],
      notes: [expect.stringMatching(/^USER: see spec for details/)],
    })
  })

  it('filters by command, counting "all" as every command', async () => {
    const body = (await get('/v1/response-codes?command=user')).json()
    expect(body.items.map((item: { code: string }) => item.code)).toEqual(['LOGIN-DELAY', 'SYS/TEMP'])
  })

  it('takes no state filter: response codes have none', async () => {
    expectProblem(await get('/v1/response-codes?state=TRANSACTION'), 400)
  })
})

describe('GET /v1/response-codes/{code}', () => {
  it.each(['in-use', 'IN-USE'])('finds IN-USE as %s', async (code) => {
    expect((await get(`/v1/response-codes/${code}`)).json()).toMatchObject({ code: 'IN-USE', commands: ['PASS', 'APOP', 'AUTH'] })
  })

  it.each(['SYS/TEMP', 'sys/temp', 'SYS%2FTEMP', 'sys%2ftemp'])('finds a code of two levels written %s', async (code) => {
    const response = await get(`/v1/response-codes/${code}`)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ code: 'SYS/TEMP', links: { self: '/v1/response-codes/SYS%2FTEMP' } })
  })

  it('answers 404 for a deeper code than is registered', async () => {
    expectProblem(await get('/v1/response-codes/SYS/TEMP/DISK'), 404)
  })

  it('answers 400 for a code that breaks the resp-code grammar', async () => {
    const problem = expectProblem(await get('/v1/response-codes/SYS%5D'), 400)
    expect(problem.violations).toEqual([expect.objectContaining({ path: '/path/code' })])
  })
})
