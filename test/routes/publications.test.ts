import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { approveRegistration, expectProblem, sampleCapability, startRegistry, tempDir, type TestRegistry } from '../helpers.ts'
import { CAPABILITY_ROWS, RESPONSE_CODE_ROWS, sourceTokens } from '../source-table.ts'

let registry: TestRegistry
beforeEach(async () => { registry = await startRegistry(':memory:', 'initial') })
afterEach(async () => { await registry.close() })

const get = (url: string, headers: Record<string, string> = {}) => registry.app.inject({ method: 'GET', url, headers })

const approve = (body: object) => approveRegistration(registry, body)

describe('GET /v1/capabilities.csv and /v1/response-codes.csv', () => {
  it('reads as IANA\'s table for the seeded data, but for AUTHORIZATION', async () => {
    const response = await get('/v1/capabilities.csv')
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present')
    expect(response.headers['content-disposition']).toBe('attachment; filename="pop3-capabilities.csv"')
    expect(response.body).toBe([
      'CAPA Tag,CAPA Args,Added Cmds,Cmds Affected,List,Diffs,Cmd Valid,References',
      'TOP,none,TOP,none,both,no,TRANSACTION,[RFC2449][RFC1939]',
      'USER,none,"USER, PASS",none,both,no,AUTHORIZATION,[RFC2449][RFC1939]',
      'SASL,mech list,AUTH,none,both,no,AUTHORIZATION,[RFC2449][RFC1734]',
      'RESP-CODES,none,none,none,both,no,n/a,[RFC2449]',
      'LOGIN-DELAY,"secs, USER",none,"USER, PASS, APOP, AUTH",both,yes,n/a,[RFC2449]',
      'PIPELINING,none,none,all,both,no,n/a,[RFC2449]',
      'EXPIRE,"days, NEVER, USER",none,none,both,yes,n/a,[RFC2449]',
      'UIDL,none,UIDL,none,both,no,TRANSACTION,[RFC2449][RFC1939]',
      'IMPLEMENTATION,text,none,none,"TRANS, both",no,n/a,[RFC2449][RFC1939]',
      'STLS,none,STLS,"USER, PASS, CAPA",both,no,AUTHORIZATION,[RFC2595]',
      '',
    ].join('\r\n'))
  })

  it('marks LOGIN-DELAY\'s footnote on USER', async () => {
    expect((await get('/v1/response-codes.csv')).body).toBe([
      'Response Code,Response Types,Commands,Reference',
      'LOGIN-DELAY,-ERR,"USER[1], PASS, APOP, AUTH",[RFC2449]',
      'IN-USE,-ERR,"PASS, APOP, AUTH",[RFC2449]',
      '',
    ].join('\r\n'))
  })

  it('quotes by RFC 4180 and grows by a row when a registration is approved', async () => {
    await approve({ kind: 'capability', action: 'register', entry: sampleCapability('QUOTED', { arguments: ['say "hi", twice'], references: ['RFC2449', 'https://example.org/quoted'] }) })
    const lines = (await get('/v1/capabilities.csv')).body.split('\r\n')
    expect(lines).toHaveLength(13)
    expect(lines[11]).toBe('QUOTED,"say ""hi"", twice",none,none,both,no,n/a,[RFC2449][https://example.org/quoted]')
  })
})

describe('content negotiation on the lists', () => {
  it('gives JSON by default and CSV for Accept: text/csv, saying it varies', async () => {
    expect((await get('/v1/capabilities')).headers['content-type']).toMatch(/^application\/json/)
    const csv = await get('/v1/capabilities', { accept: 'text/csv' })
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.headers.vary).toBe('Accept')
    expect(csv.body).toBe((await get('/v1/capabilities.csv')).body)
    expect((await get('/v1/response-codes', { accept: 'text/csv;q=0.9, application/json;q=0.1' })).body)
      .toBe((await get('/v1/response-codes.csv')).body)
    expect((await get('/v1/capabilities?state=TRANSACTION', { accept: 'text/csv' })).body.split('\r\n')).toHaveLength(4)
  })

  it.each([
    ['/v1/capabilities', 'image/png'],
    ['/v1/response-codes', 'application/xml'],
    ['/v1/capabilities/TOP', 'text/csv'],
    ['/v1/registry.xml', 'application/json'],
  ])('answers %s with Accept: %s by 406 problem', async (url, accept) => {
    expectProblem(await get(url, { accept }), 406)
  })
})

