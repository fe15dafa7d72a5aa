import { HttpProblem } from './problems.ts'

/** The longest key accepted: room for a UUID or a hash with a prefix, short enough to index. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255

const QUOTED = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/
const BARE = /^[\x21\x23-\x2B\x2D-\x7E]+$/

const refuse = (message: string) => new HttpProblem('bad-request', `The Idempotency-Key header ${message}.`, [
  { path: '/headers/idempotency-key', rule: 'syntax', message: `the Idempotency-Key header ${message}` },
])

/**
 * The key of an Idempotency-Key header, or undefined without one. The IETF httpapi draft makes
 * the field a Structured Field String (RFC 8941 §3.3.3: `"…"`, with `\"` and `\\` escaped); many
 * clients send the key bare, so a bare value of visible ASCII (no `"` or `,`) is the key too. Repeated
 * headers (Node joins them with ", ") are refused as a list, not read as one key.
 */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  if (Array.isArray(header)) throw refuse('is sent more than once; send one key')
  const value = header.trim()
  if (value === '' || value === '""') throw refuse('is empty; send a key of 1 to 255 characters, such as a UUID')
  const quoted = QUOTED.exec(value)
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : BARE.test(value) ? value : undefined
  if (key === undefined) {
    throw refuse(value.includes(',')
      ? 'holds a list; send one key'
      : 'must be one key of visible ASCII characters, bare or as a quoted string ("…"), such as a UUID')
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw refuse(`is ${key.length} characters long; a key is at most ${MAX_IDEMPOTENCY_KEY_LENGTH}`)
  }
  return key
}
