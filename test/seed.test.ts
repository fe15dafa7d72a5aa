import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { Capability } from '../schema/capability.ts'
import type { ResponseCode } from '../schema/response-code.ts'
import { loadSeed } from '../server/store/seed.ts'
import { CAPABILITY_ROWS, RESPONSE_CODE_ROWS, SOURCE_LINES, SOURCE_TEXT, sourceTokens } from './source-table.ts'

// The seed is reviewed data; these tests hold it against the source document it was read from.
const seed = loadSeed()
const flat = (text: string) => text.replace(/\s+/g, ' ').trim()
const sourceText = SOURCE_TEXT
const lines = SOURCE_LINES
const tokens = sourceTokens

// How the source writes each value; the cut "AUTHENTICAT" is RFC 2449's AUTHENTICATION,
// which the seed stores as RFC 1939's AUTHORIZATION (see its provenance notes).
const SOURCE_STATE: Record<string, string> = { AUTHORIZATION: 'AUTHENTICAT', TRANSACTION: 'TRANSACTION', UPDATE: 'UPDATE' }
const orNone = (values: string[]) => (values.length === 0 ? ['none'] : values)

function capabilityTokens(entry: Capability): string[] {
  const bothStates = entry.announcedStates.length === 2 && !entry.announcedStates.includes('UPDATE')
  expect(bothStates, `${entry.tag} is announced in both states`).toBe(true)
  return [
    entry.tag,
    ...orNone(entry.arguments.flatMap((argument) => argument.split(' '))),
    ...orNone(entry.addedCommands),
    ...(entry.affectedCommands === 'all' ? ['all'] : orNone(entry.affectedCommands)),
    ...(entry.announcementOptionalIn?.includes('AUTHORIZATION') ? ['TRANS', 'both'] : ['both']),
    entry.possibleDifferences ? 'yes' : 'no',
    ...(entry.validStates.length === 0 ? ['n_a'] : entry.validStates.map((state) => SOURCE_STATE[state]!)),
    ...entry.references,
  ].sort()
}

function responseCodeTokens(entry: ResponseCode): string[] {
  const footnoted = (command: string) => entry.notes?.some((note) => note.startsWith(`${command}: `)) ?? false
  const commands = entry.commands === 'all' ? ['all'] : entry.commands
  return [
    entry.code,
    ...entry.responseTypes,
    ...commands.map((command) => (footnoted(command) ? `${command}*` : command)),
    ...entry.references,
  ].sort()
}