describe('GET /v1/registry.xml', () => {
  it('is well-formed registry XML with every record and its references', async () => {
    const response = await get('/v1/registry.xml')
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8')
    expect(XMLValidator.validate(response.body)).toBe(true)
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['registry', 'record', 'xref', 'footnote'].includes(name) }).parse(response.body)
    const root = parsed.registry[0]
    expect(root['@_xmlns']).toBe('http://www.iana.org/assignments')
    expect(root['@_id']).toBe('pop3-extension-mechanism')
    expect(root.title).toBe('POP3 Extension Mechanism')
    expect(root.updated).toBe('2001-06-29')
    const [capabilities, codes] = root.registry
    expect(capabilities.registration_rule).toContain('MUST NOT begin with the letter "X"')
    expect(capabilities.record).toHaveLength(10)
    expect(capabilities.record[4]).toMatchObject({ capa_tag: 'LOGIN-DELAY', cmds_affected: 'USER, PASS, APOP, AUTH', diffs: 'yes', cmd_valid: 'n/a' })
    expect(capabilities.record[0].xref.map((x: Record<string, string>) => [x['@_type'], x['@_data']])).toEqual([['rfc', 'rfc2449'], ['rfc', 'rfc1939']])
    expect(codes.record.map((r: { value: string }) => r.value)).toEqual(['LOGIN-DELAY', 'IN-USE'])
    expect(codes.footnote[0]['@_anchor']).toBe('1')
    expect(codes.footnote[0]['#text']).toMatch(/^see spec for details/)
  })

  it('escapes what XML must, and cites a URL reference as a uri', async () => {
    await approve({ kind: 'capability', action: 'register', entry: sampleCapability('ESCAPE', { arguments: ['<a> & "b"'], references: ['RFC2449', 'https://example.org/a?b=1&c=2'] }) })
    const body = (await get('/v1/registry.xml')).body
    expect(XMLValidator.validate(body)).toBe(true)
    expect(body).toContain('<capa_args>&lt;a&gt; &amp; &quot;b&quot;</capa_args>')
    expect(body).toContain('<xref type="uri" data="https://example.org/a?b=1&amp;c=2"/>')
  })

  it('stays well-formed when the database holds text XML 1.0 cannot carry (an older or imported entry)', async () => {
    // The rules refuse such text now; a database written before them, or an import, may still hold it.
    registry.store.capabilities.publish(sampleCapability('CONTROL', { arguments: ['a\u0001b', 'esc\u001b', 'x\ufffe'], notes: ['Half \ud800 a pair \uffff'] }),
      { at: '2026-01-01T00:00:00.000Z', action: 'register' })
    const body = (await get('/v1/registry.xml')).body
    expect(XMLValidator.validate(body)).toBe(true)
    expect(body).toContain('<capa_args>a\ufffdb, esc\ufffd, x\ufffd</capa_args>')
    expect(body).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/)
  })
})

