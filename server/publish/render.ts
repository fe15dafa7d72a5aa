import type { Capability } from '../../schema/capability.ts'
import type { Published } from '../../schema/entry.ts'
import type { RegistryMetadata } from '../../schema/registry.ts'
import type { ResponseCode } from '../../schema/response-code.ts'
import type { Rfc } from '../../schema/rfc.ts'
import { capabilityRecord, responseCodeRecord } from '../http/links.ts'
import type { ChangeWithEntry } from '../store/changes.ts'
import {
  CAPABILITY_COLUMNS, capabilityCells, createFootnoteCounter, deprecationOf, RESPONSE_CODE_COLUMNS, responseCodeCells,
  type Footnote,
} from './cells.ts'

/**
 * The publication forms, each a generator of chunks read from the store entry by entry, so that a
 * registry of any size is written out without ever being held whole in memory.
 */
export type Chunks = Generator<string>

/** What the downloads read: the registry as it is (the store) or as it stood on a day (store.asOf). */
export interface PublishedRegistry {
  registry: { metadata(): RegistryMetadata | undefined }
  capabilities: { all(): Iterable<Published<Capability>> }
  responseCodes: { all(): Iterable<Published<ResponseCode>> }
  rfcs: { all(): Rfc[] }
  changes: { withEntries(): Iterable<ChangeWithEntry> }
}

// A cell of registered text that a spreadsheet would read as a formula (OWASP's CSV injection
// advice) gets a leading "'", which spreadsheets show as text. The Response Types column is not
// registered text but the registry's own words, +OK and -ERR, and is written as IANA writes it.
const FORMULA = /^[=+\-@\t\r]/
// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; lines end CRLF.
const csvField = (cell: string, column: number, ownWords: number | undefined) => {
  const value = column !== ownWords && FORMULA.test(cell) ? `'${cell}` : cell
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}
const csvLine = (cells: readonly string[], ownWords?: number) => `${cells.map((cell, i) => csvField(cell, i, ownWords)).join(',')}\r\n`
const RESPONSE_TYPES_COLUMN = RESPONSE_CODE_COLUMNS.indexOf('Response Types')

export function* capabilitiesCsv(entries: Iterable<Capability>): Chunks {
  yield csvLine(CAPABILITY_COLUMNS)
  const notes = createFootnoteCounter()
  for (const entry of entries) yield csvLine(capabilityCells(entry, notes.add(entry.tag, entry.notes)))
}

export function* responseCodesCsv(entries: Iterable<ResponseCode>): Chunks {
  yield csvLine(RESPONSE_CODE_COLUMNS)
  const notes = createFootnoteCounter()
  for (const entry of entries) yield csvLine(responseCodeCells(entry, notes.add(entry.code, entry.notes)), RESPONSE_TYPES_COLUMN)
}

// Characters XML 1.0 cannot carry at all (§2.2 Char), even escaped. The rules refuse them, but a
// database may hold older or imported text: each becomes U+FFFD, so the file stays well-formed.
const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const escapeXml = (text: string) => text
  .replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' })[c]};`)
  .replace(NOT_XML_CHAR, '\uFFFD')
