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