describe('CSV cells a spreadsheet would run as formulas', () => {
  it('are written as text, with a leading quote, while IANA\'s own cells stay byte for byte', async () => {
    const before = (await get('/v1/capabilities.csv')).body
    for (const [tag, argument] of [['=1+1', '=HYPERLINK("http://evil.example","x")'], ['+SUM', '+1'], ['-CMD', '-2'], ['@AT', '@SUM(A1)']] as const) {
      await approve({ kind: 'capability', action: 'register', entry: sampleCapability(tag, { arguments: [argument] }) })
    }
    registry.store.capabilities.publish(sampleCapability('TABBED', { arguments: ['\tx', '\ry'] }), { at: '2026-01-01T00:00:00.000Z', action: 'register' })
    const body = (await get('/v1/capabilities.csv')).body
    expect(body.startsWith(before)).toBe(true)
    const added = body.slice(before.length).split('\r\n').slice(0, 4)
    expect(added).toEqual([
      `'=1+1,"'=HYPERLINK(""http://evil.example"",""x"")",none,none,both,no,n/a,[RFC2449]`,
      `'+SUM,'+1,none,none,both,no,n/a,[RFC2449]`,
      `'-CMD,'-2,none,none,both,no,n/a,[RFC2449]`,
      `'@AT,'@SUM(A1),none,none,both,no,n/a,[RFC2449]`,
    ])
    expect(body).toContain(`TABBED,"'\tx, \ry"`)
    for (const line of body.split('\r\n').slice(1)) {
      for (const cell of line.match(/("([^"]|"")*"|[^,]*)/g) ?? []) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/)
    }
  })

  it('neutralise a response code\'s too, but not the Response Types column, which holds only +OK and -ERR', async () => {
    await approve({ kind: 'response-code', action: 'register', entry: { code: '=CODE', responseTypes: ['+OK', '-ERR'], commands: ['PASS'], definition: 'A test.', references: ['RFC2449'] } })
    expect((await get('/v1/response-codes.csv')).body).toContain(`\r\n'=CODE,"+OK, -ERR",PASS,[RFC2449]\r\n`)
  })
})

// The source's tables, cell by cell, with its wrapped cells joined. The first test below holds this
// transcription to the source text itself; the second holds /v1/registry.txt to it.
const SOURCE_CAPABILITY_CELLS = [
  ['TOP', 'none', 'TOP', 'none', 'both', 'no', 'TRANSACTION', '[RFC2449, RFC1939]'],
  ['USER', 'none', 'USER,PASS', 'none', 'both', 'no', 'AUTHENTICAT', '[RFC2449, RFC1939]'],
  ['SASL', 'mech list', 'AUTH', 'none', 'both', 'no', 'AUTHENTICAT', '[RFC2449, RFC1734]'],
  ['RESP-CODES', 'none', 'none', 'none', 'both', 'no', 'n/a', '[RFC2449]'],
  ['LOGIN-DELAY', 'secs&USER', 'none', 'USER,PASS,APOP,AUTH', 'both', 'yes', 'n/a', '[RFC2449]'],
  ['PIPELINING', 'none', 'none', 'all', 'both', 'no', 'n/a', '[RFC2449]'],
  ['EXPIRE', 'days/NEVER&USER', 'none', 'none', 'both', 'yes', 'n/a', '[RFC2449]'],
  ['UIDL', 'none', 'UIDL', 'none', 'both', 'no', 'TRANSACTION', '[RFC2449, RFC1939]'],
  ['IMPLEMENTATION', 'text', 'none', 'none', 'TRANS/both', 'no', 'n/a', '[RFC2449, RFC1939]'],
  ['STLS', 'none', 'STLS', 'USER, PASS,CAPA', 'both', 'no', 'AUTHENTICAT', '[RFC2595]'],
]
const SOURCE_RESPONSE_CODE_CELLS = [
  ['LOGIN-DELAY', '-ERR', 'USER*,PASS,APOP,AUTH', '[RFC2449]'],
  ['IN-USE', '-ERR', 'PASS,APOP,AUTH', '[RFC2449]'],
]

/** A cell reduced to its values: the shorthand of either table, marks and spacing taken out. */
const values = (cell: string) => cell
  .replace(/\[\d+\]|\*/g, '')
  .replace(/\bAUTHENTICAT\b/g, 'AUTHORIZATION')
  .replace(/[\s,&/[\]]+/g, ' ')
  .trim()
  .toUpperCase()

/** The rows of the fixed-width table whose header begins `header`, split where its dashes are. */
function fixedWidthRows(text: string, header: string): string[][] {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.startsWith(header))
  const dashes = lines[start + 1]!
  const columns = [...dashes.matchAll(/-+/g)].map((match) => [match.index, match.index + match[0].length] as const)
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === '') break
    rows.push(columns.map(([from], i) => line.slice(from, i + 1 < columns.length ? columns[i + 1]![0] : undefined).trim()))
  }
  return rows
}

