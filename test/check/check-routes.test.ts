import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry(':memory:', 'initial')
  registry.store.responseCodes.publish({ code: 'SYS/TEMP', responseTypes: ['-ERR'], commands: 'all', definition: 'Transient.', references: ['RFC3206'] },
    { at: '2002-02-01T00:00:00.000Z', action: 'register' })
})
afterAll(async () => { await registry.close() })

const crlf = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join('')
const capa = async (body: object) => {
  const response = await registry.app.inject({ method: 'POST', url: '/v1/check/capa', payload: body })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { before?: { lines: { tag: string, registration: { kind: string, suggestions?: string[], entry?: { tag: string } } }[] }, findings: { id: string, severity: string, tag?: string, message: string }[] }
}
const findingIds = (report: { findings: { id: string, tag?: string }[] }) => report.findings.map((f) => `${f.id}${f.tag ? ` ${f.tag}` : ''}`)

describe('POST /v1/check/capa', () => {
  it('says of each tag whether it is registered, in the X range, or unregistered with suggestions', async () => {
    const report = await capa({ before: crlf('+OK', 'top', 'X-SPECIAL yes', 'LOGIN-DELAY900', 'PIPELINNG', '.') })
    expect(report.before!.lines.map((line) => [line.tag, line.registration.kind])).toEqual([
      ['top', 'registered'], ['X-SPECIAL', 'x-range'], ['LOGIN-DELAY900', 'unregistered'], ['PIPELINNG', 'unregistered'],
    ])
    expect(report.before!.lines[0]!.registration.entry!.tag).toBe('TOP')
    expect(report.before!.lines[2]!.registration.suggestions).toContain('LOGIN-DELAY 900')
    expect(report.before!.lines[3]!.registration.suggestions).toEqual(['PIPELINING'])
    expect(report.findings).toContainEqual(expect.objectContaining({ id: 'capa-x-tag', severity: 'info' }))
    expect(report.findings).toContainEqual(expect.objectContaining({ id: 'capa-unregistered', severity: 'warning', message: expect.stringContaining('did you mean LOGIN-DELAY 900') }))
  })

  it.each([
    ['LOGIN-DELAY soon', 'capa-argument'],
    ['LOGIN-DELAY 900 EVERYONE', 'capa-argument'],
    ['EXPIRE sometimes', 'capa-argument'],
    ['SASL PLAIN bad!mech', 'capa-argument'],
    ['TOP 10', 'capa-unexpected-arguments'],
  ])('checks the arguments of "%s"', async (line, id) => {
    expect(findingIds(await capa({ before: crlf('+OK', line, '.') }))).toContain(`${id} ${line.split(' ')[0]}`)
  })

  it.each(['LOGIN-DELAY 900', 'LOGIN-DELAY 0 USER', 'EXPIRE NEVER', 'EXPIRE 30 USER', 'SASL PLAIN SCRAM-SHA-256 GSSAPI', 'IMPLEMENTATION Shiny POP3 server 1.0'])('accepts the arguments of "%s"', async (line) => {
    expect((await capa({ before: crlf('+OK', line, '.') })).findings).toEqual([])
  })

  it('compares the states: missing after login, arguments that change, USER after login', async () => {
    const report = await capa({
      before: crlf('+OK', 'TOP', 'UIDL', 'SASL PLAIN LOGIN', 'EXPIRE 30 USER', 'LOGIN-DELAY 900 USER', '.'),
      after: crlf('+OK', 'TOP', 'SASL PLAIN', 'EXPIRE 60', 'LOGIN-DELAY 900 USER', 'IMPLEMENTATION Example', '.'),
    })
    const ids = findingIds(report)
    expect(ids).toContain('capa-one-state-only UIDL')
    expect(ids).toContain('capa-arguments-differ SASL')
    expect(ids).toContain('capa-arguments-differ-allowed EXPIRE')
    expect(ids).toContain('capa-user-after-login LOGIN-DELAY')
    expect(report.findings.find((f) => f.id === 'capa-one-state-only' && f.tag === 'IMPLEMENTATION')?.severity).toBe('info')
  })

  it('refuses a body with neither state, or with unknown fields', async () => {
    expectProblem(await registry.app.inject({ method: 'POST', url: '/v1/check/capa', payload: {} }), 422)
    expectProblem(await registry.app.inject({ method: 'POST', url: '/v1/check/capa', payload: { before: '+OK\r\n.\r\n', during: 'x' } }), 422)
  })
})

