import type { CapabilityRecord } from '../../schema/capability.ts'
import { parseCapaResponse, type CapaLine } from './capa-parser.ts'
import type { Finding } from './findings.ts'

/** What the check needs of a registry: one capability by tag, and every tag for suggestions. */
export interface CapabilityLookup {
  get(tag: string): CapabilityRecord | undefined
  tags(): Iterable<string>
}

export type Registration =
  | { kind: 'registered', entry: CapabilityRecord }
  | { kind: 'x-range' }
  | { kind: 'unregistered', suggestions: string[] }

export interface CheckedLine extends CapaLine {
  registration: Registration
}

export interface CapaReport {
  before?: { status: string | null, lines: CheckedLine[] }
  after?: { status: string | null, lines: CheckedLine[] }
  findings: Finding[]
}

const DIGITS = /^\d+$/
// RFC 4422 §3.1: a SASL mechanism name is 1 to 20 of A-Z, 0-9, "-" and "_".
const SASL_MECHANISM = /^[A-Z0-9_-]{1,20}$/

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Registered tags near an unregistered one: a tag run together with its argument, or a near spelling. */
function suggestionsFor(tag: string, lookup: CapabilityLookup): string[] {
  const upper = tag.toUpperCase()
  const runTogether: string[] = []
  const near: { tag: string, distance: number }[] = []
  for (const registered of lookup.tags()) {
    if (upper.length > registered.length && registered.length >= 3 && upper.startsWith(registered)) {
      runTogether.push(`${registered} ${tag.slice(registered.length)}`)
    }
    const distance = editDistance(upper, registered, 2)
    if (distance <= 2) near.push({ tag: registered, distance })
  }
  return [...runTogether, ...near.sort((a, b) => a.distance - b.distance).map((n) => n.tag)].slice(0, 5)
}

function registrationOf(tag: string, lookup: CapabilityLookup): Registration {
  const entry = lookup.get(tag)
  if (entry) return { kind: 'registered', entry }
  if (/^x/i.test(tag)) return { kind: 'x-range' }
  return { kind: 'unregistered', suggestions: suggestionsFor(tag, lookup) }
}

/** Checks the arguments of the registered capabilities whose arguments have a defined form. */
function argumentFindings(line: CheckedLine, state: 'before' | 'after' | undefined): Finding[] {
  if (line.registration.kind !== 'registered') return []
  const tag = line.registration.entry.tag
  const base = { line: line.line, tag, ...(state ? { state } : {}) }
  const [first, second, ...extra] = line.params
  const findings: Finding[] = []
  const userArgument = (section: string) => {
    if (second === undefined) return
    if (second.toUpperCase() !== 'USER') {
      findings.push({ ...base, severity: 'error', id: 'capa-argument', message: `${tag}'s second argument may only be USER, not ${second}`, rfc: section })
    } else if (state === 'after') {
      findings.push({ ...base, severity: 'warning', id: 'capa-user-after-login', message: `${tag} USER belongs before login; after login the server gives this user's own value`, rfc: section })
    }
  }
  switch (tag) {
    case 'LOGIN-DELAY':
      if (first === undefined || !DIGITS.test(first)) {
        findings.push({ ...base, severity: 'error', id: 'capa-argument', message: `LOGIN-DELAY takes a number of seconds, not ${JSON.stringify(first ?? '')}`, rfc: 'RFC 2449 §6.5' })
      }
      userArgument('RFC 2449 §6.5')
      break
    case 'EXPIRE':
      if (first === undefined || !(DIGITS.test(first) || first.toUpperCase() === 'NEVER')) {
        findings.push({ ...base, severity: 'error', id: 'capa-argument', message: `EXPIRE takes a number of days or NEVER, not ${JSON.stringify(first ?? '')}`, rfc: 'RFC 2449 §6.7' })
      }
      userArgument('RFC 2449 §6.7')
      break
    case 'SASL':
      for (const mechanism of line.params) {
        if (!SASL_MECHANISM.test(mechanism)) {
          findings.push({ ...base, severity: 'error', id: 'capa-argument', message: `${JSON.stringify(mechanism)} is not a SASL mechanism name`, rfc: 'RFC 4422 §3.1' })
        }
      }
      return findings
    case 'IMPLEMENTATION':
      return findings
    default:
      if (line.registration.entry.arguments.length === 0 && line.params.length > 0) {
        findings.push({ ...base, severity: 'warning', id: 'capa-unexpected-arguments', message: `${tag} is registered without arguments but is announced with ${line.params.join(' ')}`, rfc: 'RFC 2449 §5' })
      }
      return findings
  }
  if (extra.length > 0) {
    findings.push({ ...base, severity: 'error', id: 'capa-argument', message: `${tag} takes at most two arguments`, rfc: 'RFC 2449 §6' })
  }
  return findings
}