describe('seed/initial-set.json', () => {
  it('names the source file it was read from, byte for byte', () => {
    const digest = createHash('sha256').update(readFileSync(new URL(`../${seed.source.file}`, import.meta.url))).digest('hex')
    expect(digest).toBe(seed.source.sha256)
  })

  const capabilityRows = CAPABILITY_ROWS
  const responseCodeRows = RESPONSE_CODE_ROWS

  it('has every row of the capabilities table, in the source\'s order', () => {
    expect(capabilityRows.map((row) => row[0]!.split(' ')[0])).toEqual(seed.capabilities.map(({ entry }) => entry.tag))
    expect(seed.capabilities).toHaveLength(10)
  })

  for (const [index, { entry }] of seed.capabilities.entries()) {
    it(`holds every cell of the ${entry.tag} row, wrapped parts included`, () => {
      expect(capabilityTokens(entry)).toEqual(tokens(capabilityRows[index]!))
    })
  }

  it('has every row of the response codes table, in the source\'s order', () => {
    expect(responseCodeRows.map((row) => row[0]!.split(' ')[0])).toEqual(seed.responseCodes.map(({ entry }) => entry.code))
    expect(seed.responseCodes).toHaveLength(2)
  })

  for (const [index, { entry }] of seed.responseCodes.entries()) {
    it(`holds every cell of the ${entry.code} response code row`, () => {
      expect(responseCodeTokens(entry)).toEqual(tokens(responseCodeRows[index]!))
    })
  }

  it('keeps the "* - see spec for details" footnote on USER of LOGIN-DELAY', () => {
    expect(lines).toContain('* - see spec for details')
    const loginDelay = seed.responseCodes.find(({ entry }) => entry.code === 'LOGIN-DELAY')!.entry
    expect(loginDelay.notes?.[0]).toMatch(/^USER: see spec for details/)
  })

  it('has each capability of the source\'s initial-set list, with its reference', () => {
    const from = lines.indexOf('Initial Set of Capabilities')
    const to = lines.indexOf('POP3 Response Codes')
    const listed = lines.slice(from + 1, to).map((line) => /^(\S+) \[(RFC\d+)\]$/.exec(line)!)
    expect(listed).toHaveLength(9)
    for (const [, tag, reference] of listed) {
      const entry = seed.capabilities.find((c) => c.entry.tag === tag)?.entry
      expect(entry?.references, tag).toContain(reference)
    }
  })

  it('carries the registry\'s title, note and last-updated date as the source gives them', () => {
    expect(lines).toContain(seed.registry.title)
    expect(lines).toContain('(last updated 2001 Jun 29)')
    expect(seed.registry.lastUpdated).toBe('2001-06-29')
    expect(flat(sourceText)).toContain(seed.registry.note)
  })

  it('states each sub-registry\'s procedure and required items in the source\'s words', () => {
    for (const sub of seed.registry.subRegistries) {
      expect(flat(sourceText), sub.id).toContain(sub.registrationProcedure)
    }
    const capabilities = seed.registry.subRegistries.find((sub) => sub.id === 'capabilities')!
    for (const { label } of capabilities.requiredFields) expect(lines).toContain(label)
    expect(flat(sourceText)).toContain('(This is the "Specification Required" policy described in [IANA])')
  })

  it('cites every reference of the source\'s REFERENCES list, and only those', () => {
    const cited = [...sourceText.matchAll(/^\[(RFC\d+)\] /gm)].map((match) => match[1])
    expect(seed.registry.bibliography.map((ref) => ref.id)).toEqual(cited)
    for (const ref of seed.registry.bibliography) {
      const title = /"([^"]+)"/.exec(ref.citation)![1]!
      const entryText = flat(sourceText.slice(sourceText.indexOf('REFERENCES'))).split(`[${ref.id}] `)[1]!.split(' [')[0]!
      expect(entryText, ref.id).toContain(`"${title}"`)
      expect(ref.citation, ref.id).toContain(`${ref.id.replace('RFC', 'RFC ')},`)
      expect(entryText, ref.id).toContain(`${ref.id.replace('RFC', 'RFC ')},`)
    }
    const everyReference = [...seed.capabilities, ...seed.responseCodes].flatMap(({ entry }) => entry.references)
    for (const reference of everyReference) expect(cited).toContain(reference)
  })

  it('gives the status of every RFC the initial set cites, for the reference warnings', () => {
    const statuses = JSON.parse(readFileSync(new URL('../seed/rfc-status.json', import.meta.url), 'utf8')) as { rfcs: { number: number }[] }
    const known = statuses.rfcs.map((rfc) => `RFC${rfc.number}`)
    expect(known).toEqual(expect.arrayContaining(seed.registry.bibliography.map((ref) => ref.id)))
  })

  it('explains every value it had to interpret', () => {
    const noted = (tag: string, field: string) =>
      seed.capabilities.find(({ entry }) => entry.tag === tag)?.provenance?.[field]
    for (const tag of ['USER', 'SASL', 'STLS']) expect(noted(tag, 'validStates')).toMatch(/AUTHENTICAT/)
    expect(noted('IMPLEMENTATION', 'announcedStates')).toMatch(/TRANS\/both/)
    expect(noted('EXPIRE', 'arguments')).toMatch(/NEVER&USER/)
    expect(noted('LOGIN-DELAY', 'affectedCommands')).toMatch(/APOP,AUTH/)
    expect(noted('STLS', 'affectedCommands')).toMatch(/PASS,CAPA/)
  })
})
