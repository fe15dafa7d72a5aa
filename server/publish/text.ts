import { CAPABILITY_COLUMNS, capabilityCells, RESPONSE_CODE_COLUMNS, responseCodeCells, type Footnote } from './cells.ts'
import type { Snapshot } from './snapshot.ts'

const WIDTH = 72

/** Words filled into lines of at most WIDTH characters. */
function wrap(text: string, indent = ''): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > WIDTH) {
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
 * A fixed-width table like the source document's, its columns as wide as their widest cell, so no
 * cell is ever wrapped or cut: each column starts where its run of dashes does.
 */
export function table(columns: readonly string[], rows: string[][]): string[] {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)]
}

const footnoteLines = (notes: Footnote[]) => notes.flatMap((note) => wrap(`[${note.anchor}] ${note.text}`, '    '))

/** The whole registry as plain text, laid out as IANA's text of 2001 was. */
export function registryText(snapshot: Snapshot): string {
  const { metadata } = snapshot
  const rules = Object.fromEntries(metadata.subRegistries.map((sub) => [sub.id, sub]))
  const requirements = (id: 'capabilities' | 'response-codes') => [
    ...wrap(rules[id]?.registrationProcedure ?? ''),
    '',
    'Required information:',
    ...(rules[id]?.requiredFields ?? []).map((field) => `  ${field.label}`),
    ...(rules[id]?.optionalFields ?? []).map((field) => `  ${field.label} (if any)`),
  ]
  const lines = [
    metadata.title,
    `(last updated ${metadata.lastUpdated})`,
    '',
    ...wrap(metadata.note),
    '',
    rules.capabilities?.title ?? 'POP3 capabilities',
    '',
    ...requirements('capabilities'),
    '',
    ...table(CAPABILITY_COLUMNS, snapshot.capabilities.map((entry) => capabilityCells(entry, snapshot.footnotes.capabilities))),
    ...footnoteLines(snapshot.footnotes.capabilities),
    '',
    rules['response-codes']?.title ?? 'POP3 Response Codes',
    '',
    ...requirements('response-codes'),
    '',
    ...table(RESPONSE_CODE_COLUMNS, snapshot.responseCodes.map((entry) => responseCodeCells(entry, snapshot.footnotes['response-codes']))),
    '',
    ...footnoteLines(snapshot.footnotes['response-codes']),
    '',
    'REFERENCES',
    '----------',
    ...metadata.bibliography.flatMap((ref) => wrap(`[${ref.id}] ${ref.citation}`, '    ')),
  ]
  return `${lines.join('\n')}\n`
}
