import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Capability } from '../schema/capability.ts'
import type { ResponseCode } from '../schema/response-code.ts'
import { capabilityCells, createFootnoteCounter, responseCodeCells } from '../server/publish/cells.ts'
import { loadLaterRegistrations } from '../server/store/seed.ts'
import { startRegistry, type TestRegistry } from './helpers.ts'

// IANA's registrations after 2001 are reviewed data too: these tests hold every seeded cell to
// IANA's registry as it stands, and each revision's day to the texts that date it.
const later = loadLaterRegistrations()
const sourceText = (name: string) => readFileSync(new URL(`../seed/source/${name}`, import.meta.url), 'utf8')
const IANA_NOW = sourceText('iana-pop3-extension-mechanism-2013-03-13.txt')
const IANA_2007 = sourceText('iana-pop3-extension-mechanism-2007-10-04.txt')
const RFCS = sourceText('rfc-publications.txt')

/** The rows of the table whose header line begins with `header`: cells split at " | ". */
function tableRows(header: string): string[][] {
  const lines = IANA_NOW.split('\n')
  const start = lines.findIndex((line) => line.startsWith(header))
  const rows: string[][] = []
  for (const line of lines.slice(start + 1)) {
    if (!line.includes(' | ')) break
    rows.push(line.split(' | ').map((cell) => cell.replace(/ \|$/, '').trim()))
  }
  return rows
}

// How IANA's table writes what we store otherwise, each explained in the seed's notes and the README.
const asIanaWrites = (cell: string) => cell
  .replace(/^AUTHORIZATION$/, 'AUTHENTICATION') // USER, SASL, STLS: RFC 2449's name, RFC 1939's state
  .replace(/^AUTHORIZATION, TRANSACTION$/, 'AUTHORIZATION TRANSACTION') // LANG: IANA writes no comma
const IANA_AUTHENTICATION = new Set(['USER', 'SASL', 'STLS'])

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'current') })
afterAll(async () => { await registry.close() })