function registrationFindings(line: CheckedLine, state: 'before' | 'after' | undefined): Finding[] {
  const base = { line: line.line, tag: line.tag, ...(state ? { state } : {}) }
  if (line.registration.kind === 'x-range') {
    return [{ ...base, severity: 'info', id: 'capa-x-tag', message: `${line.tag} is in the X range: never registered, free to use`, rfc: 'RFC 2449 §7' }]
  }
  if (line.registration.kind === 'unregistered') {
    const hint = line.registration.suggestions.length > 0 ? `; did you mean ${line.registration.suggestions.join(' or ')}?` : ''
    return [{ ...base, severity: 'warning', id: 'capa-unregistered', message: `${line.tag} is not a registered capability${hint}`, rfc: 'RFC 2449 §7' }]
  }
  return []
}

/** Findings that need both states: what was announced in one and not the other, and arguments that changed. */
function acrossStates(before: CheckedLine[], after: CheckedLine[]): Finding[] {
  const findings: Finding[] = []
  const byTag = (lines: CheckedLine[]) => new Map(lines.map((line) => [line.tag.toUpperCase(), line]))
  const [was, is] = [byTag(before), byTag(after)]
  for (const [key, line] of new Map([...was, ...is])) {
    if (line.registration.kind !== 'registered') continue
    const entry = line.registration.entry
    const inBefore = was.get(key)
    const inAfter = is.get(key)
    const both = entry.announcedStates.includes('AUTHORIZATION') && entry.announcedStates.includes('TRANSACTION')
    if (both && (!inBefore || !inAfter)) {
      const missing = inBefore ? 'after' : 'before'
      const optional = missing === 'before' && entry.announcementOptionalIn?.includes('AUTHORIZATION')
      findings.push({
        severity: optional ? 'info' : 'warning',
        id: 'capa-one-state-only',
        message: optional
          ? `${entry.tag} is announced only after login, which the registry allows`
          : `${entry.tag} is registered as announced in both states but is missing ${missing} login`,
        rfc: 'RFC 2449 §5',
        tag: entry.tag,
      })
    }
    if (inBefore && inAfter) {
      const differ = inBefore.params.join(' ') !== inAfter.params.join(' ')
      if (differ && !entry.possibleDifferences) {
        findings.push({ severity: 'warning', id: 'capa-arguments-differ', message: `${entry.tag}'s arguments change at login (${inBefore.params.join(' ') || 'none'} → ${inAfter.params.join(' ') || 'none'}), which the registry does not expect`, rfc: 'RFC 2449 §6', tag: entry.tag })
      } else if (entry.possibleDifferences) {
        findings.push({ severity: 'info', id: differ ? 'capa-arguments-differ-allowed' : 'capa-arguments-same', message: differ ? `${entry.tag}'s arguments change at login, as the registry allows` : `${entry.tag}'s arguments may change at login and do not`, rfc: 'RFC 2449 §6', tag: entry.tag })
      }
    }
  }
  return findings
}

/** Checks CAPA responses from before and after login against RFC 2449 and the registry. */
export function checkCapa(input: { before?: string | undefined, after?: string | undefined }, lookup: CapabilityLookup): CapaReport {
  const report: CapaReport = { findings: [] }
  for (const state of ['before', 'after'] as const) {
    const raw = input[state]
    if (raw === undefined) continue
    const parsed = parseCapaResponse(raw, state)
    const lines = parsed.capabilities.map((line) => ({ ...line, registration: registrationOf(line.tag, lookup) }))
    report[state] = { status: parsed.status, lines }
    report.findings.push(...parsed.findings)
    for (const line of lines) report.findings.push(...registrationFindings(line, state), ...argumentFindings(line, state))
  }
  if (report.before && report.after) report.findings.push(...acrossStates(report.before.lines, report.after.lines))
  return report
}
