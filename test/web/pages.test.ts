import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectProblem, sampleCapability, sampleResponseCode, startRegistry, type TestRegistry } from '../helpers.ts'
import { HTML_ACCEPT, textOf } from './visitor.ts'

let registry: TestRegistry
beforeEach(async () => { registry = await startRegistry(':memory:', 'initial') })
afterEach(async () => { await registry.close() })

const page = (url: string, headers: Record<string, string> = {}) =>
  registry.app.inject({ method: 'GET', url, headers: { accept: HTML_ACCEPT, ...headers } })

/** Publishes an entry through the store, as an approval would. */
function publish(kind: 'capability' | 'response-code', entry: Record<string, unknown>, action: 'register' | 'update' = 'register') {
  const change = { at: new Date().toISOString(), action, registrationId: null }
  if (kind === 'capability') registry.store.capabilities.publish(entry as never, change)
  else registry.store.responseCodes.publish(entry as never, change)
}

/** The cells of a table row, as text. */
const rowOf = (body: string, id: string) => {
  const row = new RegExp(`<tr id="${id}">(.*?)</tr>`, 's').exec(body)?.[1]
  return row ? [...row.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => textOf(cell[1]!).trim()) : undefined
}

describe('GET /', () => {
  it('shows the registry as IANA does: title, note, date, procedures, both tables with every column, RFC links, downloads', async () => {
    const response = await page('/')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    const text = textOf(response.body)
    expect(text).toContain('POP3 Extension Mechanism')
    expect(text).toContain('Last updated 2001-06-29')
    expect(text).toContain('MUST NOT begin with the letter "X"')
    expect(text).toContain('Specification Required')
    for (const column of ['CAPA Tag', 'CAPA Args', 'Added Cmds', 'Cmds Affected', 'List', 'Diffs', 'Cmd Valid', 'References', 'Response Code', 'Response Types', 'Commands', 'Reference']) {
      expect(response.body).toContain(`<th scope="col">${column}</th>`)
    }
    expect(rowOf(response.body, 'capabilities-TOP')).toEqual(['TOP', 'none', 'TOP', 'none', 'both', 'no', 'TRANSACTION', 'RFC2449, RFC1939'])
    expect(rowOf(response.body, 'capabilities-IMPLEMENTATION')?.[4]).toBe('TRANS, both')
    expect(rowOf(response.body, 'response-codes-LOGIN-DELAY')).toEqual(['LOGIN-DELAY', '-ERR', 'USER[1], PASS, APOP, AUTH', 'RFC2449'])
    expect(text).toMatch(/USER: see spec for details/)
    expect(response.body.match(/<tr id="capabilities-/g)).toHaveLength(10)
    expect(response.body.match(/<tr id="response-codes-/g)).toHaveLength(2)
    expect(response.body).toContain('<a href="https://www.rfc-editor.org/rfc/rfc2449">RFC2449</a>')
    for (const download of ['/v1/capabilities.csv', '/v1/response-codes.csv', '/v1/registry.xml', '/v1/registry.txt', '/v1/registry.json']) {
      expect(response.body).toContain(`href="${download}"`)
      expect((await registry.app.inject(download)).statusCode).toBe(200)
    }
    expect(text).toMatch(/Latest changes .*registered STLS/)
  })

  it('filters with the API\'s own parameters, and takes an empty field as no filter', async () => {
    const byState = await page('/?q=&state=authorization&command=')
    expect(byState.statusCode).toBe(200)
    expect([...byState.body.matchAll(/<tr id="capabilities-([^"]+)"/g)].map((m) => m[1])).toEqual(['USER', 'SASL', 'STLS'])
    expect(byState.body).toContain('<option value="AUTHORIZATION" selected>')
    expect(textOf(byState.body)).toContain('3 of 10 capabilities match')
    const byWord = await page('/?q=delay')
    expect([...byWord.body.matchAll(/<tr id="(?:capabilities|response-codes)-([^"]+)"/g)].map((m) => m[1])).toEqual(['LOGIN-DELAY', 'LOGIN-DELAY'])
    expect(byWord.body).toContain('name="q" value="delay"')
    const bad = await page('/?state=LOGIN')
    expect(bad.statusCode).toBe(400)
    expect(textOf(bad.body)).toContain('state is one of AUTHORIZATION, TRANSACTION, UPDATE')
  })

  it('is cached per registry version with ETag and 304, and carries a strict CSP whether fresh or kept', async () => {
    const first = await page('/')
    const again = await page('/')
    expect(again.body).toBe(first.body)
    for (const response of [first, again]) {
      expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/)
      expect(response.headers['content-security-policy']).not.toMatch(/unsafe-inline|script-src/)
      expect(response.headers['x-content-type-options']).toBe('nosniff')
    }
    const unchanged = await page('/', { 'if-none-match': String(first.headers.etag) })
    expect(unchanged.statusCode).toBe(304)
    publish('capability', sampleCapability('NEWTAG'))
    const changed = await page('/', { 'if-none-match': String(first.headers.etag) })
    expect(changed.statusCode).toBe(200)
    expect(rowOf(changed.body, 'capabilities-NEWTAG')?.[0]).toBe('NEWTAG')
  })
})

describe('deprecated entries', () => {
  it('are filtered by status on /, and their page names what replaces them', async () => {
    const entry = registry.store.capabilities.get('EXPIRE')!
    const { status: _status, registeredAt: _r, updatedAt: _u, replacedBy: _b, ...fields } = entry
    registry.store.capabilities.publish(fields as never, { at: new Date().toISOString(), action: 'deprecate', replacedBy: 'UIDL', note: 'For a test.' })
    const deprecated = await page('/?status=deprecated')
    expect([...deprecated.body.matchAll(/<tr id="capabilities-([^"]+)"/g)].map((m) => m[1])).toEqual(['EXPIRE'])
    expect(rowOf(deprecated.body, 'capabilities-EXPIRE')?.[0]).toBe('EXPIRE deprecated')
    expect(deprecated.body).toContain('<option value="deprecated" selected>')
    const active = await page('/?status=active')
    expect(active.body).not.toContain('id="capabilities-EXPIRE"')
    const own = await page('/capabilities/EXPIRE')
    expect(textOf(own.body)).toContain('This capability is deprecated; it is replaced by UIDL.')
    expect(own.body).toContain('href="/capabilities/UIDL"')
    expect(textOf(own.body)).toMatch(/Revision 2: deprecate/)
  })
})

describe('entry pages', () => {
  it('show every field, the status, RFC links and the history', async () => {
    const response = await page('/capabilities/top')
    expect(response.statusCode).toBe(200)
    const text = textOf(response.body)
    expect(text).toContain('Capability TOP active')
    for (const label of ['CAPA tag', 'Arguments', 'Added commands', 'Standard commands affected', 'Announced in states', 'Possible differences between states', 'Commands valid in states', 'Specification references', 'Discussion']) {
      expect(text).toContain(label)
    }
    expect(response.body).toContain('<dt id="field-validStates">')
    expect(response.body).toContain('<a href="https://www.rfc-editor.org/rfc/rfc1939">RFC1939</a>')
    expect(text).toContain('History (1 revision)')
    expect(response.body).toContain('<li id="revision-1">')
  })

  it('reach a response code of several levels by a readable path, and show each revision\'s changes field by field', async () => {
    publish('response-code', sampleResponseCode('SYS/TEMP'))
    publish('response-code', sampleResponseCode('SYS/TEMP', { commands: ['USER', 'PASS'], definition: 'Try again later.' }), 'update')
    const response = await page('/response-codes/SYS/TEMP')
    expect(response.statusCode).toBe(200)
    const text = textOf(response.body)
    expect(text).toContain('History (2 revisions)')
    const second = /<li id="revision-2">(.*?)<\/li>\s*<\/ol>/s.exec(response.body)?.[1] ?? ''
    expect(textOf(second)).toMatch(/Commands PASS USER, PASS/)
    expect(textOf(second)).toMatch(/Definition and expected client behaviour A test response code SYS\/TEMP\. Try again later\./)
    expect(textOf(second)).not.toContain('Valid for responses')
    expect((await page('/response-codes/SYS%2FTEMP')).statusCode).toBe(200)
  })

  it('answer 404 as a page to a browser and as problem+json to anyone else', async () => {
    const html = await page('/capabilities/NOPE')
    expect(html.statusCode).toBe(404)
    expect(html.headers['content-type']).toMatch(/^text\/html/)
    expect(textOf(html.body)).toContain('No capability "NOPE" is registered.')
    expectProblem(await registry.app.inject('/capabilities/NOPE'), 404)
    expectProblem(await registry.app.inject({ url: '/nowhere', headers: { accept: 'application/json' } }), 404)
    const nowhere = await page('/nowhere')
    expect(nowhere.headers['content-type']).toMatch(/^text\/html/)
    // An error page on a route of the API still gets the pages' policy, which lets its stylesheet load.
    expect(nowhere.headers['content-security-policy']).toMatch(/style-src 'self'/)
  })
})

describe('error pages', () => {
  it('tell a browser what went wrong without internals, and keep problem+json for API clients', async () => {
    const wrongMethod = await registry.app.inject({ method: 'DELETE', url: '/', headers: { accept: HTML_ACCEPT } })
    expect(wrongMethod.statusCode).toBe(405)
    expect(wrongMethod.headers['content-type']).toMatch(/^text\/html/)
    expect(wrongMethod.headers['content-security-policy']).toMatch(/default-src 'none'/)
    registry.db.close()
    const failed = await page('/capabilities/TOP')
    expect(failed.statusCode).toBe(500)
    expect(failed.headers['content-type']).toMatch(/^text\/html/)
    expect(textOf(failed.body)).toMatch(/quote request id \S+ when reporting it/)
    expect(failed.body).not.toMatch(/database|sqlite|at \//i)
    expectProblem(await registry.app.inject('/capabilities/TOP'), 500)
  })
})

describe('escaping', () => {
  it('renders an entry holding markup as text that runs nothing', async () => {
    const hostile = '<script>alert(1)</script>'
    const attribute = '"><img src=x onerror=alert(1)>'
    publish('capability', sampleCapability('FREE-HOSTILE', { discussion: hostile, notes: [attribute], references: ['RFC2449', 'https://example.org/?a="><b>'] }))
    for (const url of ['/', '/capabilities/FREE-HOSTILE', '/?q=%3Cscript%3E']) {
      const response = await page(url)
      expect(response.statusCode, url).toBe(200)
      expect(response.body, url).not.toMatch(/<script|<img|<b>/i)
    }
    const entry = await page('/capabilities/FREE-HOSTILE')
    expect(entry.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(entry.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(textOf(entry.body)).toContain(hostile)
  })
})