describe('GET /v1/registry.txt', () => {
  it('(its transcription of the source\'s tables holds every word of each row, wrapped parts included)', () => {
    expect(SOURCE_CAPABILITY_CELLS.map(sourceTokens)).toEqual(CAPABILITY_ROWS.map(sourceTokens))
    expect(SOURCE_RESPONSE_CODE_CELLS.map(sourceTokens)).toEqual(RESPONSE_CODE_ROWS.map(sourceTokens))
    // and the first line of each row begins with its first two cells, as the text shows them
    for (const [i, row] of SOURCE_CAPABILITY_CELLS.entries()) expect(CAPABILITY_ROWS[i]![0]).toMatch(new RegExp(`^${row[0]} ${row[1]!.slice(0, 4)}`))
  })

  it('carries every value of the source\'s tables, cell by cell', async () => {
    const text = (await get('/v1/registry.txt')).body
    expect(fixedWidthRows(text, 'CAPA Tag').map((row) => row.map(values))).toEqual(SOURCE_CAPABILITY_CELLS.map((row) => row.map(values)))
    expect(fixedWidthRows(text, 'Response Code').map((row) => row.map(values))).toEqual(SOURCE_RESPONSE_CODE_CELLS.map((row) => row.map(values)))
    expect(text).toMatch(/\[1\] see spec for details/)
    expect(text.split('\n').slice(0, 2)).toEqual(['POP3 Extension Mechanism', '(last updated 2001-06-29)'])
  })
})

describe('GET /v1/registry.json', () => {
  it('holds the metadata, both sub-registries, footnotes and history', async () => {
    const body = (await get('/v1/registry.json')).json()
    expect(body.format).toBe('pop3-registry/1')
    expect(body.registry.lastUpdated).toBe('2001-06-29')
    expect(body.capabilities).toEqual((await get('/v1/capabilities')).json().items)
    expect(body.responseCodes).toEqual((await get('/v1/response-codes')).json().items)
    expect(body.footnotes['response-codes']).toEqual([{ anchor: 1, key: 'LOGIN-DELAY', on: 'USER', text: expect.stringMatching(/^see spec/) }])
    expect(body.history).toHaveLength(12)
  })
})

describe('every publication after a change', () => {
  const FORMS = ['/v1/capabilities.csv', '/v1/response-codes.csv', '/v1/registry.xml', '/v1/registry.txt', '/v1/registry.json', '/v1/capabilities', '/v1/registry']

  it('answers 304 while the registry is unchanged, and a new body, ETag and date at once after an approval', async () => {
    const before = await Promise.all(FORMS.map((url) => get(url)))
    for (const [i, response] of before.entries()) {
      expect(response.headers['last-modified'], FORMS[i]).toBe('Fri, 29 Jun 2001 00:00:00 GMT')
      expect((await get(FORMS[i]!, { 'if-none-match': response.headers.etag as string })).statusCode, FORMS[i]).toBe(304)
    }

    await approve({ kind: 'capability', action: 'register', entry: sampleCapability('FRESH') })
    await approve({ kind: 'capability', action: 'update', entry: sampleCapability('TOP', { addedCommands: ['TOP'], validStates: ['TRANSACTION'], references: ['RFC2449', 'RFC1939'] }) })

    const today = new Date().toISOString().slice(0, 10)
    for (const [i, url] of FORMS.entries()) {
      const after = await get(url, { 'if-none-match': before[i]!.headers.etag as string })
      // The response codes did not change, so their CSV is still the client's copy.
      expect(after.statusCode, url).toBe(url === '/v1/response-codes.csv' ? 304 : 200)
      if (after.statusCode === 200) expect(after.headers.etag, url).not.toBe(before[i]!.headers.etag)
      expect(after.headers['last-modified'], url).not.toBe('Fri, 29 Jun 2001 00:00:00 GMT')
    }
    expect((await get('/v1/registry.xml')).body).toContain(`<updated>${today}</updated>`)
    expect((await get('/v1/registry.txt')).body).toContain(`(last updated ${today})`)
    expect((await get('/v1/capabilities.csv')).body).toContain('\r\nFRESH,none,none,none,both,no,n/a,[RFC2449]\r\n')
    expect((await get('/v1/registry.json')).json().registry.lastUpdated).toBe(today)
  })
})