describe('POST /v1/check/capa, bounded', () => {
  it('checks the first 100 lines of a response and says how many it left, so one request cannot make it look up thousands', async () => {
    const tags = Array.from({ length: 7_000 }, (_, i) => `T${i}`)
    const body = { before: crlf('+OK', ...tags, '.') }
    const response = await registry.app.inject({ method: 'POST', url: '/v1/check/capa', payload: body })
    const report = response.json()
    expect(report.before.lines).toHaveLength(100)
    expect(report.findings).toContainEqual(expect.objectContaining({ id: 'capa-too-many-lines', message: expect.stringContaining('other 6901') }))
    expect(report.findings.some((f: { id: string }) => f.id === 'capa-unterminated')).toBe(false)
    expect(response.rawPayload.length).toBeLessThan(JSON.stringify(body).length)
  })

  it('suggests for the first three unregistered tags only, and respells only tags of up to 16 characters', async () => {
    const report = await capa({ before: crlf('+OK', ...Array.from({ length: 6 }, () => 'PIPELINNG'), `PIPELINNG${'Z'.repeat(15)}`, '.') })
    const suggestions = report.before!.lines.map((line) => line.registration.suggestions)
    expect(suggestions.slice(0, 3)).toEqual(Array.from({ length: 3 }, () => ['PIPELINING']))
    expect(suggestions.slice(3)).toEqual([[], [], [], []])
    const long = await capa({ before: crlf('+OK', `PIPELINNG${'Z'.repeat(8)}`, `LOGIN-DELAY${'9'.repeat(30)}`, '.') })
    expect(long.before!.lines.map((line) => line.registration.suggestions)).toEqual([[], [`LOGIN-DELAY ${'9'.repeat(30)}`]])
  })
})

describe('POST /v1/check/response', () => {
  const check = async (line: string, command?: string) => {
    const response = await registry.app.inject({ method: 'POST', url: '/v1/check/response', payload: { line, ...(command ? { command } : {}) } })
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  it('resolves a deeper code to the registered one, as a client does', async () => {
    const report = await check('-ERR [SYS/TEMP/DISK] disk full, try later', 'PASS')
    expect(report).toMatchObject({ status: '-ERR', code: 'SYS/TEMP/DISK', levels: ['SYS', 'TEMP', 'DISK'], resolvedTo: { code: 'SYS/TEMP' }, text: 'disk full, try later' })
    expect(report.findings).toEqual([expect.objectContaining({ id: 'response-code-detail-ignored', severity: 'info' })])
  })

  it('checks the response type and the command a code is registered for', async () => {
    expect((await check('+OK [IN-USE] fine', 'PASS')).findings).toContainEqual(expect.objectContaining({ id: 'response-code-wrong-type' }))
    expect((await check('-ERR [in-use] busy', 'USER')).findings).toContainEqual(expect.objectContaining({ id: 'response-code-wrong-command' }))
    expect((await check('-ERR [LOGIN-DELAY] wait', 'APOP')).findings).toEqual([])
  })

  it('reports unregistered and malformed codes, and lines without one', async () => {
    expect((await check('-ERR [AUTH] bad password')).findings[0]).toMatchObject({ id: 'response-code-unregistered', severity: 'warning' })
    expect((await check('-ERR [SYS/TEMP go away')).findings[0]).toMatchObject({ id: 'response-code-syntax', severity: 'error' })
    expect((await check('-ERR [SYS//TEMP] x')).findings[0]).toMatchObject({ id: 'response-code-syntax' })
    expect((await check('+OK maildrop ready')).findings[0]).toMatchObject({ id: 'response-no-code' })
    expect((await check('OK then')).findings[0]).toMatchObject({ id: 'response-status', severity: 'error' })
  })

  it('refuses a command that is not a keyword', async () => {
    expectProblem(await registry.app.inject({ method: 'POST', url: '/v1/check/response', payload: { line: '-ERR x', command: 'LOGIN' } }), 422)
  })
})
