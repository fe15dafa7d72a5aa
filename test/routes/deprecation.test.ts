import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { approveRegistration, bearer, expectProblem, sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
let submitter: Record<string, string>
beforeEach(async () => {
  registry = await startRegistry(':memory:', 'current')
  submitter = bearer(registry.store, 'submitter', 'sam')
})
afterEach(async () => { await registry.close() })

const post = (url: string, headers: Record<string, string>, payload?: object) =>
  registry.app.inject(payload === undefined ? { method: 'POST', url, headers } : { method: 'POST', url, headers, payload })

const approved = (payload: object) => approveRegistration(registry, payload)

const deprecateSys = { kind: 'response-code', action: 'deprecate', entry: { code: 'sys/temp' }, reason: 'Replaced by a finer code.', replacedBy: 'SYS/PERM' }

describe('deprecation', () => {
  it('marks the entry deprecated once approved, in the API and every format, and the history says when and why', async () => {
    const xmlBefore = (await registry.app.inject({ url: '/v1/registry.xml' })).body
    const registration = await approved(deprecateSys)
    expect(registration).toMatchObject({ action: 'deprecate', entry: { code: 'SYS/TEMP' }, deprecation: { reason: 'Replaced by a finer code.', replacedBy: 'SYS/PERM' } })
    const entry = (await registry.app.inject({ url: '/v1/response-codes/SYS/TEMP' })).json()
    expect(entry).toMatchObject({ status: 'deprecated', replacedBy: 'SYS/PERM', definition: expect.stringContaining('temporary') })
    const history = (await registry.app.inject({ url: '/v1/response-codes/SYS/TEMP/history' })).json().items
    expect(history.at(-1)).toMatchObject({ action: 'deprecate', status: 'deprecated', note: 'Replaced by a finer code.', replacedBy: 'SYS/PERM', registrationId: registration.id })
    expect(history.at(-1).entry).toEqual(history.at(-2).entry)

    const csv = (await registry.app.inject({ url: '/v1/response-codes.csv' })).body
    expect(csv).toContain('SYS/TEMP (deprecated; use SYS/PERM),-ERR,all,[RFC3206]')
    expect(csv).toContain('SYS/PERM,-ERR,all,[RFC3206]')
    expect((await registry.app.inject({ url: '/v1/registry.txt' })).body).toContain('SYS/TEMP (deprecated; use SYS/PERM)')
    // The XML keeps <value> the bare key and says it in elements of its own; every other byte is as before.
    const xml = (await registry.app.inject({ url: '/v1/registry.xml' })).body
    expect(xml).toContain('      <value>SYS/TEMP</value>\n      <response_types>-ERR</response_types>\n      <commands>all</commands>\n'
      + '      <status>deprecated</status>\n      <replaced_by>SYS/PERM</replaced_by>\n      <xref type="rfc" data="rfc3206"/>\n')
    expect(xml).not.toContain('(deprecated')
    const undated = (text: string) => text.replace(/<updated>[^<]*<\/updated>/, '<updated/>')
    expect(undated(xml.replace('      <status>deprecated</status>\n      <replaced_by>SYS/PERM</replaced_by>\n', ''))).toBe(undated(xmlBefore))

    const codes = async (query: string) => (await registry.app.inject({ url: `/v1/response-codes?${query}` })).json().items.map((item: { code: string }) => item.code)
    expect(await codes('status=deprecated')).toEqual(['SYS/TEMP'])
    expect(await codes('status=active')).not.toContain('SYS/TEMP')
    expect(await codes('status=deprecated&asOf=2013-03-13')).toEqual([])
    expect((await registry.app.inject({ url: '/v1/response-codes?status=gone' })).statusCode).toBe(400)
  })

  it('never registers a deprecated key again, but updates it, keeping it deprecated', async () => {
    await approved({ kind: 'capability', action: 'deprecate', entry: { tag: 'LANG' }, reason: 'A test of deprecation.' })
    // No replacement: the status alone, in every format.
    expect((await registry.app.inject({ url: '/v1/registry.xml' })).body).toMatch(/<capa_tag>LANG<\/capa_tag>\n(?: {6}<(?!status)\w+>[^\n]*\n){6} {6}<status>deprecated<\/status>\n {6}<xref/)
    expect((await registry.app.inject({ url: '/v1/capabilities.csv' })).body).toContain('\r\nLANG (deprecated),')
    const again = await post('/v1/registrations/validate', {}, { kind: 'capability', action: 'register', entry: sampleCapability('lang') })
    expect(again.json().violations).toEqual([expect.objectContaining({ path: '/entry/tag', rule: 'deprecated', message: expect.stringMatching(/never registered again/) })])
    await approved({ kind: 'capability', action: 'update', entry: sampleCapability('LANG', { addedCommands: ['LANG'] }) })
    expect((await registry.app.inject({ url: '/v1/capabilities/LANG' })).json()).toMatchObject({ status: 'deprecated', addedCommands: ['LANG'] })
    const twice = await post('/v1/registrations/validate', {}, { kind: 'capability', action: 'deprecate', entry: { tag: 'LANG' }, reason: 'Again.' })
    expect(twice.json().violations).toEqual([expect.objectContaining({ rule: 'deprecated' })])
  })

  it('requires a reason and a registered key, and a replacement that is registered, active and another key', async () => {
    const check = async (body: object) => (await post('/v1/registrations/validate', {}, body)).json().violations
      .map((v: { path: string, rule: string }) => `${v.path} ${v.rule}`)
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' } })).toEqual(['/reason required'])
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'NOSUCH' }, reason: 'x' })).toEqual(['/entry/tag not-registered'])
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' }, reason: 'x', replacedBy: 'top' })).toEqual(['/replacedBy inconsistent'])
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' }, reason: 'x', replacedBy: 'NOSUCH' })).toEqual(['/replacedBy not-registered'])
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP', arguments: [] }, reason: 'x' })).toEqual(['/entry/arguments unknown-field'])
    // The reason is free text like a discussion: no control characters, and something visible to say.
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' }, reason: 'old\u0000' })).toEqual(['/reason control-character'])
    expect(await check({ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' }, reason: '\u200b' })).toEqual(['/reason required'])
    const refused = await post('/v1/registrations', submitter, { kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' }, reason: '' })
    expectProblem(refused, 422)
  })
})

describe('an update that changes nothing', () => {
  it('is refused by the rule "unchanged", which says so; a real change passes', async () => {
    const top = (await registry.app.inject({ url: '/v1/capabilities/TOP' })).json()
    const { status: _s, registeredAt: _r, updatedAt: _u, links: _l, ...fields } = top
    const same = await post('/v1/registrations/validate', {}, { kind: 'capability', action: 'update', entry: { ...fields, tag: 'top' } })
    expect(same.json().violations).toEqual([{ path: '/entry', rule: 'unchanged', message: expect.stringMatching(/changes nothing/) }])
    expectProblem(await post('/v1/registrations', submitter, { kind: 'capability', action: 'update', entry: fields }), 422)
    const changed = await post('/v1/registrations/validate', {}, { kind: 'capability', action: 'update', entry: { ...fields, discussion: 'Another word.' } })
    expect(changed.json().valid).toBe(true)
  })
})
