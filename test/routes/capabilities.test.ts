import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'initial') })
afterAll(async () => { await registry.close() })

const get = (url: string) => registry.app.inject({ method: 'GET', url })
const tagsOf = (body: { items: { tag: string }[] }) => body.items.map((item) => item.tag)

describe('GET /v1/capabilities', () => {
  it('lists exactly the ten capabilities of the source, in its order', async () => {
    const response = await get('/v1/capabilities')
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(tagsOf(body)).toEqual(['TOP', 'USER', 'SASL', 'RESP-CODES', 'LOGIN-DELAY', 'PIPELINING', 'EXPIRE', 'UIDL', 'IMPLEMENTATION', 'STLS'])
    expect(body.total).toBe(10)
    expect(body.nextCursor).toBeNull()
  })

  it('serves each entry with its publication fields and links', async () => {
    const { items } = (await get('/v1/capabilities')).json()
    expect(items[9]).toEqual({
      tag: 'STLS',
      arguments: [],
      addedCommands: ['STLS'],
      affectedCommands: ['USER', 'PASS', 'CAPA'],
      announcedStates: ['AUTHORIZATION', 'TRANSACTION'],
      possibleDifferences: false,
      validStates: ['AUTHORIZATION'],
      references: ['RFC2595'],
      discussion: expect.stringContaining('STLS'),
      status: 'active',
      registeredAt: '2001-06-29',
      updatedAt: '2001-06-29',
      links: { self: '/v1/capabilities/STLS', history: '/v1/capabilities/STLS/history' },
    })
  })

  it('pages with limit and cursor, the pages adding up to the whole list', async () => {
    const seen: string[] = []
    let url = '/v1/capabilities?limit=3'
    for (let page = 0; page < 10; page++) {
      const body = (await get(url)).json()
      expect(body.total).toBe(10)
      seen.push(...tagsOf(body))
      if (body.nextCursor === null) break
      expect(body.items).toHaveLength(3)
      url = `/v1/capabilities?limit=3&cursor=${encodeURIComponent(body.nextCursor)}`
    }
    expect(seen).toEqual(tagsOf((await get('/v1/capabilities')).json()))
  })

  it('filters by q over tags and discussions, case-insensitively', async () => {
    expect(tagsOf((await get('/v1/capabilities?q=delay')).json())).toEqual(['LOGIN-DELAY'])
    expect(tagsOf((await get('/v1/capabilities?q=SASL%20mechanism')).json())).toEqual(['SASL'])
    const none = (await get('/v1/capabilities?q=%25_')).json()
    expect(none).toEqual({ items: [], total: 0, nextCursor: null })
  })

  it('filters by the state in which a capability\'s commands are valid', async () => {
    expect(tagsOf((await get('/v1/capabilities?state=transaction')).json())).toEqual(['TOP', 'UIDL'])
    expect(tagsOf((await get('/v1/capabilities?state=AUTHORIZATION')).json())).toEqual(['USER', 'SASL', 'STLS'])
  })

  it('filters by command, counting "all" as every command', async () => {
    const body = (await get('/v1/capabilities?command=apop')).json()
    expect(tagsOf(body)).toEqual(['LOGIN-DELAY', 'PIPELINING'])
    expect(body.total).toBe(2)
    expect(tagsOf((await get('/v1/capabilities?command=CAPA&state=AUTHORIZATION')).json())).toEqual(['STLS'])
  })

  it.each([
    ['limit=0', '/query/limit'],
    ['limit=501', '/query/limit'],
    ['limit=ten', '/query/limit'],
    ['state=AUTHENTICATION', '/query/state'],
    ['command=AUTHENTICATE', '/query/command'],
    ['cursor=bm9wZQ', '/query/cursor'],
    ['sort=tag', '/query/sort'],
  ])('answers ?%s with a 400 that names %s', async (query, path) => {
    const problem = expectProblem(await get(`/v1/capabilities?${query}`), 400)
    expect(problem.violations).toContainEqual(expect.objectContaining({ path }))
  })
})

describe('GET /v1/capabilities/{tag}', () => {
  it.each(['login-delay', 'LOGIN-DELAY', 'Login-Delay'])('finds LOGIN-DELAY as %s', async (tag) => {
    const response = await get(`/v1/capabilities/${tag}`)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      tag: 'LOGIN-DELAY',
      arguments: ['secs', 'USER'],
      affectedCommands: ['USER', 'PASS', 'APOP', 'AUTH'],
      possibleDifferences: true,
      validStates: [],
    })
  })

  it('keeps IMPLEMENTATION\'s "both (optionally TRANSACTION only)"', async () => {
    expect((await get('/v1/capabilities/implementation')).json()).toMatchObject({
      announcedStates: ['AUTHORIZATION', 'TRANSACTION'],
      announcementOptionalIn: ['AUTHORIZATION'],
    })
  })

  it('answers 404 problem for a tag that is not registered', async () => {
    expect(expectProblem(await get('/v1/capabilities/XTND'), 404).detail).toContain('XTND')
  })

  it('answers 400 for a tag that breaks the capa-tag grammar', async () => {
    const problem = expectProblem(await get('/v1/capabilities/A.B'), 400)
    expect(problem.violations).toEqual([expect.objectContaining({ path: '/path/tag', rule: 'syntax' })])
  })
})
