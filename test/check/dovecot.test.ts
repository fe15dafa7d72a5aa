import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.ts'
import { cli } from '../processes.ts'
import { externalProgram } from '../external.ts'
import { startDovecot, type Dovecot } from './dovecot.ts'

// A real POP3 server: Debian's Dovecot, started by the test. Required in CI (.ci/run installs it);
// skipped elsewhere, saying so, when Dovecot is missing.
const program = externalProgram('Dovecot', 'dovecot', ['--version'], 'apt-get install dovecot-pop3d openssl')
let dovecot: Dovecot
const dir = tempDir()
beforeAll(async () => { if (!program.skip) dovecot = await startDovecot() })
afterAll(async () => {
  await dovecot?.stop()
  dir.remove()
})

describe.skipIf(program.skip)('pop3-registry check against Dovecot', () => {
  it('reports what Dovecot announces before and after login', async () => {
    const args = ['check', `127.0.0.1:${dovecot.port}`, '--user', dovecot.user, '--pass-env', 'DOVECOT_PASSWORD']
    const env = { DB_PATH: join(dir.path, 'registry.db'), DOVECOT_PASSWORD: dovecot.password }
    const text = await cli(args, env)
    // The report in CI's log, for a reader of the run.
    console.log(text.stdout)
    expect(text.status, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^Greeting: \+OK Dovecot/m)
    expect(text.stdout).toMatch(/^Login: \+OK/m)

    const report = JSON.parse((await cli([...args, '--json'], env)).stdout)
    const kinds = (state: 'before' | 'after') => Object.fromEntries(
      report.capa[state].lines.map((line: { tag: string, registration: { kind: string } }) => [line.tag, line.registration.kind]))
    expect(kinds('before')).toMatchObject({ TOP: 'registered', UIDL: 'registered', 'RESP-CODES': 'registered', PIPELINING: 'registered', USER: 'registered', SASL: 'registered' })
    expect(kinds('after')).toMatchObject({ TOP: 'registered', UIDL: 'registered' })
    // IANA registered AUTH-RESP-CODE in 2002 (RFC 3206): the default seed knows it.
    expect(kinds('before')['AUTH-RESP-CODE']).toBe('registered')
    expect(report.findings.map((finding: { message: string }) => finding.message).join('\n')).not.toMatch(/AUTH-RESP-CODE/)
    expect(report.findings.filter((finding: { severity: string }) => finding.severity === 'error')).toEqual([])
    expect(report.login).toMatchObject({ status: '+OK' })
  })

  it('reads the response code of a refused login from a real server', async () => {
    const result = await cli(['check', `127.0.0.1:${dovecot.port}`, '--user', dovecot.user, '--pass-env', 'WRONG', '--json'],
      { DB_PATH: join(dir.path, 'registry.db'), WRONG: 'not-the-password' })
    const report = JSON.parse(result.stdout)
    expect(report.login.status).toBe('-ERR')
    expect(report.findings).toContainEqual(expect.objectContaining({ id: 'pop3-login-refused' }))
    // Dovecot answers -ERR [AUTH]: a response code IANA registered with RFC 3206.
    expect(report.findings).not.toContainEqual(expect.objectContaining({ id: 'response-code-unregistered' }))
  })
})

describe.skipIf(program.skip)('pop3-registry check --stls against Dovecot', () => {
  let secure: Dovecot
  beforeAll(async () => { secure = await startDovecot({ tls: true }) })
  afterAll(async () => { await secure?.stop() })

  it('upgrades with STLS and asks CAPA again, refusing an unverified certificate unless --insecure', async () => {
    const args = ['check', `127.0.0.1:${secure.port}`, '--stls', '--user', secure.user, '--pass-env', 'DOVECOT_PASSWORD', '--json']
    const env = { DB_PATH: join(dir.path, 'registry.db'), DOVECOT_PASSWORD: secure.password }
    const verified = await cli(args, env)
    expect(verified.status).toBe(3)
    expect(verified.stderr).toMatch(/TLS failed: self[- ]signed certificate/)

    const insecure = await cli([...args, '--insecure'], env)
    expect(insecure.status, insecure.stderr).toBe(0)
    const report = JSON.parse(insecure.stdout)
    expect(report.tls).toBe(true)
    expect(report.login).toMatchObject({ status: '+OK' })
    // After STLS, Dovecot no longer offers STLS: the second CAPA is the one checked.
    expect(report.capa.before.lines.map((line: { tag: string }) => line.tag)).not.toContain('STLS')
  })
})
