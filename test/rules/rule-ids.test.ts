import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { RULES, WARNINGS, type RuleId, type WarningId } from '../../schema/rules.ts'
import { approveRegistration, bearer, expectProblem, sampleCapability, sampleResponseCode, startRegistry, type TestRegistry } from '../helpers.ts'

// The rule ids are one enum (schema/rules.ts); the README's tables, and every message, are held to it.
let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry(':memory:', 'initial')
  registry.store.rfcs.load([{ number: 9998, title: 'An informational note', status: 'INFORMATIONAL', obsoletedBy: null }])
  await approveRegistration(registry, { kind: 'capability', action: 'register', entry: sampleCapability('OLDCAP') })
  await approveRegistration(registry, { kind: 'capability', action: 'deprecate', entry: { tag: 'OLDCAP' }, reason: 'Replaced.' })
})
afterAll(async () => { await registry.close() })

interface Finding { path: string, rule: string, message: string }

/** zod's own words, which no maintainer should read. */
const ZOD_WORDING = [
  'invalid input', 'invalid option', 'invalid string', 'invalid discriminator', 'unrecognized key', 'expected string',
  'expected object', 'expected array', 'expected number', 'expected boolean', 'received', 'too small', 'too big',
  '>=', '<=', 'must list at least 1', 'nan',
]

/** The rows of the README table whose header's first cell is `first`, in the section "The rules". */
function readmeIds(first: string): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### The rules'), readme.indexOf('\n## ', readme.indexOf('### The rules')))
  const table = section.slice(section.indexOf(`| ${first} |`)).split('\n\n')[0]!
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!)
}

/** The field a finding is about, in the words a message must use: validStates for /entry/validStates/0. */
const fieldOf = (path: string) => path.split('/').filter((segment) => segment !== '' && !/^\d+$/.test(segment)).at(-1)

function expectRegistryWords(finding: Finding) {
  for (const fragment of ZOD_WORDING) expect(finding.message.toLowerCase(), JSON.stringify(finding)).not.toContain(fragment)
  const field = fieldOf(finding.path)
  if (field && !['query', 'path'].includes(field)) expect(finding.message, JSON.stringify(finding)).toContain(field)
  if (finding.path === '') expect(finding.message).toContain('the body')
}

const capability = (overrides: Record<string, unknown> = {}, action = 'register') =>
  ({ kind: 'capability', action, entry: sampleCapability('NEWCAP', overrides) })
const responseCode = (overrides: Record<string, unknown> = {}) =>
  ({ kind: 'response-code', action: 'register', entry: sampleResponseCode('NEW-CODE', overrides) })
const withoutField = (body: { entry: Record<string, unknown> }, field: string) => {
  const { [field]: _gone, ...entry } = body.entry
  return { ...body, entry }
}

