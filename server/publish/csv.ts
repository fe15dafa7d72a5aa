import type { Capability } from '../../schema/capability.ts'
import type { ResponseCode } from '../../schema/response-code.ts'
import { CAPABILITY_COLUMNS, capabilityCells, footnotesOf, RESPONSE_CODE_COLUMNS, responseCodeCells } from './cells.ts'

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; lines end CRLF.
const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)
const csv = (rows: readonly (readonly string[])[]) => rows.map((row) => `${row.map(field).join(',')}\r\n`).join('')

export const CSV_TYPE = 'text/csv; charset=utf-8; header=present'

/** IANA's capabilities CSV of the entries given, their notes numbered among them. */
export function capabilitiesCsv(entries: Capability[]): string {
  const notes = footnotesOf(entries.map((entry) => ({ key: entry.tag, notes: entry.notes })))
  return csv([CAPABILITY_COLUMNS, ...entries.map((entry) => capabilityCells(entry, notes))])
}

/** IANA's response codes CSV of the entries given, their notes numbered among them. */
export function responseCodesCsv(entries: ResponseCode[]): string {
  const notes = footnotesOf(entries.map((entry) => ({ key: entry.code, notes: entry.notes })))
  return csv([RESPONSE_CODE_COLUMNS, ...entries.map((entry) => responseCodeCells(entry, notes))])
}
