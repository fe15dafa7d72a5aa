import type { CapabilityRecord } from '../../schema/capability.ts'
import type { CapaReport, CheckedLine, Finding } from '../../schema/check.ts'
import { parseCapaResponse } from './capa-parser.ts'

/** What the check needs of a registry: one capability by tag, and which of many keys are registered. */
export interface CapabilityLookup {
  get(tag: string): CapabilityRecord | undefined
  /** The registered tags among the candidates, spelled as registered: one indexed lookup each. */
  registeredAmong(candidates: string[]): string[]
}

type Registration = CheckedLine['registration']

const DIGITS = /^\d+$/
// RFC 4422 §3.1: a SASL mechanism name is 1 to 20 of A-Z, 0-9, "-" and "_".
const SASL_MECHANISM = /^[A-Z0-9_-]{1,20}$/

// Suggestions cost lookups, so they are bounded: only the first unregistered tags of a response get
// them, and only tags short enough to be a slip of a registered one are respelled. Tags are written
// in letters, digits, "-" and "_": the characters a respelling tries.
const SUGGESTED_LINES = 3
const RESPELLED_LENGTH = 16
const TAG_CHARACTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_']

/** Every string one edit away from the tag: a character left out, swapped with the next, changed or added. */
function oneEditAway(tag: string): string[] {
  const variants: string[] = []
  for (let i = 0; i <= tag.length; i++) {
    const [head, tail] = [tag.slice(0, i), tag.slice(i)]
    if (tail) variants.push(head + tail.slice(1))
    if (tail.length > 1) variants.push(head + tail[1] + tail[0] + tail.slice(2))
    for (const c of TAG_CHARACTERS) {
      if (tail) variants.push(head + c + tail.slice(1))
      variants.push(head + c + tail)
    }
  }
  return variants
}

/**
 * Registered tags near an unregistered one, found by looking up the candidates rather than by
 * comparing the tag with the whole registry: a registered tag run together with its argument
 * (LOGIN-DELAY900), or one a single edit away (PIPELINNG).
 */
function suggestionsFor(tag: string, lookup: CapabilityLookup): string[] {
  const upper = tag.toUpperCase()
  const prefixes = Array.from({ length: Math.max(0, Math.min(upper.length, RESPELLED_LENGTH + 1) - 3) }, (_, i) => upper.slice(0, i + 3))
    .filter((prefix) => prefix.length < upper.length)
  const runTogether = lookup.registeredAmong(prefixes)
    .sort((a, b) => b.length - a.length)
    .map((registered) => `${registered} ${tag.slice(registered.length)}`)
  const near = upper.length <= RESPELLED_LENGTH ? lookup.registeredAmong([...new Set(oneEditAway(upper))]) : []
  return [...runTogether, ...near].slice(0, 5)
}

function registrationOf(tag: string, lookup: CapabilityLookup, registered: Set<string>, suggest: boolean): Registration {
  const entry = registered.has(tag.toUpperCase()) ? lookup.get(tag) : undefined
  if (entry) return { kind: 'registered', entry }
  if (/^x/i.test(tag)) return { kind: 'x-range' }
  return { kind: 'unregistered', suggestions: suggest ? suggestionsFor(tag, lookup) : [] }
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
  let suggested = 0
  for (const state of ['before', 'after'] as const) {
    const raw = input[state]
    if (raw === undefined) continue
    const parsed = parseCapaResponse(raw, state)
    // One lookup tells which tags are registered; only those are read whole.
    const registered = new Set(lookup.registeredAmong(parsed.capabilities.map((line) => line.tag)).map((tag) => tag.toUpperCase()))
    const lines = parsed.capabilities.map((line) => {
      const registration = registrationOf(line.tag, lookup, registered, suggested < SUGGESTED_LINES)
      if (registration.kind === 'unregistered') suggested++
      return { ...line, registration }
    })
    report[state] = { status: parsed.status, lines }
    report.findings.push(...parsed.findings)
    for (const line of lines) report.findings.push(...registrationFindings(line, state), ...argumentFindings(line, state))
  }
  if (report.before && report.after) report.findings.push(...acrossStates(report.before.lines, report.after.lines))
  return report
}
