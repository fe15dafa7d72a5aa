import { z } from 'zod'

// RFC 2449 §3: capa-tag = 1*cchar; cchar = %x21-2D / %x2F-7F (printable ASCII but ".").
export const CAPA_TAG = /^[\x21-\x2D\x2F-\x7F]+$/
// RFC 2449 §3: resp-level = 1*rchar; rchar = %x21-2E / %x30-5C / %x5E-7F (no "/" nor "]").
export const RESP_LEVEL = /^[\x21-\x2E\x30-\x5C\x5E-\x7F]+$/
export const RESP_CODE = /^[\x21-\x2E\x30-\x5C\x5E-\x7F]+(?:\/[\x21-\x2E\x30-\x5C\x5E-\x7F]+)*$/
// RFC 2449 §3: keyword = 3*4VCHAR.
export const KEYWORD = /^[\x21-\x7E]{3,4}$/
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

export type State = z.infer<typeof StateSchema>
