import { CAPA_TAG, MAX_CAPA_LINE } from '../../schema/grammar.ts'
import type { CapaLine, Finding } from '../../schema/check.ts'

export interface ParsedCapa {
  status: '+OK' | '-ERR' | null
  statusText: string
  capabilities: CapaLine[]
  terminated: boolean
  findings: Finding[]
}

const PARAM = /^[\x21-\x7E]+$/

/**
 * The lines of one response that are checked. Servers announce a few dozen capabilities; reading
 * more would only let one request make the server look up, and answer with, thousands.
 */
const CHECKED_LINES = 100

/**
 * Parses a raw CAPA response (RFC 2449 §5): a status line, one capability per line, and a line
 * holding only ".". CRLF is the line ending; bare LF is read too, and reported.
 */
export function parseCapaResponse(raw: string, state?: 'before' | 'after'): ParsedCapa {
  const findings: Finding[] = []
  const at = (finding: Omit<Finding, 'state'>) => findings.push(state ? { ...finding, state } : finding)

  if (/(^|[^\r])\n/.test(raw)) {
    at({ severity: 'warning', id: 'capa-bare-lf', message: 'lines end with a bare LF; POP3 lines end with CRLF', rfc: 'RFC 1939 §3' })
  }
  const lines = raw.replace(/\r?\n$/, '').split(/\r?\n/)
  const [first = '', ...rest] = lines
  const status = first.startsWith('+OK') ? '+OK' : first.startsWith('-ERR') ? '-ERR' : null
  const statusText = status ? first.slice(status.length).trim() : first
  if (status === null) {
    at({ severity: 'error', id: 'capa-status', message: `the response does not begin with +OK or -ERR: ${JSON.stringify(first.slice(0, 60))}`, rfc: 'RFC 2449 §5', line: 0 })
  } else if (status === '-ERR') {
    at({ severity: 'info', id: 'capa-not-supported', message: 'the server answered CAPA with -ERR: it does not support RFC 2449', rfc: 'RFC 2449 §5', line: 0 })
    return { status, statusText, capabilities: [], terminated: true, findings }
  }

  const capabilities: CapaLine[] = []
  let terminated = false
  const notChecked = Math.max(0, rest.length - CHECKED_LINES)
  if (notChecked > 0) {
    at({ severity: 'warning', id: 'capa-too-many-lines', message: `the response has ${rest.length} lines after the status line; the first ${CHECKED_LINES} are checked, the other ${notChecked} are not`, rfc: 'RFC 2449 §5' })
  }
  rest.slice(0, CHECKED_LINES).forEach((text, index) => {
    const line = index + 1
    if (terminated) {
      at({ severity: 'error', id: 'capa-after-terminator', message: `a line follows the terminating ".": ${JSON.stringify(text.slice(0, 60))}`, rfc: 'RFC 2449 §5', line })
      return
    }
    if (text === '.') {
      terminated = true
      return
    }
    if (Buffer.byteLength(text) + 2 > MAX_CAPA_LINE) {
      at({ severity: 'error', id: 'capa-line-too-long', message: `the line is ${Buffer.byteLength(text) + 2} octets with CRLF; RFC 2449 allows 512`, rfc: 'RFC 2449 §4', line })
    }
    const [tag = '', ...params] = text.split(' ')
    if (text.trim() === '') {
      at({ severity: 'error', id: 'capa-empty-line', message: 'an empty line among the capabilities', rfc: 'RFC 2449 §5', line })
      return
    }
    if (!CAPA_TAG.test(tag)) {
      at({ severity: 'error', id: 'capa-tag-syntax', message: `${JSON.stringify(tag)} is not a capa-tag (printable ASCII without "." or space)`, rfc: 'RFC 2449 §3', line, tag })
    }
    if (params.some((param) => !PARAM.test(param))) {
      at({ severity: 'error', id: 'capa-param-syntax', message: 'parameters are separated by single spaces and hold printable characters only', rfc: 'RFC 2449 §3', line, tag })
    }
    capabilities.push({ line, raw: text, tag, params: params.filter((param) => param !== '') })
  })
  if (status === '+OK' && !terminated && notChecked === 0) {
    at({ severity: 'error', id: 'capa-unterminated', message: 'the response does not end with a line holding only "."', rfc: 'RFC 2449 §5' })
  }
  duplicateTags(capabilities).forEach((finding) => at(finding))
  return { status, statusText, capabilities, terminated, findings }
}

/** Each tag announced again (tags ignore case), naming the line that announced it first. */
function duplicateTags(capabilities: CapaLine[]): Omit<Finding, 'state'>[] {
  const seen = new Map<string, number>()
  const found: Omit<Finding, 'state'>[] = []
  for (const capability of capabilities) {
    const key = capability.tag.toUpperCase()
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      found.push({ severity: 'warning', id: 'capa-duplicate-tag', message: `${capability.tag} is announced again (first on line ${earlier}); tags ignore case`, rfc: 'RFC 2449 §5', line: capability.line, tag: capability.tag })
    } else {
      seen.set(key, capability.line)
    }
  }
  return found
}