describe('seed/later-registrations.json', () => {
  it('adds to the bibliography every RFC the later revisions cite, each from the day of the first revision to cite it', () => {
    const cited = new Map<string, string>()
    for (const revision of later.revisions) {
      for (const reference of revision.entry.references) if (!cited.has(reference)) cited.set(reference, revision.date)
    }
    const initialIds = ['RFC1734', 'RFC1939', 'RFC2449', 'RFC2595']
    const added = [...cited].filter(([id]) => !initialIds.includes(id))
    expect(later.bibliography.map((ref) => [ref.id, ref.since])).toEqual(added)
    for (const ref of later.bibliography) {
      // Each citation's number, title and date as the RFC Editor's records in seed/source give them.
      const number = ref.id.slice(3)
      const record = RFCS.slice(RFCS.indexOf(`RFC ${number} --`)).slice(0, 900).replace(/\s+/g, ' ')
      const [, title, date] = /"(.*)", RFC \d+, (\w+ \d{4})\.$/.exec(ref.citation)!
      expect(record, ref.id).toContain(title!.slice(0, 24))
      expect(record, ref.id).toContain(date)
    }
    expect(registry.store.registry.metadata()!.bibliography.map((ref) => ref.id)).toEqual([...initialIds, ...added.map(([id]) => id)])
  })

  it('holds the texts of RFC 3206\'s entries to the stored extract of RFC 3206', () => {
    const extract = sourceText('rfc3206-extract.txt').replace(/\s+/g, ' ')
    for (const phrase of ['includes the AUTH response code with any authentication error caused by a problem with the user\'s credentials',
      'unlikely to be resolved without intervention', 'no need to alarm the user, unless the failure persists',
      'an incorrect password, an unknown user name, an expired account', 'corrupted mailboxes, system configuration errors']) {
      expect(extract).toContain(phrase)
    }
    const text = (key: string) => JSON.stringify(later.revisions.find((r) => ('tag' in r.entry ? r.entry.tag : r.entry.code) === key)!.entry)
    expect(text('AUTH-RESP-CODE')).toContain('includes the AUTH response code with any authentication error caused by a problem with the user\'s credentials')
    expect(text('SYS/PERM')).toContain('unlikely to be resolved without intervention')
    expect(text('SYS/TEMP')).toContain('no need to alarm the user unless the failure persists')
    expect(text('AUTH')).toContain('an incorrect password, an unknown user name, an expired account')
  })

  it('names the source files it was read from, byte for byte', () => {
    for (const source of later.sources) {
      const digest = createHash('sha256').update(readFileSync(new URL(`../${source.file}`, import.meta.url))).digest('hex')
      expect(digest, source.file).toBe(source.sha256)
    }
  })

  it('gives every capability row of IANA\'s table today, in its order, cell by cell', () => {
    const rows = tableRows('CAPA Tag | ')
    const entries = [...registry.store.capabilities.all()] as Capability[]
    expect(entries.map((entry) => entry.tag)).toEqual(rows.map((row) => row[0]))
    const footnotes = createFootnoteCounter()
    entries.forEach((entry, index) => {
      const cells = capabilityCells(entry, footnotes.add(entry.tag, entry.notes))
      const ours = cells.map((cell, column) =>
        column === 6 && (IANA_AUTHENTICATION.has(entry.tag) || entry.tag === 'LANG') ? asIanaWrites(cell) : cell)
      expect(ours, entry.tag).toEqual(rows[index])
    })
  })

  it('gives every response code row of IANA\'s table today, in its order, cell by cell', () => {
    const rows = tableRows('Response Code | ')
    const entries = [...registry.store.responseCodes.all()] as ResponseCode[]
    expect(entries.map((entry) => entry.code)).toEqual(rows.map((row) => row[0]))
    const footnotes = createFootnoteCounter()
    entries.forEach((entry, index) => {
      const [code, types, commands, references] = responseCodeCells(entry, footnotes.add(entry.code, entry.notes))
      const row = rows[index]!
      expect([code, types, references], entry.code).toEqual([row[0], row[1], row[3]])
      if (row[2] === 'All commands') expect(commands, entry.code).toBe('all')
      else if (entry.code === 'AUTH') {
        // "Any authentication command including AUTH USER [2], PASS, or APOP.": the commands it names.
        expect(commands).toBe('AUTH, USER[2], PASS, APOP')
        expect(row[2]!.replace(/ \[2\]/, '[2]').match(/[A-Z]{4}(\[2\])?/g)).toEqual(['AUTH', 'USER[2]', 'PASS', 'APOP'])
      } else expect(commands, entry.code).toBe(row[2])
    })
  })

  it('keeps IANA\'s footnote [2] on USER of AUTH, whose text begins as IANA\'s does', () => {
    expect(IANA_NOW).toMatch(/\[2\] \|\nRetur/)
    const auth = registry.store.responseCodes.get('AUTH') as ResponseCode
    expect(auth.notes).toEqual([expect.stringMatching(/^USER: Retur/)])
  })

  it('dates each revision by IANA\'s own text where it has one, else by the month\'s last day', () => {
    expect(IANA_NOW).toMatch(/Last Updated\n2013-03-13/)
    expect(IANA_2007).toContain('(last updated 2007-10-04)')
    for (const revision of later.revisions) {
      const rfc = revision.entry.references.find((r) => r !== 'RFC2449')!.slice(3)
      const published = new RegExp(`RFC ${rfc} --[\\s\\S]*?Date: +([A-Z][a-z]+) (\\d{4})`).exec(RFCS)
      if (revision.dateKnownTo === 'month') {
        const [, month, year] = published!
        const monthIndex = new Date(`${month} 1, ${year} UTC`).getUTCMonth()
        const lastDay = new Date(Date.UTC(Number(year), monthIndex + 1, 0)).toISOString().slice(0, 10)
        expect(revision.date, revision.note).toBe(lastDay)
        expect(revision.note).toMatch(/known to the month/)
      } else {
        expect(['2007-10-04', '2013-03-13']).toContain(revision.date)
      }
      expect(revision.note).toContain(`RFC ${rfc}`)
    }
  })

  it('has AUTH-RESP-CODE and SASL\'s new reference in IANA\'s text of 2007-10-04', () => {
    expect(IANA_2007).toMatch(/AUTH-RESP-CODE +\[RFC3206\]/)
    expect(IANA_2007).toMatch(/SASL +\[RFC2449, RFC-siemborski-rfc1734bis-11\.txt\]/)
    const authRespCode = later.revisions.find((r) => r.kind === 'capability' && r.entry.tag === 'AUTH-RESP-CODE')!
    expect(authRespCode.date < '2007-10-04').toBe(true)
    const sasl = later.revisions.find((r) => r.kind === 'capability' && r.entry.tag === 'SASL')!
    expect(sasl).toMatchObject({ date: '2007-10-04', action: 'update' })
    // IANA's table today wins over the draft name of 2007, and the note says so.
    expect(sasl.entry.references).toEqual(['RFC2449', 'RFC5034'])
    expect(sasl.note).toMatch(/rfc1734bis-11.*IANA's table wins/s)
  })

  it('knows the status of every RFC the seeds cite, and of those they obsolete', () => {
    const cited = new Set([...registry.store.capabilities.all(), ...registry.store.responseCodes.all()]
      .flatMap((entry) => (entry as { references: string[] }).references))
    for (const rfc of [...cited, 'RFC1734', 'RFC5721']) {
      expect(registry.store.rfcs.get(Number(rfc.slice(3))), rfc).toBeDefined()
    }
    expect(registry.store.rfcs.get(1734)?.obsoletedBy).toBe('RFC5034')
    expect(registry.store.rfcs.get(5721)?.obsoletedBy).toBe('RFC6856')
  })
})
