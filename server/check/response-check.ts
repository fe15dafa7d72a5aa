import { RESP_LEVEL } from '../../schema/grammar.ts'
import type { Finding, ResponseCheckReport } from '../../schema/check.ts'
import type { ResponseCodeRecord } from '../../schema/response-code.ts'

/** Checks one POP3 response line's extended response code (RFC 2449 §8) against the registry. */
export function checkResponse(line: string, command: string | undefined, lookup: (code: string) => ResponseCodeRecord | undefined): ResponseCheckReport {
  const findings: Finding[] = []
  const text = line.replace(/\r?\n$/, '')
  const status = text.startsWith('+OK') ? '+OK' : text.startsWith('-ERR') ? '-ERR' : null
  if (!status) {
    findings.push({ severity: 'error', id: 'response-status', message: 'a POP3 response begins with +OK or -ERR', rfc: 'RFC 1939 §3' })
    return { status, code: null, levels: [], resolvedTo: null, text, findings }
  }
  const rest = text.slice(status.length)
  // RFC 2449 §8: the code, in brackets, is the first thing after the status and a space.
  const bracketed = /^ \[([^\]]*)\](?: (.*))?$/.exec(rest)
  if (!bracketed) {
    if (rest.startsWith(' [')) {
      findings.push({ severity: 'error', id: 'response-code-syntax', message: 'the response code has no closing "]"', rfc: 'RFC 2449 §8' })
    } else {
      findings.push({ severity: 'info', id: 'response-no-code', message: 'the response carries no extended response code', rfc: 'RFC 2449 §8' })
    }
    return { status, code: null, levels: [], resolvedTo: null, text: rest.trim(), findings }
  }
  const code = bracketed[1]!
  const levels = code.split('/')
  const message = bracketed[2] ?? ''
  if (!levels.every((level) => RESP_LEVEL.test(level))) {
    findings.push({ severity: 'error', id: 'response-code-syntax', message: `[${code}] is not resp-level *("/" resp-level)`, rfc: 'RFC 2449 §3' })
    return { status, code, levels, resolvedTo: null, text: message, findings }
  }

  let resolvedTo: ResponseCodeRecord | null = null
  for (let depth = levels.length; depth > 0 && !resolvedTo; depth--) {
    resolvedTo = lookup(levels.slice(0, depth).join('/')) ?? null
  }
  if (!resolvedTo) {
    findings.push({ severity: 'warning', id: 'response-code-unregistered', message: `no level of [${code}] is a registered response code`, rfc: 'RFC 2449 §8' })
  } else {
    if (resolvedTo.code.split('/').length < levels.length) {
      findings.push({ severity: 'info', id: 'response-code-detail-ignored', message: `[${code}] resolves to the registered ${resolvedTo.code}; a client ignores the detail it does not know`, rfc: 'RFC 2449 §8' })
    }
    if (!resolvedTo.responseTypes.includes(status)) {
      findings.push({ severity: 'warning', id: 'response-code-wrong-type', message: `${resolvedTo.code} is registered for ${resolvedTo.responseTypes.join(' and ')} responses, not ${status}`, rfc: 'RFC 2449 §8' })
    }
    const keyword = command?.toUpperCase()
    if (keyword && resolvedTo.commands !== 'all' && !resolvedTo.commands.includes(keyword)) {
      findings.push({ severity: 'warning', id: 'response-code-wrong-command', message: `${resolvedTo.code} is registered for ${resolvedTo.commands.join(', ')}, not ${keyword}`, rfc: 'RFC 2449 §8' })
    }
  }
  return { status, code, levels, resolvedTo, text: message, findings }
}
