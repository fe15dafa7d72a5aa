import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../server/config.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { createStore } from '../../server/store/index.ts'
import { startRegistry, tempDir, type TestRegistry } from '../helpers.ts'

let current: TestRegistry
let initial: TestRegistry
beforeAll(async () => {
  current = await startRegistry(':memory:', 'current')
  initial = await startRegistry(':memory:', 'initial')
})
afterAll(async () => {
  await current.close()
  await initial.close()
})

const get = async (registry: TestRegistry, url: string) => {
  const response = await registry.app.inject({ method: 'GET', url })
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200)
  return response.json()
}

describe('the two seeds', () => {
  it('starts a current registry with IANA\'s later registrations, an initial one with the 2001 set', async () => {
    const tags = (page: { items: { tag: string }[] }) => page.items.map((item) => item.tag)
    expect(tags(await get(initial, '/v1/capabilities'))).toHaveLength(10)
    expect(tags(await get(current, '/v1/capabilities')).slice(10)).toEqual(['AUTH-RESP-CODE', 'UTF8', 'LANG'])
    const codes = (await get(current, '/v1/response-codes')).items.map((item: { code: string }) => item.code)
    expect(codes).toEqual(['LOGIN-DELAY', 'IN-USE', 'SYS/PERM', 'SYS/TEMP', 'AUTH', 'UTF8'])
    expect((await get(current, '/v1/registry')).lastUpdated).toBe('2013-03-13')
    expect((await get(initial, '/v1/registry')).lastUpdated).toBe('2001-06-29')
  })

  it('gives exactly the initial registry for asOf=2001-06-29 on a current one', async () => {
    for (const list of ['/v1/capabilities', '/v1/response-codes']) {
      expect(await get(current, `${list}?asOf=2001-06-29`)).toEqual(await get(initial, list))
    }
  })

  it('shows the registry on the days between: AUTH-RESP-CODE from 2002-02-28, SASL citing RFC 5034 from 2007-10-04', async () => {
    const tags = async (day: string) => (await get(current, `/v1/capabilities?asOf=${day}`)).items.map((item: { tag: string }) => item.tag)
    expect(await tags('2002-02-27')).not.toContain('AUTH-RESP-CODE')
    expect(await tags('2002-02-28')).toContain('AUTH-RESP-CODE')
    expect(await tags('2013-03-12')).not.toContain('UTF8')
    const sasl = async (day: string) => (await get(current, `/v1/capabilities?asOf=${day}&q=SASL`)).items
      .find((item: { tag: string }) => item.tag === 'SASL').references
    expect(await sasl('2007-10-03')).toEqual(['RFC2449', 'RFC1734'])
    expect(await sasl('2007-10-04')).toEqual(['RFC2449', 'RFC5034'])
  })

  it('tells each later revision\'s source and day in its history', async () => {
    const history = await get(current, '/v1/capabilities/SASL/history')
    expect(history.items.map((item: { date: string, action: string }) => [item.date, item.action]))
      .toEqual([['2001-06-29', 'register'], ['2007-10-04', 'update']])
    expect(history.items[0].note).toBeNull()
    expect(history.items[1].note).toMatch(/RFC 5034/)
    const sys = await get(current, '/v1/response-codes/SYS/TEMP/history')
    expect(sys.items).toHaveLength(1)
    expect(sys.items[0]).toMatchObject({ date: '2002-02-28', action: 'register', registrationId: null })
    expect(sys.items[0].note).toMatch(/RFC 3206.*known to the month only.*last day/s)
  })

  it('reads SEED from the environment: current by default, initial on request, nothing else', () => {
    expect(readConfig({}).SEED).toBe('current')
    expect(readConfig({ SEED: 'initial' }).SEED).toBe('initial')
    expect(() => readConfig({ SEED: 'latest' })).toThrow(ConfigError)
    expect(() => readConfig({ SEED: 'latest' })).toThrow(/SEED/)
  })

  it('never reseeds a database that has a registry, whatever SEED says', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'registry.db')
      const first = openRegistry(path, 'initial')
      expect(first.seeded).toBe(true)
      first.db.close()
      const again = openRegistry(path, 'current')
      expect(again.seeded).toBe(false)
      const store = createStore(again.db)
      expect([store.capabilities.count(), store.responseCodes.count(), store.changes.latest().seq]).toEqual([10, 2, 12])
      again.db.close()
    } finally {
      dir.remove()
    }
  })
})