const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`
const xref = (reference: string) => (/^RFC\d+$/.test(reference)
  ? `<xref type="rfc" data="${reference.toLowerCase()}"/>`
  : `<xref type="uri" data="${escapeXml(reference)}"/>`)
const xmlRecord = (fields: [string, string][], references: string[]) => [
  '    <record>',
  ...fields.map(([name, value]) => `      ${element(name, value)}`),
  ...references.map((reference) => `      ${xref(reference)}`),
  '    </record>',
  '',
].join('\n')
/** A deprecated record's status and replacement, after its columns: its key element stays the bare key. */
function statusElements(entry: object): [string, string][] {
  const deprecation = deprecationOf(entry)
  if (!deprecation) return []
  return [['status', 'deprecated'], ...(deprecation.replacedBy ? [['replaced_by', deprecation.replacedBy] as [string, string]] : [])]
}
const xmlFootnotes = (notes: Footnote[]) => notes.map((note) => `    <footnote anchor="${note.anchor}">${escapeXml(note.text)}</footnote>\n`).join('')
// A record's elements, named after IANA's columns and in their order; references become xrefs.
const CAPABILITY_ELEMENTS = ['capa_tag', 'capa_args', 'added_cmds', 'cmds_affected', 'list', 'diffs', 'cmd_valid']
const RESPONSE_CODE_ELEMENTS = ['value', 'response_types', 'commands']
// Both sub-registries were made by RFC 2449 §7, as IANA's own XML cites them.
const DEFINED_BY = 'RFC2449'

/** The registry in IANA's registry XML shape (http://www.iana.org/assignments). */
export function* registryXml(store: PublishedRegistry): Chunks {
  const metadata = store.registry.metadata()!
  const rules = Object.fromEntries(metadata.subRegistries.map((sub) => [sub.id, sub]))
  const subRegistry = (n: number, id: 'capabilities' | 'response-codes') => [
    `  <registry id="${metadata.id}-${n}">`,
    `    ${element('title', rules[id]?.title ?? id)}`,
    `    ${xref(DEFINED_BY)}`,
    `    ${element('registration_rule', rules[id]?.registrationProcedure ?? '')}`,
    '',
  ].join('\n')
  yield [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<registry xmlns="http://www.iana.org/assignments" id="${metadata.id}">`,
    `  ${element('title', metadata.title)}`,
    `  ${element('updated', metadata.lastUpdated)}`,
    `  ${element('note', metadata.note)}`,
    '',
  ].join('\n')

  yield subRegistry(1, 'capabilities')
  const capabilityNotes = createFootnoteCounter()
  for (const entry of store.capabilities.all()) {
    const cells = capabilityCells(entry, capabilityNotes.add(entry.tag, entry.notes), false)
    yield xmlRecord([...CAPABILITY_ELEMENTS.map((name, i): [string, string] => [name, cells[i]!]), ...statusElements(entry)], entry.references)
  }
  yield `${xmlFootnotes(capabilityNotes.all)}  </registry>\n`

  yield subRegistry(2, 'response-codes')
  const codeNotes = createFootnoteCounter()
  for (const entry of store.responseCodes.all()) {
    const cells = responseCodeCells(entry, codeNotes.add(entry.code, entry.notes), false)
    yield xmlRecord([...RESPONSE_CODE_ELEMENTS.map((name, i): [string, string] => [name, cells[i]!]), ...statusElements(entry)], entry.references)
  }
  yield `${xmlFootnotes(codeNotes.all)}  </registry>\n</registry>\n`
}

const TEXT_WIDTH = 72

/** Words filled into lines of at most TEXT_WIDTH characters. */
function wrap(text: string, indent = ''): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > TEXT_WIDTH) {
      lines.push(line)
      line = indent + word
    } else {
      line = line ? `${line} ${word}` : `${indent}${word}`
    }
  }
  if (line) lines.push(line)
  return lines
}

/**
 * A fixed-width table like the source document's, each column as wide as its widest cell so that
 * no cell is wrapped or cut; each column starts where its run of dashes does. The rows are read
 * twice: once for the widths, once to write them.
 */
function* table(columns: readonly string[], rows: (notes: FootnoteCounter) => Iterable<string[]>, notes: FootnoteCounter): Chunks {
  const widths = columns.map((column) => column.length)
  for (const row of rows(createFootnoteCounter())) row.forEach((cell, i) => { widths[i] = Math.max(widths[i]!, cell.length) })
  const line = (cells: readonly string[]) => `${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`
  yield line(columns)
  yield line(widths.map((width) => '-'.repeat(width)))
  for (const row of rows(notes)) yield line(row)
}

type FootnoteCounter = ReturnType<typeof createFootnoteCounter>

