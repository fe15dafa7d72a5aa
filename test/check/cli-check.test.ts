import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startRegistry, tempDir } from '../helpers.ts'
import { cli } from '../processes.ts'
import { startFakePop3 } from './fake-pop3.ts'

const crlf = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join('')
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

function scratchDb() {
  const dir = tempDir()
  cleanups.push(dir.remove)
  return join(dir.path, 'registry.db')
}

async function fake(options: Parameters<typeof startFakePop3>[0]) {
  const server = await startFakePop3(options)
  cleanups.push(server.close)
  return server
}

const GOOD_BEFORE = crlf('+OK Capability list follows', 'TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'PIPELINING', 'LOGIN-DELAY 60 USER', 'EXPIRE NEVER', 'STLS', '.')
const GOOD_AFTER = crlf('+OK', 'TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'PIPELINING', 'LOGIN-DELAY 60', 'EXPIRE NEVER', 'STLS', 'IMPLEMENTATION fake 1.0', '.')

describe('pop3-registry check', () => {
  it('greets, asks CAPA, logs in, asks again and quits, reporting what it found', async () => {
    const server = await fake({ capaBefore: GOOD_BEFORE, capaAfter: GOOD_AFTER })
    const result = await cli(['check', `127.0.0.1:${server.port}`, '--user', 'alice', '--pass-env', 'POP_PASSWORD'],
      { DB_PATH: scratchDb(), POP_PASSWORD: 'secret' })
    expect(result.status, result.stderr).toBe(0)
    expect(server.commands).toEqual(['CAPA', 'USER alice', 'PASS secret', 'CAPA', 'QUIT'])
    expect(result.stdout).toContain('Greeting: +OK fake POP3 ready')
    expect(result.stdout).toMatch(/CAPA before login: \+OK, 9 capabilities/)
    expect(result.stdout).toMatch(/LOGIN-DELAY\s+registered\s+RFC2449\s+args: 60 USER/)
    expect(result.stdout).toContain('info     capa-arguments-differ-allowed')
    expect(result.stdout).toContain('0 errors')
  })

  it('gives up with exit 3 on a CAPA response that never ends', async () => {
    const server = await fake({ capaBefore: crlf('+OK', 'TOP', 'LOGIN-DELAY soon', 'BAD.TAG') })
    const result = await cli(['check', `127.0.0.1:${server.port}`, '--json', '--timeout', '1500'], { DB_PATH: scratchDb() })
    expect(result.status).toBe(3)
    expect(result.stderr).toContain('no complete CAPA response within 1500 ms')
  })

  it('exits 1 when what the server says breaks RFC 2449', async () => {
    const server = await fake({ capaBefore: crlf('+OK', 'TOP', 'LOGIN-DELAY soon', 'BAD.TAG', '.') })
    const result = await cli(['check', `127.0.0.1:${server.port}`, '--json'], { DB_PATH: scratchDb() })
    expect(result.status).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.findings.filter((f: { severity: string }) => f.severity === 'error').map((f: { id: string }) => f.id).sort())
      .toEqual(['capa-argument', 'capa-tag-syntax'])
  })

  it('checks the response code of a refused login', async () => {
    const server = await fake({ capaBefore: GOOD_BEFORE, refusal: '-ERR [LOGIN-DELAY] wait a minute' })
    const result = await cli(['check', `127.0.0.1:${server.port}`, '--user', 'bob', '--pass-env', 'PW', '--json'], { DB_PATH: scratchDb(), PW: 'wrong' })
    const report = JSON.parse(result.stdout)
    expect(report.login).toMatchObject({ code: 'LOGIN-DELAY', resolvedTo: { code: 'LOGIN-DELAY' } })
    expect(report.findings).toContainEqual(expect.objectContaining({ id: 'pop3-login-refused' }))
  })

  it('asks a remote registry with --registry', async () => {
    const server = await fake({ capaBefore: crlf('+OK', 'TOP', 'ZYZZY', '.') })
    const registry = await startRegistry(':memory:', 'initial')
    await registry.app.listen({ host: '127.0.0.1', port: 0 })
    cleanups.push(() => registry.close())
    const address = registry.app.server.address() as { port: number }
    const result = await cli(['check', `127.0.0.1:${server.port}`, '--registry', `http://127.0.0.1:${address.port}`, '--json'],
      { DB_PATH: join(scratchDb(), '..', 'never-made', 'x.db') })
    expect(result.status, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).findings).toContainEqual(expect.objectContaining({ id: 'capa-unregistered', tag: 'ZYZZY' }))
  })

  it('never hangs: a silent server or a closed port ends with exit 3', async () => {
    const silent = await fake({ capaBefore: '', silent: true })
    const hung = await cli(['check', `127.0.0.1:${silent.port}`, '--timeout', '500'], { DB_PATH: scratchDb() })
    expect(hung.status).toBe(3)
    expect(hung.stderr).toContain('no complete greeting within 500 ms')
    const closed = await cli(['check', '127.0.0.1:1', '--timeout', '500'], { DB_PATH: scratchDb() })
    expect(closed.status).toBe(3)
    expect(closed.stderr).toContain('cannot connect')
  })

  it('explains its usage mistakes', async () => {
    expect((await cli(['check', 'localhost'])).stderr).toContain('HOST:PORT')
    expect((await cli(['check', 'localhost:110', '--user', 'a'])).status).toBe(2)
  })
})