async function validate(body: unknown) {
  const response = await registry.app.inject({
    method: 'POST', url: '/v1/registrations/validate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body),
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { valid: boolean, violations: Finding[], warnings: Finding[] }
}

async function topFields() {
  const { status: _s, registeredAt: _r, updatedAt: _u, links: _l, ...fields } = (await registry.app.inject('/v1/capabilities/TOP')).json()
  return fields as Record<string, unknown>
}

// For each rule, a body that breaks it and exactly the findings it gives: `path rule`.
const triggers: Record<RuleId, () => Promise<[unknown, string[]]>> = {
  'required': async () => [withoutField(capability(), 'affectedCommands'), ['/entry/affectedCommands required']],
  'type': async () => [capability({ possibleDifferences: 'no' }), ['/entry/possibleDifferences type']],
  'unknown-field': async () => [capability({ colour: 'blue' }), ['/entry/colour unknown-field']],
  'one-of': async () => [capability({}, 'delete'), ['/action one-of']],
  'syntax': async () => [capability({ tag: 'NEW.CAP' }), ['/entry/tag syntax']],
  'out-of-range': async () => [{ kind: 'capability', action: 'deprecate', entry: { tag: 'TOP' }, reason: 'r'.repeat(4001) }, ['/reason out-of-range']],
  'control-character': async () => [capability({ discussion: 'Bad \u0007 bell' }), ['/entry/discussion control-character']],
  'x-prefix': async () => [capability({ tag: 'XNEWCAP' }), ['/entry/tag x-prefix']],
  'line-length': async () => [capability({ arguments: ['a'.repeat(520)] }), ['/entry/tag line-length']],
  'duplicate': async () => [capability({ tag: 'top' }), ['/entry/tag duplicate']],
  'not-registered': async () => [capability({}, 'update'), ['/entry/tag not-registered']],
  'unknown-state': async () => [capability({ validStates: ['LOGGED-IN'] }), ['/entry/validStates/0 unknown-state']],
  'state-case': async () => [capability({ validStates: ['authorization'] }), ['/entry/validStates/0 state-case']],
  'inconsistent': async () => [capability({ announcedStates: ['TRANSACTION'], announcementOptionalIn: ['AUTHORIZATION'] }), ['/entry/announcementOptionalIn/0 inconsistent']],
  'repeated': async () => [capability({ addedCommands: ['NEWC', 'newc'] }), ['/entry/addedCommands/1 repeated']],
  'deprecated': async () => [capability({ tag: 'oldcap' }), ['/entry/tag deprecated']],
  'unchanged': async () => [{ kind: 'capability', action: 'update', entry: await topFields() }, ['/entry unchanged']],
  'reference': async () => [responseCode({ references: ['the vendor wiki'] }), ['/entry/references/0 reference']],
}

const warningTriggers: Record<WarningId, [unknown, string[]]> = {
  'rfc-status-unknown': [capability({ references: ['RFC2449', 'RFC9999'] }), ['/entry/references/1 rfc-status-unknown']],
  'rfc-not-standards-track': [capability({ references: ['RFC9998'] }), ['/entry/references rfc-not-standards-track']],
  'rfc-obsoleted': [capability({ references: ['RFC2449', 'RFC1734'] }), ['/entry/references/1 rfc-obsoleted']],
}

describe('rule ids', () => {
  it('are the rows of the README\'s table of rules, and of its table of warnings, each once', () => {
    expect(readmeIds('rule').sort()).toEqual(Object.keys(RULES).sort())
    expect(readmeIds('warning').sort()).toEqual(Object.keys(WARNINGS).sort())
  })

  it('are listed in openapi.yaml', () => {
    const openapi = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')
    for (const id of [...Object.keys(RULES), ...Object.keys(WARNINGS)]) expect(openapi).toMatch(new RegExp(`^ +- ${id}$`, 'm'))
  })
})

describe('every rule', () => {
  it.each(Object.keys(triggers) as RuleId[])('%s fires exactly where it should, in the registry\'s words, naming the field', async (rule) => {
    const [body, expected] = await triggers[rule]()
    const { violations } = await validate(body)
    expect(violations.map((v) => `${v.path} ${v.rule}`)).toEqual(expected)
    violations.forEach(expectRegistryWords)
  })

  it.each(Object.keys(warningTriggers) as WarningId[])('warning %s fires alone, in the registry\'s words', async (id) => {
    const [body, expected] = warningTriggers[id]
    const { valid, warnings } = await validate(body)
    expect(valid).toBe(true)
    expect(warnings.map((w) => `${w.path} ${w.rule}`)).toEqual(expected)
    warnings.forEach(expectRegistryWords)
  })
})

describe('messages in the registry\'s words', () => {
  it('a state in lower case is told to be written in upper case, and repeated agrees it is that state', async () => {
    const { violations } = await validate(capability({ announcedStates: ['AUTHORIZATION', 'authorization'] }))
    expect(violations.map((v) => `${v.path} ${v.rule}`)).toEqual(['/entry/announcedStates/1 state-case', '/entry/announcedStates/1 repeated'])
    expect(violations[0]!.message).toContain('"AUTHORIZATION"')
    expect(violations[0]!.message).not.toMatch(/not a POP3 state/)
    expect(violations[1]!.message).toContain('AUTHORIZATION twice')
  })

  it('an empty list of references says to cite one', async () => {
    const { violations } = await validate(responseCode({ references: [] }))
    expect(violations).toEqual([{ path: '/entry/references', rule: 'required', message: expect.stringMatching(/cite at least one/) }])
    violations.forEach(expectRegistryWords)
  })

  it('a body that is not there, or not an object', async () => {
    for (const body of [null, [1, 2], 'text']) {
      const { violations } = await validate(body)
      expect(violations.map((v) => `${v.path} ${v.rule}`)).toEqual([body === null ? ' required' : ' type'])
      violations.forEach(expectRegistryWords)
    }
  })

  const reviewer = () => bearer(registry.store, 'reviewer', 'rita')
  const requests: [string, () => InjectOptions, number, string[]][] = [
    ['a reject with no body', () => ({ method: 'POST', url: '/v1/registrations/1/reject', headers: reviewer() }), 422, [' required']],
    ['a reject with an empty reason', () => ({ method: 'POST', url: '/v1/registrations/1/reject', headers: reviewer(), payload: { reason: '' } }), 422, ['/reason required']],
    ['a reject with an invisible reason', () => ({ method: 'POST', url: '/v1/registrations/1/reject', headers: reviewer(), payload: { reason: '\u200b' } }), 422, ['/reason required']],
    ['a reject with a control character', () => ({ method: 'POST', url: '/v1/registrations/1/reject', headers: reviewer(), payload: { reason: 'no\u0007' } }), 422, ['/reason control-character']],
    ['q= on a list', () => ({ url: '/v1/capabilities?q=' }), 400, ['/query/q required']],
    ['q over 200 characters', () => ({ url: `/v1/capabilities?q=${'a'.repeat(201)}` }), 400, ['/query/q out-of-range']],
    ['limit=abc', () => ({ url: '/v1/response-codes?limit=abc' }), 400, ['/query/limit type']],
    ['limit=0', () => ({ url: '/v1/response-codes?limit=0' }), 400, ['/query/limit out-of-range']],
    ['an unknown parameter', () => ({ url: '/v1/capabilities/TOP?colour=red' }), 400, ['/query/colour unknown-field']],
    ['a state in lower case on a list', () => ({ url: '/v1/capabilities?state=nowhere' }), 400, ['/query/state unknown-state']],
    ['a bad asOf', () => ({ url: '/v1/capabilities?asOf=2001-02-30' }), 400, ['/query/asOf syntax']],
    ['a status that is not one', () => ({ url: '/v1/capabilities?status=gone' }), 400, ['/query/status one-of']],
    ['a tag that is not one', () => ({ url: '/v1/capabilities/NEW.CAP' }), 400, ['/path/tag syntax']],
    ['a registration list with a bad status', () => ({ url: '/v1/registrations?status=done', headers: reviewer() }), 400, ['/query/status one-of']],
    ['a CAPA check with neither response', () => ({ method: 'POST', url: '/v1/check/capa', payload: {} }), 422, [' required']],
    ['a response check with an empty line', () => ({ method: 'POST', url: '/v1/check/response', payload: { line: '' } }), 422, ['/line required']],
  ]
  it.each(requests)('%s', async (_name, request, status, expected) => {
    const problem = expectProblem(await registry.app.inject(request()), status) as { detail: string, violations: Finding[] }
    expect(problem.violations.map((v) => `${v.path} ${v.rule}`)).toEqual(expected)
    problem.violations.forEach(expectRegistryWords)
    for (const fragment of ZOD_WORDING) expect(problem.detail.toLowerCase()).not.toContain(fragment)
  })
})