function* capabilityRows(store: PublishedRegistry, notes: FootnoteCounter) {
  for (const entry of store.capabilities.all()) yield capabilityCells(entry, notes.add(entry.tag, entry.notes))
}

function* responseCodeRows(store: PublishedRegistry, notes: FootnoteCounter) {
  for (const entry of store.responseCodes.all()) yield responseCodeCells(entry, notes.add(entry.code, entry.notes))
}

/** The whole registry as plain text, laid out as IANA's text of 2001 was. */
export function* registryText(store: PublishedRegistry): Chunks {
  const metadata = store.registry.metadata()!
  const rules = Object.fromEntries(metadata.subRegistries.map((sub) => [sub.id, sub]))
  const requirements = (id: 'capabilities' | 'response-codes') => [
    ...wrap(rules[id]?.registrationProcedure ?? ''),
    '',
    'Required information:',
    ...(rules[id]?.requiredFields ?? []).map((field) => `  ${field.label}`),
    ...(rules[id]?.optionalFields ?? []).map((field) => `  ${field.label} (if any)`),
    '',
  ]
  const lines = (...text: string[]) => text.map((line) => `${line}\n`).join('')
  const footnoteLines = (notes: Footnote[]) => lines(...notes.flatMap((note) => wrap(`[${note.anchor}] ${note.text}`, '    ')))

  yield lines(metadata.title, `(last updated ${metadata.lastUpdated})`, '', ...wrap(metadata.note), '',
    rules.capabilities?.title ?? 'POP3 capabilities', '', ...requirements('capabilities'))
  const capabilityNotes = createFootnoteCounter()
  yield* table(CAPABILITY_COLUMNS, (notes) => capabilityRows(store, notes), capabilityNotes)
  yield footnoteLines(capabilityNotes.all)

  yield lines('', rules['response-codes']?.title ?? 'POP3 Response Codes', '', ...requirements('response-codes'))
  const codeNotes = createFootnoteCounter()
  yield* table(RESPONSE_CODE_COLUMNS, (notes) => responseCodeRows(store, notes), codeNotes)
  yield lines('')
  yield footnoteLines(codeNotes.all)
  yield lines('', 'REFERENCES', '----------', ...metadata.bibliography.flatMap((ref) => wrap(`[${ref.id}] ${ref.citation}`, '    ')))
}

/** The whole registry in the API's own shapes, with the history an import replays (RegistryExportSchema). */
/** One item of the export's history (and of the feed with include=entry), its stored entry spliced in as it is. */
export function historyItemJson({ entryJson, ...change }: ChangeWithEntry): string {
  return `${JSON.stringify(change).slice(0, -1)},"entry":${entryJson}}`
}

export function* registryJson(store: PublishedRegistry): Chunks {
  const metadata = store.registry.metadata()!
  const capabilityNotes = createFootnoteCounter()
  const codeNotes = createFootnoteCounter()
  function* array<T>(items: Iterable<T>, each: (item: T) => unknown): Chunks {
    let first = true
    for (const item of items) {
      yield `${first ? '' : ','}${JSON.stringify(each(item))}`
      first = false
    }
  }
  yield `{"format":"pop3-registry/1","registry":${JSON.stringify(metadata)},"capabilities":[`
  yield* array(store.capabilities.all(), (entry) => {
    capabilityNotes.add(entry.tag, entry.notes)
    return capabilityRecord(entry)
  })
  yield '],"responseCodes":['
  yield* array(store.responseCodes.all(), (entry) => {
    codeNotes.add(entry.code, entry.notes)
    return responseCodeRecord(entry)
  })
  yield `],"footnotes":${JSON.stringify({ 'capabilities': capabilityNotes.all, 'response-codes': codeNotes.all })}`
  yield `,"rfcs":${JSON.stringify(store.rfcs.all())},"history":[`
  // Each stored entry document is spliced in as the JSON text it already is.
  let first = true
  for (const change of store.changes.withEntries()) {
    yield `${first ? '' : ','}${historyItemJson(change)}`
    first = false
  }
  yield ']}'
}