describe('GET /v1/changes', () => {
  it('lists every change after a sequence number, oldest first, seeded entries included', async () => {
    const all = (await get('/v1/changes?since=0')).json()
    expect(all.items).toHaveLength(12)
    expect(all.latest).toBe(12)
    expect(all.items[0]).toEqual({ seq: 1, at: '2001-06-29T00:00:00.000Z', registry: 'capabilities', key: 'TOP', action: 'register', registrationId: null })
    expect(all.items[11]).toMatchObject({ seq: 12, registry: 'response-codes', key: 'IN-USE' })
    expect((await get('/v1/changes?since=12')).json()).toEqual({ items: [], latest: 12 })
    expect((await get('/v1/changes?since=3&limit=2')).json().items.map((c: { seq: number }) => c.seq)).toEqual([4, 5])
  })

  it('writes an approved change\'s registration as a number, in the schema\'s key order, as compact JSON', async () => {
    const { id } = await approve({ kind: 'capability', action: 'register', entry: sampleCapability('FEEDJSON') })
    const response = await get('/v1/changes?since=12')
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    const at = response.json().items[0].at as string
    expect(response.body).toBe(JSON.stringify({
      items: [{ seq: 13, at, registry: 'capabilities', key: 'FEEDJSON', action: 'register', registrationId: id }],
      latest: 13,
    }))
  })

  it('keeps the feed\'s last page for the next identical read, but not a full page from its middle', async () => {
    const keyOf = (body: string, seq: number) => (JSON.parse(body) as { items: { seq: number, key: string }[] }).items.find((item) => item.seq === seq)?.key
    // Asked for twice each: the read cache keeps an answer from its key's second ask on.
    await get('/v1/changes?since=0&limit=2')
    await get('/v1/changes?since=10')
    const full = await get('/v1/changes?since=0&limit=2')
    const last = await get('/v1/changes?since=10')
    expect([keyOf(full.body, 1), keyOf(last.body, 11)]).toEqual(['TOP', 'LOGIN-DELAY'])
    // Rows changed behind the store's back leave the registry's version where it was, so a kept
    // answer is served as it was kept, and one passed over is made again from the rows.
    registry.db.prepare('UPDATE changes SET key = key || \'-EDITED\' WHERE seq IN (1, 11)').run()
    const fullAgain = await get('/v1/changes?since=0&limit=2')
    const lastAgain = await get('/v1/changes?since=10')
    expect([keyOf(fullAgain.body, 1), keyOf(lastAgain.body, 11)]).toEqual(['TOP-EDITED', 'LOGIN-DELAY'])
    expect(lastAgain.body).toBe(last.body)
    // A page passed over still has its validators, and a client's copy of it is still current.
    expect(fullAgain.headers.etag).not.toBe(full.headers.etag)
    for (const method of ['GET', 'HEAD'] as const) {
      const notModified = await registry.app.inject({ method, url: '/v1/changes?since=0&limit=2', headers: { 'if-none-match': fullAgain.headers.etag as string } })
      expect(notModified.statusCode).toBe(304)
      // As a kept answer's 304: no Content-Length (RFC 9110 §8.6 allows only the 200's own).
      expect(notModified.headers['content-length'], method).toBeUndefined()
      expect(notModified.body).toBe('')
    }
    expect(fullAgain.headers['last-modified']).toBe(full.headers['last-modified'])
  })

  it.each(['since=-1', 'since=abc', 'limit=0', 'limit=1001', 'after=3'])('answers ?%s with 400', async (query) => {
    expectProblem(await get(`/v1/changes?${query}`), 400)
  })

  it('lets a mirror that follows it from 0 end with the same registry as registry.json', async () => {
    await approve({ kind: 'capability', action: 'register', entry: sampleCapability('MIRRORED') })
    await approve({ kind: 'response-code', action: 'register', entry: { code: 'SYS/TEMP', responseTypes: ['-ERR'], commands: 'all', definition: 'Transient.', references: ['RFC3206'] } })
    await approve({ kind: 'capability', action: 'update', entry: sampleCapability('MIRRORED', { discussion: 'Second revision.' }) })

    const mirror = { 'capabilities': new Map<string, unknown>(), 'response-codes': new Map<string, unknown>() }
    let since = 0
    for (;;) {
      const { items } = (await get(`/v1/changes?since=${since}&limit=4`)).json() as { items: { seq: number, registry: 'capabilities' | 'response-codes', key: string }[] }
      if (items.length === 0) break
      for (const change of items) {
        const entry = (await get(`/v1/${change.registry}/${encodeURIComponent(change.key)}`)).json()
        mirror[change.registry].set(change.key, entry)
        since = change.seq
      }
    }
    const exported = (await get('/v1/registry.json')).json()
    expect([...mirror.capabilities.values()]).toEqual(exported.capabilities)
    expect([...mirror['response-codes'].values()]).toEqual(exported.responseCodes)
  })
})