describe('asOf on every read of the registry', () => {
  const status = async (url: string) => (await current.app.inject({ method: 'GET', url })).statusCode

  it('gives one entry as it stood that day, and 404 before it existed', async () => {
    expect(await status('/v1/capabilities/UTF8?asOf=2013-03-12')).toBe(404)
    expect((await get(current, '/v1/capabilities/utf8?asOf=2013-03-13')).tag).toBe('UTF8')
    expect((await get(current, '/v1/capabilities/SASL?asOf=2007-10-03')).references).toEqual(['RFC2449', 'RFC1734'])
    expect((await get(current, '/v1/capabilities/SASL?asOf=2007-10-03')).updatedAt).toBe('2001-06-29')
    expect((await get(current, '/v1/capabilities/SASL')).references).toEqual(['RFC2449', 'RFC5034'])
    expect(await status('/v1/response-codes/SYS/TEMP?asOf=2002-02-27')).toBe(404)
    expect(await status('/v1/response-codes/SYS%2FTEMP?asOf=2002-02-27')).toBe(404)
    expect((await get(current, '/v1/response-codes/SYS/TEMP?asOf=2002-02-28')).code).toBe('SYS/TEMP')
  })

  it('gives the history up to that day', async () => {
    expect((await get(current, '/v1/capabilities/SASL/history?asOf=2005-01-01')).items).toHaveLength(1)
    expect((await get(current, '/v1/capabilities/SASL/history?asOf=2007-10-04')).items).toHaveLength(2)
    expect(await status('/v1/response-codes/SYS/TEMP/history?asOf=2001-06-29')).toBe(404)
    expect((await get(current, '/v1/response-codes/SYS/TEMP/history?asOf=2002-02-28')).items).toHaveLength(1)
  })

  it('gives every download as published that day: on 2001-06-29, byte for byte the initial registry\'s', async () => {
    for (const url of ['/v1/capabilities.csv', '/v1/response-codes.csv', '/v1/registry.xml', '/v1/registry.txt', '/v1/registry.json']) {
      const dated = await current.app.inject({ method: 'GET', url: `${url}?asOf=2001-06-29` })
      const initialBody = await initial.app.inject({ method: 'GET', url })
      expect(dated.statusCode, url).toBe(200)
      expect(dated.body, url).toBe(initialBody.body)
    }
    const text2002 = (await current.app.inject({ method: 'GET', url: '/v1/registry.txt?asOf=2002-03-01' })).body
    expect(text2002).toContain('(last updated 2002-02-28)')
    expect(text2002).toContain('AUTH-RESP-CODE')
    expect(text2002).not.toContain('UTF8')
    // The references as cited that day: RFC 3206 from its first citation on, RFC 5034 not yet.
    expect(text2002).toContain('[RFC3206] Gellens, R., "The SYS and AUTH POP Response Codes"')
    expect(text2002).not.toContain('RFC5034')
    const references = async (day?: string) => (await get(current, `/v1/registry${day ? `?asOf=${day}` : ''}`)).bibliography.map((ref: { id: string }) => ref.id)
    expect(await references('2007-10-03')).toEqual(['RFC1734', 'RFC1939', 'RFC2449', 'RFC2595', 'RFC3206'])
    expect(await references('2007-10-04')).toEqual(['RFC1734', 'RFC1939', 'RFC2449', 'RFC2595', 'RFC3206', 'RFC5034'])
    expect(await references()).toEqual(['RFC1734', 'RFC1939', 'RFC2449', 'RFC2595', 'RFC3206', 'RFC5034', 'RFC6856'])
    const json2007 = JSON.parse((await current.app.inject({ method: 'GET', url: '/v1/registry.json?asOf=2007-10-04' })).body)
    expect(json2007.registry.lastUpdated).toBe('2007-10-04')
    expect(json2007.history.at(-1)).toMatchObject({ key: 'SASL', action: 'update' })
    expect(await status('/v1/registry.xml?asOf=1999-12-31')).toBe(404)
  })

  it('gives the registry\'s metadata and counts as of a day', async () => {
    const then = await get(current, '/v1/registry?asOf=2002-03-01')
    expect(then.lastUpdated).toBe('2002-02-28')
    expect(then.subRegistries.map((sub: { count: number }) => sub.count)).toEqual([11, 5])
  })

  it('refuses a parameter it does not know, on every read, with 400', async () => {
    for (const url of ['/v1/capabilities/TOP?asof=2001-06-29', '/v1/capabilities/TOP/history?x=1',
      '/v1/response-codes/SYS/TEMP?when=now', '/v1/registry.xml?format=x', '/v1/capabilities.csv?asOf=2001-06-29&q=x',
      '/v1/registry?asof=2001-06-29', '/v1/capabilities/TOP?asOf=2001-02-30']) {
      const response = await current.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(400)
      expect(response.headers['content-type'], url).toMatch(/problem\+json/)
    }
  })
})
