import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openRegistry } from '../../server/registry-file.ts'
import { createStore } from '../../server/store/index.ts'
import { sampleCapability, sampleResponseCode, startRegistry, tempDir, type TestRegistry } from '../helpers.ts'

// Every rule through POST /v1/registrations/validate: a body that keeps it and one that breaks it.
let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'initial') })
afterAll(async () => { await registry.close() })

interface Finding { path: string, rule: string, message: string }
interface Result { valid: boolean, violations: Finding[], warnings: Finding[] }

async function validate(body: unknown): Promise<Result> {
  const response = await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: body as object })
  expect(response.statusCode, response.body).toBe(200)
  return response.json()
}
const capability = (overrides: Record<string, unknown> = {}, action = 'register') =>
  ({ kind: 'capability', action, entry: sampleCapability('NEWCAP', overrides) })
const responseCode = (overrides: Record<string, unknown> = {}, action = 'register') =>
  ({ kind: 'response-code', action, entry: sampleResponseCode('NEW-CODE', overrides) })

const rulesOf = (result: Result) => result.violations.map((v) => `${v.rule} ${v.path}`)

describe('POST /v1/registrations/validate', () => {
  it('accepts a sound capability and a sound response code, storing nothing', async () => {
    expect(await validate(capability())).toEqual({ valid: true, violations: [], warnings: [] })
    expect(await validate(responseCode())).toEqual({ valid: true, violations: [], warnings: [] })
    expect((await registry.app.inject('/v1/capabilities/NEWCAP')).statusCode).toBe(404)
  })

  const cases: [string, unknown, string[]][] = [
    ['required (missing field)', (() => { const body = capability(); delete (body.entry as Record<string, unknown>).discussion; return body })(), ['required /entry/discussion']],
    ['required (empty discussion)', capability({ discussion: '' }), ['required /entry/discussion']],
    ['required (kind)', { action: 'register', entry: {} }, ['required /kind']],
    ['type', capability({ possibleDifferences: 'no', arguments: 'none' }), ['type /entry/arguments', 'type /entry/possibleDifferences']],
    ['type (body)', [1, 2], ['type ']],
    ['unknown-field', { ...capability({ colour: 'blue' }), extra: true }, ['unknown-field /entry/colour', 'unknown-field /extra']],
    ['one-of (kind)', { kind: 'header', action: 'register', entry: {} }, ['one-of /kind']],
    ['one-of (action)', capability({}, 'delete'), ['one-of /action']],
    ['one-of (response type)', responseCode({ responseTypes: ['+OK', 'ERR'] }), ['one-of /entry/responseTypes/1']],
    ['syntax (tag)', capability({ tag: 'NEW.CAP' }), ['syntax /entry/tag']],
    ['syntax (tag with a space)', capability({ tag: 'NEW CAP' }), ['syntax /entry/tag']],
    ['syntax (keyword)', capability({ addedCommands: ['NEWCMD'] }), ['syntax /entry/addedCommands/0']],
    ['syntax (response code)', responseCode({ code: 'SYS//TEMP' }), ['syntax /entry/code']],
    ['syntax (response code with "]")', responseCode({ code: 'SYS]' }), ['syntax /entry/code']],
    ['x-prefix', capability({ tag: 'X-NEWCAP' }), ['x-prefix /entry/tag']],
    ['x-prefix (lower case)', capability({ tag: 'xnewcap' }), ['x-prefix /entry/tag']],
    ['line-length', capability({ arguments: ['a'.repeat(520)] }), ['line-length /entry/tag']],
    ['duplicate (capability, other case)', capability({ tag: 'login-delay' }), ['duplicate /entry/tag']],
    ['duplicate (response code)', responseCode({ code: 'in-use' }), ['duplicate /entry/code']],
    ['not-registered', capability({}, 'update'), ['not-registered /entry/tag']],
    ['unknown-state', capability({ validStates: ['LOGGED-IN'] }), ['unknown-state /entry/validStates/0']],
    ['inconsistent', capability({ announcedStates: ['TRANSACTION'], announcementOptionalIn: ['AUTHORIZATION'] }), ['inconsistent /entry/announcementOptionalIn/0']],
    ['repeated', capability({ addedCommands: ['NEWC', 'newc'] }), ['repeated /entry/addedCommands/1']],
    ['reference (not an RFC or URL)', responseCode({ references: ['the vendor wiki'] }), ['reference /entry/references/0']],
    ['reference (capability without an RFC)', capability({ references: ['https://example.org/spec'] }), ['reference /entry/references']],
    ['required (no reference)', responseCode({ references: [] }), ['required /entry/references']],
    ['required (no response type)', responseCode({ responseTypes: [] }), ['required /entry/responseTypes']],
    ['required (a discussion of spaces)', capability({ discussion: '   ' }), ['required /entry/discussion']],
    ['required (a discussion of a zero-width space)', capability({ discussion: '\u200b' }), ['required /entry/discussion']],
    ['required (a definition of a byte-order mark and a newline)', responseCode({ definition: '\ufeff\n' }), ['required /entry/definition']],
    ['required (an invisible note)', capability({ notes: ['\u00a0\u2060'] }), ['required /entry/notes/0']],
    ['control-character (NUL discussion)', capability({ discussion: '\u0000' }), ['control-character /entry/discussion']],
    ['control-character (ESC in a definition)', responseCode({ definition: 'Try \u001b[31mlater' }), ['control-character /entry/definition']],
    ['control-character (U+FFFE)', capability({ discussion: 'Fine \ufffe text' }), ['control-character /entry/discussion']],
    ['control-character (a lone surrogate)', capability({ discussion: 'Half \ud800 a pair' }), ['control-character /entry/discussion']],
    ['control-character (a C1 control)', capability({ lengthLimits: 'none\u0085' }), ['control-character /entry/lengthLimits']],
    ['control-character (a line break in a length limit)', capability({ lengthLimits: 'none\nFAKE' }), ['control-character /entry/lengthLimits']],
    ['control-character (a reference)', responseCode({ references: ['https://example.org/\u0001'] }), ['control-character /entry/references/0']],
    ['syntax (an argument with a line break, forging a row)', capability({ arguments: ['x\nFAKE  none'] }), ['syntax /entry/arguments/0']],
    ['syntax (an argument with a NUL)', capability({ arguments: ['secs\u0000'] }), ['syntax /entry/arguments/0']],
    ['syntax (an argument with a tab)', capability({ arguments: ['secs\tUSER'] }), ['syntax /entry/arguments/0']],
    ['syntax (an argument with two spaces)', capability({ arguments: ['mech  list'] }), ['syntax /entry/arguments/0']],
    ['syntax (an argument of spaces)', capability({ arguments: [' '] }), ['syntax /entry/arguments/0']],
    ['syntax (an argument beyond ASCII)', capability({ arguments: ['sécs'] }), ['syntax /entry/arguments/0']],
    ['syntax (a tag beginning with DEL, escaping the X rule)', capability({ tag: '\u007fX-FOO' }), ['syntax /entry/tag']],
    ['syntax (a response code with DEL)', responseCode({ code: 'SYS/\u007f' }), ['syntax /entry/code']],
  ]
  it.each(cases)('reports %s', async (_name, body, expected) => {
    const result = await validate(body)
    expect(result.valid).toBe(false)
    expect(rulesOf(result)).toEqual(expected)
  })

  it('names AUTHORIZATION when a state is given as AUTHENTICATION', async () => {
    const { violations } = await validate(capability({ validStates: ['AUTHENTICATION'] }))
    expect(violations).toEqual([expect.objectContaining({ rule: 'unknown-state', message: expect.stringContaining('AUTHORIZATION') })])
  })

  it('lists every rule a registration breaks at once', async () => {
    const result = await validate({
      kind: 'capability',
      action: 'register',
      entry: { tag: 'Xtra', arguments: [], addedCommands: ['TOOLONG'], affectedCommands: 'some', announcedStates: ['AUTHENTICATION'],
        possibleDifferences: 'no', validStates: [], references: ['see wiki'], colour: 'red' },
    })
    expect(rulesOf(result).sort()).toEqual([
      'reference /entry/references',
      'reference /entry/references/0',
      'required /entry/discussion',
      'syntax /entry/addedCommands/0',
      'type /entry/affectedCommands',
      'type /entry/possibleDifferences',
      'unknown-field /entry/colour',
      'unknown-state /entry/announcedStates/0',
      'x-prefix /entry/tag',
    ])
  })

  it('accepts text over several lines, arguments as RFC 2449 params, and a list of params written with single spaces', async () => {
    const result = await validate(capability({ discussion: 'First paragraph.\r\n\r\n\tSecond, indented.', arguments: ['mech list', 'secs', 'NEVER'], notes: ['USER: a note'] }))
    expect(result).toMatchObject({ valid: true })
  })

  it('lists the first 100 violations and counts the rest, so that the answer stays small', async () => {
    const body = capability({ validStates: Array.from({ length: 12_000 }, () => 'NO') })
    const response = await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: body })
    const result = response.json() as Result & { violationsNotListed: number }
    expect(result.violations).toHaveLength(100)
    expect(result.violationsNotListed).toBeGreaterThanOrEqual(11_900)
    expect(response.rawPayload.length).toBeLessThan(JSON.stringify(body).length)
  })

  it('accepts an update of a registered key, and "all" for commands', async () => {
    const top = { ...sampleCapability('top', { addedCommands: ['TOP'], affectedCommands: 'all' }) }
    expect(await validate({ kind: 'capability', action: 'update', entry: top })).toMatchObject({ valid: true })
  })

  describe('warnings', () => {
    it('warns of an RFC whose status the registry does not know, without blocking', async () => {
      const result = await validate(capability({ references: ['RFC2449', 'rfc9999'] }))
      expect(result.valid).toBe(true)
      expect(result.warnings).toEqual([expect.objectContaining({ rule: 'rfc-status-unknown', path: '/entry/references/1' })])
    })

    it('warns when a capability cites only RFCs that are not Standards Track or Experimental', async () => {
      registry.store.rfcs.load([{ number: 9998, title: 'An informational note', status: 'INFORMATIONAL', obsoletedBy: null }])
      const result = await validate(capability({ references: ['RFC9998'] }))
      expect(result.valid).toBe(true)
      expect(result.warnings.map((w) => w.rule)).toEqual(['rfc-not-standards-track'])
      expect((await validate(capability({ references: ['RFC9998', 'RFC2449'] }))).warnings).toEqual([])
    })

    it('warns of an obsoleted RFC', async () => {
      const result = await validate(capability({ references: ['RFC2449', 'RFC1734'] }))
      expect(result.warnings).toEqual([expect.objectContaining({ rule: 'rfc-obsoleted', message: expect.stringContaining('RFC5034') })])
    })
  })
})

describe('the rules see the registry as it is now', () => {
  it('after a change by this process or by another connection to the same database', async () => {
    const dir = tempDir()
    const path = join(dir.path, 'registry.db')
    const local = await startRegistry(path, 'initial')
    const ask = async () => (await local.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: capability() })).json() as Result
    try {
      expect((await ask()).valid).toBe(true)
      const other = openRegistry(path, 'initial').db
      createStore(other).capabilities.publish(sampleCapability('NEWCAP'), { at: '2026-01-01T00:00:00.000Z', action: 'register' })
      other.close()
      expect(rulesOf(await ask())).toEqual(['duplicate /entry/tag'])

      local.store.rfcs.load([{ number: 2449, title: 'POP3 Extension Mechanism', status: 'HISTORIC', obsoletedBy: null }])
      const body = { ...capability(), entry: sampleCapability('OTHERCAP') }
      const result = (await local.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: body })).json() as Result
      expect(result.warnings.map((w) => w.rule)).toEqual(['rfc-not-standards-track'])
    } finally {
      await local.close()
      dir.remove()
    }
  })
})
