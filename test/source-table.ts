import { readFileSync } from 'node:fs'

/** The source document the seed was read from, and its tables as the text has them. */
export const SOURCE_TEXT = readFileSync(new URL('../seed/source/iana-pop3-extension-mechanism-2001-06-29.txt', import.meta.url), 'utf8')
export const SOURCE_LINES = SOURCE_TEXT.split('\n').map((line) => line.trim())

/** The rows of the table whose header line begins with `header`, up to the line `isEnd` accepts. */
function sourceTableRows(header: string, isEnd: (line: string) => boolean): string[][] {
  const start = SOURCE_LINES.findIndex((line) => line.startsWith(header))
  if (start < 0 || !/^-+( -+)+$/.test(SOURCE_LINES[start + 1] ?? '')) throw new Error(`no table "${header}" in the source`)
  const rows: string[][] = []
  for (const line of SOURCE_LINES.slice(start + 2)) {
    if (isEnd(line)) break
    // A row's first line has a cell in every column; the lines after it hold cells that wrapped.
    if (line.split(' ').length >= 4) rows.push([line])
    else rows.at(-1)!.push(line)
  }
  return rows
}

export const CAPABILITY_ROWS = sourceTableRows('CAPA tag CAPA Args', (line) => line.startsWith('Response Code '))
export const RESPONSE_CODE_ROWS = sourceTableRows('Response Code Response Types', (line) => line.startsWith('* -'))

/** The words of a row or cell, with the table's list shorthand ("," "&" "/" "[ ]") taken apart. */
export const sourceTokens = (parts: string[]) =>
  parts.join(' ').replace(/n\/a/g, 'n_a').split(/[\s,&/[\]]+/).filter(Boolean).sort()
