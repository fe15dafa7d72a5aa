import { z } from 'zod'

// RFC 2449 §3's ranges end at %x7F, but its comments say "printable ASCII", and %x7F is DEL, a
// control character: we end them at %x7E, so that nothing unprintable is ever registered.
// RFC 2449 §3: capa-tag = 1*cchar; cchar = %x21-2D / %x2F-7F (printable ASCII but ".").
export const CAPA_TAG = /^[\x21-\x2D\x2F-\x7E]+$/
// RFC 2449 §3: resp-level = 1*rchar; rchar = %x21-2E / %x30-5C / %x5E-7F (no "/" nor "]").
export const RESP_LEVEL = /^[\x21-\x2E\x30-\x5C\x5E-\x7E]+$/
export const RESP_CODE = /^[\x21-\x2E\x30-\x5C\x5E-\x7E]+(?:\/[\x21-\x2E\x30-\x5C\x5E-\x7E]+)*$/
// RFC 2449 §3: param = 1*pchar (printable ASCII, no space). An argument the registry records may be
// a list of params written with single spaces, as IANA's SASL "mech list" is.
const CAPA_ARGUMENT = /^[\x21-\x7E]+(?: [\x21-\x7E]+)*$/
// Characters no registered text may hold: controls (TAB, LF and CR aside), DEL and C1 controls,
// lone surrogates, and U+FFFE/U+FFFF, which XML 1.0 cannot carry either.
export const FORBIDDEN_IN_TEXT = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
// A text is there only when it shows something: a letter, digit, punctuation mark or symbol.
export const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u
// RFC 2449 §3: keyword = 3*4VCHAR.
const KEYWORD_TEXT = String.raw`[\x21-\x7E]{3,4}`
export const KEYWORD = new RegExp(`^${KEYWORD_TEXT}$`)
// A note that begins "KEYWORD: " is about that command (README: Data).
export const NOTE_ON_COMMAND = new RegExp(`^(${KEYWORD_TEXT}): (.*)$`, 's')
export const RFC_REFERENCE = /^RFC[1-9][0-9]{0,4}$/i

/** RFC 2449 §4: a capability line, CRLF included, is at most 512 octets. */
export const MAX_CAPA_LINE = 512

export const STATES = ['AUTHORIZATION', 'TRANSACTION', 'UPDATE'] as const

export const CapaTagSchema = z.string().max(MAX_CAPA_LINE - 2).regex(CAPA_TAG, {
  error: 'a CAPA tag is printable ASCII without spaces or "." (RFC 2449 §3, capa-tag)',
})
export const ResponseCodeKeySchema = z.string().max(MAX_CAPA_LINE).regex(RESP_CODE, {
  error: 'a response code is levels of printable ASCII (no "/" or "]") joined by "/" (RFC 2449 §3, resp-code)',
})
export const CapaArgumentSchema = z.string().min(1).regex(CAPA_ARGUMENT, {
  error: 'an argument is printable ASCII without control characters; several params are written with single spaces (RFC 2449 §3, param)',
})
export const KeywordSchema = z.string().regex(KEYWORD, {
  error: 'a command keyword is 3 or 4 printable ASCII characters (RFC 2449 §3, keyword)',
})
export const StateSchema = z.enum(STATES).meta({
  id: 'State',
  description: 'A POP3 session state (RFC 1939 §3).',
})
export const ReferenceSchema = z.string().meta({
  id: 'Reference',
  description: 'An RFC ("RFC2449") or an absolute http(s) URL of a permanent specification.',
  examples: ['RFC2449'],
})
export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'a date is written YYYY-MM-DD' })

