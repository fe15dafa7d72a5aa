import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, expectProblem, sampleCapability, startRegistry, submitRegistration, type TestRegistry } from '../helpers.ts'

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

const newcap = (overrides: Record<string, unknown> = {}) =>
  ({ kind: 'capability', action: 'register', entry: sampleCapability('NEWCAP', overrides) })

const submit = (who: Record<string, string>, body: object, key?: string) =>
  submitRegistration(registry, body, key === undefined ? who : { ...who, 'idempotency-key': key })

/** Rows that a repeated submission must not add to: registrations and the change feed. */
const counts = () => ({
  registrations: registry.db.prepare('SELECT count(*) FROM registrations').pluck().get(),
  changes: registry.db.prepare('SELECT count(*) FROM changes').pluck().get(),
})

describe('POST /v1/registrations with an Idempotency-Key', () => {
  it('answers the same key and body with the first answer again, storing nothing more', async () => {
    const first = await submit(alice, newcap(), '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    expect(first.statusCode).toBe(201)
    const before = counts()
    // The same body with its fields in another order and other white space is the same body.
    const { entry, ...rest } = newcap()
    const reordered = JSON.stringify({ entry: Object.fromEntries(Object.entries(entry).reverse()), ...rest }, null, 2)
    const again = await registry.app.inject({
      method: 'POST', url: '/v1/registrations', payload: reordered,
      headers: { ...alice, 'content-type': 'application/json', 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' },
    })
    expect(again.statusCode).toBe(201)
    expect(again.body).toBe(first.body)
    expect(again.headers.location).toBe(first.headers.location)
    expect(counts()).toEqual(before)
  })

  it('takes the draft\'s quoted string and a bare key as the same key', async () => {
    const first = await submit(alice, newcap(), 'order-17')
    const again = await submit(alice, newcap(), '"order-17"')
    expect([first.statusCode, again.statusCode]).toEqual([201, 201])
    expect(again.json().id).toBe(first.json().id)
  })

  it('answers the first answer again after the registration was approved, though its tag is now taken', async () => {
    const first = await submit(alice, newcap(), 'k1')
    expect((await registry.app.inject({ method: 'POST', url: `/v1/registrations/${first.json().id}/approve`, headers: reviewer })).statusCode).toBe(200)
    const before = counts()
    const again = await submit(alice, newcap(), 'k1')
    expect(again.statusCode).toBe(201)
    expect(again.json()).toEqual(first.json())
    expect(again.json().status).toBe('pending')
    expect(counts()).toEqual(before)
    // The registration itself tells what became of it.
    expect((await registry.app.inject({ method: 'GET', url: again.headers.location as string, headers: alice })).json().status).toBe('approved')
  })

  it('refuses the same key with another body with 422, naming the key and the registration it made', async () => {
    const first = await submit(alice, newcap(), 'k1')
    const before = counts()
    const problem = expectProblem(await submit(alice, newcap({ discussion: 'Another text.' }), 'k1'), 422)
    expect(problem.type).toBe('/problems/idempotency-key-reused')
    expect(problem.detail).toContain('"k1"')
    expect(problem.detail).toContain(`registration ${first.json().id}`)
    // Even a body that breaks rules: the key is judged first.
    expect(expectProblem(await submit(alice, { kind: 'capability' }, 'k1'), 422).type).toBe('/problems/idempotency-key-reused')
    expect(counts()).toEqual(before)
    const type = await registry.app.inject({ method: 'GET', url: problem.type })
    expect(type.json()).toMatchObject({ status: 422 })
  })

  it('keeps keys per submitter: another submitter\'s same key is a new registration', async () => {
    const mine = await submit(alice, newcap(), 'shared')
    const theirs = await submit(bob, newcap(), 'shared')
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201])
    expect(theirs.json().id).not.toBe(mine.json().id)
    expect(theirs.json().submitter).toBe('bob')
    // and bob's key with another body is his own business: still not alice's registration
    expect((await submit(bob, newcap({ discussion: 'Bob\'s text.' }), 'shared')).statusCode).toBe(422)
  })

  it('stores nothing for a body refused by the rules, so that a retry of the key is judged again', async () => {
    const refused = await submit(alice, newcap({ tag: 'X-FOO' }), 'k2')
    expect(expectProblem(refused, 422).type).toBe('/problems/rule-violations')
    expect(counts().registrations).toBe(0)
    const fixed = await submit(alice, newcap(), 'k2')
    expect(fixed.statusCode).toBe(201)
  })

  it('makes a new registration for a new key, even of a body pending already', async () => {
    const first = await submit(alice, newcap(), 'k1')
    const second = await submit(alice, newcap(), 'k2')
    expect([first.statusCode, second.statusCode]).toEqual([201, 201])
    expect(second.json().id).toBe(first.json().id + 1)
  })

  it('finds a key through its unique index', () => {
    const plan = registry.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM registrations WHERE submitter = ? AND idempotency_key = ?')
      .all('alice', 'k') as { detail: string }[]
    expect(plan.map((row) => row.detail).join('\n')).toContain('registrations_by_idempotency_key')
  })

  it.each([
    ['an empty key', ''],
    ['an empty quoted key', '""'],
    ['a key with a space', 'two words'],
    ['a list of keys', '"a", "b"'],
    ['an unclosed quote', '"abc'],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a non-ASCII key', 'clé'],
  ])('refuses %s with 400 naming the header, storing nothing', async (_what, key) => {
    const response = await submit(alice, newcap(), key)
    const problem = expectProblem(response, 400)
    expect(problem.detail).toContain('Idempotency-Key')
    expect(problem.violations).toEqual([expect.objectContaining({ path: '/headers/idempotency-key', rule: 'syntax' })])
    expect(counts().registrations).toBe(0)
  })

  it('takes a key of 255 characters, and a quoted one with escapes and spaces', async () => {
    expect((await submit(alice, newcap(), 'k'.repeat(255))).statusCode).toBe(201)
    expect((await submit(alice, newcap({ discussion: 'Other.' }), '"a \\"quoted\\" key"')).statusCode).toBe(201)
    expect(registry.db.prepare('SELECT idempotency_key FROM registrations ORDER BY id').pluck().all())
      .toEqual(['k'.repeat(255), 'a "quoted" key'])
  })
})

