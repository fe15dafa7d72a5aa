import type { LightMyRequestResponse } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../server/config.ts'
import type { AppOptions } from '../../server/app.ts'
import { expectProblem, sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'
import { HTML_ACCEPT } from '../web/visitor.ts'

// Behind nginx every connection comes from nginx: unless the server believes its X-Forwarded-For
// and X-Forwarded-Proto (TRUST_PROXY), all clients share one rate-limit budget and a session
// cookie over HTTPS at nginx is not Secure.
const NGINX = '127.0.0.1'

let registry: TestRegistry | undefined
afterEach(async () => { await registry?.close(); registry = undefined })

async function behindProxy(trustProxy: AppOptions['trustProxy']) {
  registry = await startRegistry(':memory:', { trustProxy, limits: { RATE_LIMIT: 2 } })
  return registry
}

/** An anonymous dry run sent through the proxy for the client at `client`. */
const validate = (app: TestRegistry['app'], client: string) => app.inject({
  method: 'POST',
  url: '/v1/registrations/validate',
  remoteAddress: NGINX,
  headers: { 'x-forwarded-for': client },
  payload: { kind: 'capability', action: 'register', entry: sampleCapability('PROXIED') },
})

async function statuses(app: TestRegistry['app'], clients: string[]) {
  const answers: number[] = []
  for (const client of clients) answers.push((await validate(app, client)).statusCode)
  return answers
}

describe('rate limits behind a proxy', () => {
  it('give each client its own budget when the proxy is trusted (TRUST_PROXY=true)', async () => {
    const { app } = await behindProxy(true)
    expect(await statuses(app, ['192.0.2.1', '192.0.2.1', '198.51.100.7', '198.51.100.7'])).toEqual([200, 200, 200, 200])
    expectProblem(await validate(app, '192.0.2.1'), 429)
    expectProblem(await validate(app, '198.51.100.7'), 429)
  })

  it('give each client its own budget when the proxy\'s address is listed, and believe nobody else', async () => {
    const { app } = await behindProxy(['10.0.0.0/8', NGINX])
    expect(await statuses(app, ['192.0.2.1', '192.0.2.1', '198.51.100.7', '198.51.100.7'])).toEqual([200, 200, 200, 200])
    // A client reaching the server directly cannot pick a fresh address for each request.
    const direct = (forged: string) => app.inject({ method: 'POST', url: '/v1/registrations/validate', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': forged }, payload: {} })
    expect([(await direct('192.0.2.50')).statusCode, (await direct('192.0.2.51')).statusCode]).toEqual([200, 200])
    expectProblem(await direct('192.0.2.52'), 429)
  })

  it('give each client its own budget with a hop count (TRUST_PROXY=1)', async () => {
    const { app } = await behindProxy(1)
    expect(await statuses(app, ['192.0.2.1', '192.0.2.1', '198.51.100.7', '198.51.100.7'])).toEqual([200, 200, 200, 200])
    expectProblem(await validate(app, '192.0.2.1'), 429)
  })

  it('share one budget among every client when the proxy is not trusted (the default)', async () => {
    const { app } = await behindProxy(undefined)
    expect(await statuses(app, ['192.0.2.1', '198.51.100.7'])).toEqual([200, 200])
    expectProblem(await validate(app, '203.0.113.5'), 429)
  })
})

describe('the session cookie behind a proxy that terminates TLS', () => {
  async function signInOver(app: TestRegistry['app'], proto: string): Promise<{ csrf: string | undefined, session: string | undefined }> {
    const headers = { 'accept': HTML_ACCEPT, 'x-forwarded-proto': proto, 'x-forwarded-for': '192.0.2.1' }
    const form = await app.inject({ url: '/signin', remoteAddress: NGINX, headers })
    const setCookie = (response: LightMyRequestResponse, name: string) => [response.headers['set-cookie']].flat().find((cookie) => cookie?.startsWith(`${name}=`))
    const csrf = setCookie(form, '_csrf')
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1]
    const signedIn = await app.inject({
      method: 'POST',
      url: '/signin',
      remoteAddress: NGINX,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'cookie': csrf!.split(';')[0]! },
      payload: new URLSearchParams({ _csrf: token!, token: registry!.store.tokens.create('sam', 'submitter').token, next: '/registrations' }).toString(),
    })
    expect(signedIn.statusCode, signedIn.body).toBe(303)
    return { csrf, session: setCookie(signedIn, 'session') }
  }

  it('is Secure when the trusted proxy says the client came over https', async () => {
    const { app } = await behindProxy([NGINX])
    const { csrf, session } = await signInOver(app, 'https')
    expect(session).toMatch(/; Secure/)
    expect(csrf).toMatch(/; Secure/)
  })

  it('is not Secure over plain http, nor when an untrusted peer claims https', async () => {
    expect((await signInOver((await behindProxy([NGINX])).app, 'http')).session).not.toMatch(/Secure/)
    await registry!.close()
    expect((await signInOver((await behindProxy(['10.0.0.1'])).app, 'https')).session).not.toMatch(/Secure/)
  })
})

describe('TRUST_PROXY', () => {
  const read = (value: string) => readConfig({ TRUST_PROXY: value }).TRUST_PROXY

  it('is off by default, and takes true, false, a hop count or a list of addresses and CIDRs', () => {
    expect(readConfig({}).TRUST_PROXY).toBe(false)
    expect(read('true')).toBe(true)
    expect(read('false')).toBe(false)
    expect(read('2')).toBe(2)
    expect(read('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback'])
  })

  it('refuses anything else, naming the variable and what a right value is', () => {
    for (const wrong of ['yes', '0', '10.0.0.0/33', '10.0.0', '127.0.0.1,nginx', '::1/129', '1.2.3.4/8/8']) {
      expect(() => read(wrong), wrong).toThrow(ConfigError)
      expect(() => read(wrong), wrong).toThrow(`TRUST_PROXY=${JSON.stringify(wrong)} should be true, false, the number of proxies in front`)
    }
  })
})
