import type { Capability } from '../../schema/capability.ts'
import { NOTE_ON_COMMAND } from '../../schema/grammar.ts'
import type { ResponseCode } from '../../schema/response-code.ts'

/** IANA's columns for the two tables (design §3), shared by the CSV, XML and text forms. */
export const CAPABILITY_COLUMNS = ['CAPA Tag', 'CAPA Args', 'Added Cmds', 'Cmds Affected', 'List', 'Diffs', 'Cmd Valid', 'References'] as const
export const RESPONSE_CODE_COLUMNS = ['Response Code', 'Response Types', 'Commands', 'Reference'] as const

export interface Footnote {
  anchor: number
  /** The key of the entry it belongs to. */
  key: string
  /** The command keyword it marks, or null when it is about the whole entry. */
  on: string | null
  text: string
}

/** Numbers a sub-registry's notes 1, 2, … in table order, as IANA numbers footnotes, entry by entry. */
export function createFootnoteCounter() {
  const all: Footnote[] = []
  return {
    all,
    /** The footnotes of one entry, numbered after those of the entries before it. */
    add(key: string, notes: string[] | undefined): Footnote[] {
      return (notes ?? []).map((note) => {
        const match = NOTE_ON_COMMAND.exec(note)
        const footnote = { anchor: all.length + 1, key, on: match ? match[1]! : null, text: match ? match[2]! : note }
        all.push(footnote)
        return footnote
      })
    },
  }
}

const list = (values: string[], empty = 'none') => (values.length === 0 ? empty : values.join(', '))

function marked(values: string[] | 'all', key: string, footnotes: Footnote[]): string[] | 'all' {
  if (values === 'all') return values
  return values.map((value) => {
    const marks = footnotes.filter((note) => note.key === key && note.on === value).map((note) => `[${note.anchor}]`)
    return `${value}${marks.join('')}`
  })
}

const keyMarks = (key: string, footnotes: Footnote[]) =>
  footnotes.filter((note) => note.key === key && note.on === null).map((note) => `[${note.anchor}]`).join('')

/** References as IANA writes them: [RFC2449][RFC1939]. */
const referencesCell = (references: string[]) => references.map((reference) => `[${reference}]`).join('')

/** IANA's "List" column: "both" for both states, "TRANS, both" where announcing before login is optional. */
function announcedCell(entry: Capability): string {
  const states = new Set(entry.announcedStates)
  const both = states.size === 2 && states.has('AUTHORIZATION') && states.has('TRANSACTION')
  if (!both) return list(entry.announcedStates)
  return entry.announcementOptionalIn?.includes('AUTHORIZATION') ? 'TRANS, both' : 'both'
}

/** A deprecated entry's status and replacement; undefined for an active one. */
export function deprecationOf(entry: object): { replacedBy?: string } | undefined {
  const { status, replacedBy } = entry as { status?: string, replacedBy?: string | null }
  if (status !== 'deprecated') return undefined
  return replacedBy ? { replacedBy } : {}
}

/**
 * In the CSV and the text a deprecated entry's key cell says so after the key, "(deprecated)" or
 * "(deprecated; use NEW)"; the XML gives it elements of its own instead (`inKeyCell: false`). An
 * active entry's cells are IANA's, unmarked.
 */
const statusMark = (entry: object, inKeyCell: boolean) => {
  const deprecation = inKeyCell ? deprecationOf(entry) : undefined
  if (!deprecation) return ''
  return deprecation.replacedBy ? ` (deprecated; use ${deprecation.replacedBy})` : ' (deprecated)'
}

export function capabilityCells(entry: Capability, footnotes: Footnote[], inKeyCell = true): string[] {
  const affected = marked(entry.affectedCommands, entry.tag, footnotes)
  return [
    `${entry.tag}${keyMarks(entry.tag, footnotes)}${statusMark(entry, inKeyCell)}`,
    list(entry.arguments),
    list(marked(entry.addedCommands, entry.tag, footnotes) as string[]),
    affected === 'all' ? 'all' : list(affected),
    announcedCell(entry),
    entry.possibleDifferences ? 'yes' : 'no',
    list(entry.validStates, 'n/a'),
    referencesCell(entry.references),
  ]
}

export function responseCodeCells(entry: ResponseCode, footnotes: Footnote[], inKeyCell = true): string[] {
  const commands = marked(entry.commands, entry.code, footnotes)
  return [
    `${entry.code}${keyMarks(entry.code, footnotes)}${statusMark(entry, inKeyCell)}`,
    list(entry.responseTypes),
    commands === 'all' ? 'all' : list(commands),
    referencesCell(entry.references),
  ]
}