describe('POST /v1/registrations without an Idempotency-Key', () => {
  it('answers a body identical to one of the submitter\'s pending registrations with 200 and that registration', async () => {
    const first = await submit(alice, newcap())
    expect(first.statusCode).toBe(201)
    const before = counts()
    const again = await submit(alice, newcap())
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
    expect(again.headers.location).toBe(first.headers.location)
    expect(counts()).toEqual(before)
  })

  it('answers 200 with a pending registration made with a key, too', async () => {
    const first = await submit(alice, newcap(), 'k1')
    const again = await submit(alice, newcap())
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
  })

  it('makes a new registration once the identical one is no longer pending, or for another submitter', async () => {
    const first = await submit(alice, newcap())
    expect((await submit(bob, newcap())).statusCode).toBe(201)
    await registry.app.inject({ method: 'POST', url: `/v1/registrations/${first.json().id}/withdraw`, headers: alice })
    const after = await submit(alice, newcap())
    expect(after.statusCode).toBe(201)
    expect(after.json().id).toBe(3)
  })

  it('makes a new registration of a body that differs in any value', async () => {
    await submit(alice, newcap())
    expect((await submit(alice, newcap({ discussion: 'A test capability NEWCAP, said otherwise.' }))).statusCode).toBe(201)
  })

  it('finds the pending duplicate through its partial index', () => {
    const plan = registry.db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM registrations
      WHERE submitter = ? AND body_sha256 = ? AND status = 'pending' ORDER BY id LIMIT 1`).all('alice', 'x') as { detail: string }[]
    expect(plan.map((row) => row.detail).join('\n')).toContain('registrations_pending_by_body')
  })
})