describe('a registry too large to keep in memory', () => {
  it('streams its downloads from a file, built once per version, read from one consistent snapshot', async () => {
    const dir = tempDir()
    const big = await startRegistry(join(dir.path, 'big.db'), 'initial')
    try {
      big.db.transaction(() => {
        for (let i = 0; i < 3_000; i++) {
          big.store.capabilities.publish(sampleCapability(`BIG${i}`, { discussion: `${'A long discussion. '.repeat(20)}${i}` }),
            { at: '2020-01-01T00:00:00.000Z', action: 'register' })
        }
      })()
      const first = await big.app.inject('/v1/registry.json')
      expect(first.statusCode).toBe(200)
      expect(Number(first.headers['content-length'])).toBeGreaterThan(1 << 20)
      expect(Number(first.headers['content-length'])).toBe(first.rawPayload.length)
      expect(first.json().capabilities).toHaveLength(3_010)
      expect((await big.app.inject({ url: '/v1/registry.json', headers: { 'if-none-match': first.headers.etag as string } })).statusCode).toBe(304)
      const head = await big.app.inject({ method: 'HEAD', url: '/v1/registry.json' })
      expect(head.statusCode).toBe(200)
      expect(head.headers.etag).toBe(first.headers.etag)

      big.store.capabilities.publish(sampleCapability('ONEMORE'), { at: '2021-01-01T00:00:00.000Z', action: 'register' })
      const after = await big.app.inject('/v1/registry.json')
      expect(after.headers.etag).not.toBe(first.headers.etag)
      expect(after.json().capabilities.at(-1).tag).toBe('ONEMORE')
      const csv = await big.app.inject('/v1/capabilities.csv')
      expect(csv.body.split('\r\n')).toHaveLength(3_013)
    } finally {
      await big.close()
      dir.remove()
    }
  })
})
