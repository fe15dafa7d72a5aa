import { beforeEach, afterEach, describe, expect, it } from 'vitest'
import { approveRegistration, bearer, expectProblem, sampleCapability, sampleResponseCode, startRegistry, submitRegistration, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
let alice: Record<string, string>
let bob: Record<string, string>
let reviewer: Record<string, string>
beforeEach(async () => {
  registry = await startRegistry(':memory:', 'initial')
  alice = bearer(registry.store, 'submitter', 'alice')
  bob = bearer(registry.store, 'submitter', 'bob')
  reviewer = bearer(registry.store, 'reviewer', 'rita')
})
afterEach(async () => { await registry.close() })

const post = (url: string, headers: Record<string, string>, payload?: object) =>
  registry.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) })
const get = (url: string, headers: Record<string, string> = {}) => registry.app.inject({ method: 'GET', url, headers })

const capabilityRegistration = (tag = 'NEWCAP', overrides: Record<string, unknown> = {}, action = 'register') =>
  ({ kind: 'capability', action, entry: sampleCapability(tag, overrides) })
const submitCapability = (headers: Record<string, string>, tag?: string, overrides?: Record<string, unknown>) =>
  submitRegistration(registry, capabilityRegistration(tag, overrides), headers)

describe('POST /v1/registrations', () => {
  it('stores a sound registration as pending, publishing nothing yet', async () => {
    const response = await submitCapability(alice, 'newcap', { addedCommands: ['newc'] })
    expect(response.statusCode).toBe(201)
    const body = response.json()
    expect(body).toMatchObject({ id: 1, status: 'pending', kind: 'capability', action: 'register', submitter: 'alice' })
    expect(body.entry).toMatchObject({ tag: 'NEWCAP', addedCommands: ['NEWC'] })
    expect(response.headers.location).toBe('/v1/registrations/1')
    expect((await get('/v1/capabilities/NEWCAP')).statusCode).toBe(404)
  })

  it('refuses a registration that breaks rules with 422 and every violation, storing nothing', async () => {
    const response = await submitCapability(alice, 'X-FOO', { references: ['wiki'] })
    const problem = expectProblem(response, 422)
    expect(problem.violations!.map((v) => { const { path, rule } = v as { path: string, rule: string }; return `${path} ${rule}` })).toEqual([
      '/entry/tag x-prefix', '/entry/references/0 reference', '/entry/references reference',
    ])
    expect((await get('/v1/registrations', reviewer)).json().items).toEqual([])
  })

  it('answers 401 without a token, with a bad one, and with a revoked one', async () => {
    expectProblem(await submitCapability({}), 401)
    expectProblem(await submitCapability({ authorization: 'Bearer p3r_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 401)
    const made = registry.store.tokens.create('carol', 'submitter')
    registry.store.tokens.revoke(made.id)
    const response = await submitCapability({ authorization: `Bearer ${made.token}` })
    expectProblem(response, 401)
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/)
  })
})

describe('bad input to POST /v1/registrations', () => {
  const raw = (payload: string, contentType = 'application/json') =>
    registry.app.inject({ method: 'POST', url: '/v1/registrations', headers: { ...alice, 'content-type': contentType }, payload })

  it('answers malformed JSON with 400', async () => {
    expect(expectProblem(await raw('{"kind": "capability",'), 400).type).toBe('/problems/malformed-json')
  })

  it('answers a body over 64 KiB with 413', async () => {
    const body = JSON.stringify({ kind: 'capability', action: 'register', entry: sampleCapability('BIG', { discussion: 'x'.repeat(70_000) }) })
    expectProblem(await raw(body), 413)
  })

  it('answers a body that is not JSON with 415', async () => {
    expectProblem(await raw('kind=capability', 'application/x-www-form-urlencoded'), 415)
    expectProblem(await raw('<registration/>', 'application/xml'), 415)
  })

  it('answers a wrong type anywhere in the body with 422 and its path', async () => {
    const problem = expectProblem(await submitCapability(alice, 'NEWCAP', { validStates: 'TRANSACTION' }), 422)
    expect(problem.violations).toEqual([expect.objectContaining({ path: '/entry/validStates', rule: 'type' })])
  })

  it('writes nothing for any of them', async () => {
    await raw('{')
    await raw('x', 'text/plain')
    expect(registry.db.prepare('SELECT count(*) AS n FROM registrations').get()).toEqual({ n: 0 })
  })
})

describe('GET /v1/registrations', () => {
  it('shows a submitter only their own, and a reviewer all, filtered by status', async () => {
    await submitCapability(alice, 'ACAP')
    await submitCapability(bob, 'BCAP')
    const own = (await get('/v1/registrations', alice)).json()
    expect(own.items.map((r: { entry: { tag: string } }) => r.entry.tag)).toEqual(['ACAP'])
    expect((await get('/v1/registrations?status=pending', reviewer)).json().items).toHaveLength(2)
    expect((await get('/v1/registrations?status=approved', reviewer)).json().items).toHaveLength(0)
    expectProblem(await get('/v1/registrations/2', alice), 404)
    expect((await get('/v1/registrations/2', reviewer)).json().submitter).toBe('bob')
  })

  it('answers 404 for an unknown registration id', async () => {
    expectProblem(await get('/v1/registrations/999', reviewer), 404)
    expectProblem(await get('/v1/registrations/abc', reviewer), 404)
    expectProblem(await post('/v1/registrations/999/approve', reviewer), 404)
  })
})

describe('the review workflow', () => {
  it('publishes an approved capability with its revision, feed row and the registry\'s new date, in one go', async () => {
    const { id } = (await submitCapability(alice, 'NEWCAP')).json()
    expectProblem(await post(`/v1/registrations/${id}/approve`, alice), 403)
    const approved = await post(`/v1/registrations/${id}/approve`, reviewer)
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({ id, status: 'approved', decidedBy: 'rita', changeSeq: 13 })

    const today = new Date().toISOString().slice(0, 10)
    expect((await get('/v1/capabilities/newcap')).json()).toMatchObject({ tag: 'NEWCAP', registeredAt: today, status: 'active' })
    expect((await get('/v1/registry')).json()).toMatchObject({ lastUpdated: today })
    const history = (await get('/v1/capabilities/NEWCAP/history')).json()
    expect(history.items).toEqual([expect.objectContaining({ revision: 1, seq: 13, action: 'register', registrationId: id, date: today })])
    expect(registry.db.prepare("SELECT registration_id FROM changes WHERE key = 'NEWCAP'").get()).toEqual({ registration_id: String(id) })
  })

  it('replaces a whole entry on an approved update, keeping every revision', async () => {
    await approveRegistration(registry, capabilityRegistration('top', { addedCommands: ['TOP'], validStates: ['TRANSACTION'], discussion: 'TOP, revised.' }, 'update'))
    expect((await get('/v1/capabilities/TOP')).json()).toMatchObject({ discussion: 'TOP, revised.', registeredAt: '2001-06-29' })
    const { items } = (await get('/v1/capabilities/top/history')).json()
    expect(items.map((item: { action: string, date: string }) => [item.action, item.date])).toEqual([
      ['register', '2001-06-29'],
      ['update', new Date().toISOString().slice(0, 10)],
    ])
    expect(items[0].entry.discussion).not.toBe('TOP, revised.')
  })

  it('refuses with 409 an approval whose tag was taken meanwhile, and changes nothing', async () => {
    const first = (await submitCapability(alice, 'SAMECAP')).json()
    const second = (await submitCapability(bob, 'samecap')).json()
    expect((await post(`/v1/registrations/${first.id}/approve`, reviewer)).statusCode).toBe(200)
    const changes = registry.db.prepare('SELECT count(*) AS n FROM changes').get()
    const conflict = expectProblem(await post(`/v1/registrations/${second.id}/approve`, reviewer), 409)
    expect(conflict.violations).toEqual([expect.objectContaining({ rule: 'duplicate' })])
    expect(registry.db.prepare('SELECT count(*) AS n FROM changes').get()).toEqual(changes)
    expect((await get(`/v1/registrations/${second.id}`, reviewer)).json().status).toBe('pending')
  })

  it('rejects with a reason, and a decided registration cannot be decided again', async () => {
    const { id } = (await submitCapability(alice)).json()
    expectProblem(await post(`/v1/registrations/${id}/reject`, reviewer, {}), 422)
    const rejected = await post(`/v1/registrations/${id}/reject`, reviewer, { reason: 'Cite the RFC that defines it.' })
    expect(rejected.json()).toMatchObject({ status: 'rejected', reason: 'Cite the RFC that defines it.' })
    expectProblem(await post(`/v1/registrations/${id}/approve`, reviewer), 409)
    expectProblem(await post(`/v1/registrations/${id}/reject`, reviewer, { reason: 'again' }), 409)
    expectProblem(await post(`/v1/registrations/${id}/withdraw`, alice), 409)
    expect((await get('/v1/capabilities/NEWCAP')).statusCode).toBe(404)
  })

  it('lets only its submitter withdraw a registration; to anyone else it does not exist, whatever its state', async () => {
    const { id } = (await submitCapability(alice)).json()
    const hidden = expectProblem(await post(`/v1/registrations/${id}/withdraw`, bob), 404)
    expect(hidden.detail).not.toContain('alice')
    expect((await post(`/v1/registrations/${id}/withdraw`, alice)).json()).toMatchObject({ status: 'withdrawn' })
    expectProblem(await post(`/v1/registrations/${id}/approve`, reviewer), 409)
    // Decided: still 404 to bob, not the 409 that would tell him it exists.
    expectProblem(await post(`/v1/registrations/${id}/withdraw`, bob), 404)
    const approved = await approveRegistration(registry, capabilityRegistration('OTHERCAP'))
    expectProblem(await post(`/v1/registrations/${approved.id}/withdraw`, bob), 404)
    expectProblem(await get(`/v1/registrations/${approved.id}`, bob), 404)
  })

  it('lets nobody decide a registration they submitted (two-person rule), reviewer or admin', async () => {
    const admin = bearer(registry.store, 'admin', 'ada')
    const own = (await submitCapability(reviewer, 'RITACAP')).json()
    const byAdmin = (await submitCapability(admin, 'ADACAP')).json()
    const refused = expectProblem(await post(`/v1/registrations/${own.id}/approve`, reviewer), 403)
    expect(refused.detail).toMatch(/two-person rule/)
    expectProblem(await post(`/v1/registrations/${own.id}/reject`, reviewer, { reason: 'Mine, wrong.' }), 403)
    expectProblem(await post(`/v1/registrations/${byAdmin.id}/approve`, admin), 403)
    expect((await get(`/v1/registrations/${own.id}`, reviewer)).json().status).toBe('pending')
    expect((await get('/v1/capabilities/RITACAP')).statusCode).toBe(404)
    // Another person may.
    expect((await post(`/v1/registrations/${own.id}/approve`, admin)).json()).toMatchObject({ status: 'approved', decidedBy: 'ada' })
    expect((await post(`/v1/registrations/${byAdmin.id}/reject`, reviewer, { reason: 'Not defined in an RFC.' })).json()).toMatchObject({ status: 'rejected' })
  })

  it.each([['   '], ['\u0000'], ['\u200b'], ['fine\u0007']])('refuses a reject reason of %j with 422', async (reason) => {
    const { id } = (await submitCapability(alice)).json()
    expectProblem(await post(`/v1/registrations/${id}/reject`, reviewer, { reason }), 422)
    expect((await get(`/v1/registrations/${id}`, reviewer)).json().status).toBe('pending')
  })

  it('publishes an approved response code, reachable with its raw "/" and its history', async () => {
    await approveRegistration(registry, { kind: 'response-code', action: 'register', entry: sampleResponseCode('sys/temp', { commands: 'all' }) })
    expect((await get('/v1/response-codes/SYS/TEMP')).json()).toMatchObject({ code: 'SYS/TEMP', commands: 'all' })
    const history = (await get('/v1/response-codes/sys/temp/history')).json()
    expect(history.items).toHaveLength(1)
    expect((await get('/v1/response-codes/SYS%2FTEMP/history')).json()).toEqual(history)
    expect((await get('/v1/response-codes/in-use/history')).json().items[0]).toMatchObject({ registrationId: null, date: '2001-06-29' })
  })
})

describe('asOf', () => {
  it('shows the registry as it stood on a day', async () => {
    registry.store.capabilities.publish(sampleCapability('LATER'), { at: '2010-05-01T12:00:00.000Z', action: 'register' })
    const top = registry.store.capabilities.get('TOP')!
    const { status: _s, registeredAt: _r, updatedAt: _u, ...fields } = top
    registry.store.capabilities.publish({ ...fields, discussion: 'Changed in 2015.' }, { at: '2015-01-01T00:00:00.000Z', action: 'update' })

    const tags = async (day: string) => (await get(`/v1/capabilities?asOf=${day}`)).json().items.map((c: { tag: string }) => c.tag)
    expect(await tags('2001-06-28')).toEqual([])
    expect(await tags('2001-06-29')).toHaveLength(10)
    expect(await tags('2010-05-01')).toContain('LATER')
    expect(await tags('2010-04-30')).not.toContain('LATER')

    const topOn = async (day: string) => (await get(`/v1/capabilities?asOf=${day}&q=TOP`)).json().items
      .find((c: { tag: string }) => c.tag === 'TOP')
    expect((await topOn('2014-12-31')).discussion).not.toBe('Changed in 2015.')
    expect(await topOn('2015-01-01')).toMatchObject({ discussion: 'Changed in 2015.', updatedAt: '2015-01-01' })
    expect((await get('/v1/capabilities?asOf=2014-12-31&q=Changed')).json().total).toBe(0)
  })

  it('shows the whole registry on the last day there is, 9999-12-31', async () => {
    const count = async (day: string) => (await get(`/v1/capabilities?asOf=${day}`)).json().total
    expect(await count('9999-12-31')).toBe(10)
    expect(await count('9999-12-31')).toBe(await count('9999-12-30'))
  })

  it.each(['2001-13-01', '2001-02-30', 'yesterday'])('answers asOf=%s with 400', async (day) => {
    expectProblem(await get(`/v1/capabilities?asOf=${day}`), 400)
  })
})
