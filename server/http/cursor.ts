import { HttpProblem } from './problems.ts'

// A cursor is opaque to clients: the base64url of the last position they were shown.
export const encodeCursor = (position: number) => Buffer.from(`after:${position}`).toString('base64url')

export function decodeCursor(cursor: string): number {
  const match = /^after:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'))
  if (!match) {
    throw new HttpProblem('bad-request', 'cursor is not one this server gave out; pass the nextCursor of a previous page.', [
      { path: '/query/cursor', rule: 'syntax', message: 'not a cursor this server gave out' },
    ])
  }
  return Number(match[1])
}
