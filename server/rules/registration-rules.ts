import { isDeepStrictEqual } from 'node:util'
import { CAPA_TAG, FORBIDDEN_IN_TEXT, MAX_CAPA_LINE, RESP_CODE, RFC_REFERENCE, VISIBLE } from '../../schema/grammar.ts'
import type { Violation, Warning } from '../../schema/problem.ts'
import {
  DeprecationRequestSchema, RegistrationRequestSchema, type DeprecationRequest, type RegistrationRequest, type Submission, type ValidationResult,
} from '../../schema/registration.ts'
import { STANDARDS_TRACK_OR_EXPERIMENTAL, type Rfc } from '../../schema/rfc.ts'
import type { RuleId, WarningId } from '../../schema/rules.ts'
import type { RegistryView } from '../store/registry-view.ts'
import { parseRequestPart } from './zod-issues.ts'

const finding = (path: string, rule: RuleId, message: string): Violation => ({ path, rule, message })
const warning = (path: string, rule: WarningId, message: string): Warning => ({ path, rule, message })

// The free-text fields, and which of them may run over several lines.
const TEXT_FIELDS = ['discussion', 'definition', 'lengthLimits', 'notes', 'references'] as const
const MULTI_LINE = new Set<string>(['discussion', 'definition', 'notes'])
const LINE_BREAKS = /[\t\n\r]/

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/** Free text that holds a control character, or (where it is required to say something) no visible one. */
function textViolation(path: string, field: string, text: unknown, multiLine: boolean): Violation[] {
  if (typeof text !== 'string' || text === '') return []
  const bad = FORBIDDEN_IN_TEXT.exec(text) ?? (multiLine ? null : LINE_BREAKS.exec(text))
  if (bad) {
    return [finding(path, 'control-character', `${field} holds the control character ${codePoint(bad[0])} at position ${bad.index + 1}; remove it`)]
  }
  if (!VISIBLE.test(text)) return [finding(path, 'required', `${field} has no visible character; write what it should say`)]
  return []
}

function textViolations(entry: Record<string, unknown>): Violation[] {
  return TEXT_FIELDS.flatMap((field) => {
    const value = entry[field]
    const texts: [string, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [`/entry/${field}/${index}`, item])
      : [[`/entry/${field}`, value]]
    return texts.flatMap(([path, text]) => textViolation(path, field, text, MULTI_LINE.has(field)))
  })
}

/** A JSON value narrowed to an object, or undefined. */
const asRecord = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [])

function repeatedValues(entry: Record<string, unknown>, fields: string[]): Violation[] {
  return fields.flatMap((field) => {
    const seen = new Set<string>()
    return strings(entry[field]).flatMap((value, index) => {
      const key = value.toUpperCase()
      if (!seen.has(key)) return (seen.add(key), [])
      return [finding(`/entry/${field}/${index}`, 'repeated', `${field} lists ${key} twice (item ${index + 1} is ${JSON.stringify(value)}); remove one`)]
    })
  })
}

function referenceViolations(entry: Record<string, unknown>, needsRfc: boolean): Violation[] {
  const references = strings(entry.references)
  const violations = references.flatMap((reference, index) => {
    if (RFC_REFERENCE.test(reference) || isAbsoluteUrl(reference)) return []
    return [finding(`/entry/references/${index}`, 'reference', `references item ${index + 1}, ${JSON.stringify(reference)}, is neither an RFC nor an absolute URL; cite the specification as RFC2449 or https://…`)]
  })
  if (needsRfc && Array.isArray(entry.references) && references.length > 0 && !references.some((r) => RFC_REFERENCE.test(r))) {
    violations.push(finding('/entry/references', 'reference', 'references cites no RFC, but a capability must be defined in one (RFC 2449 §7): add the RFC that defines it, written RFC2449'))
  }
  return violations
}

function isAbsoluteUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false
  try {
    return new URL(text).hostname.length > 0
  } catch {
    return false
  }
}

function capabilityViolations(entry: Record<string, unknown>, action: unknown, registry: RegistryView): Violation[] {
  const violations: Violation[] = []
  const tag = typeof entry.tag === 'string' && CAPA_TAG.test(entry.tag) ? entry.tag : undefined
  if (tag && /^x/i.test(tag)) {
    violations.push(finding('/entry/tag', 'x-prefix', `the tag ${tag} begins with "X", which RFC 2449 §7 leaves to unregistered use: choose a tag that does not`))
  }
  if (tag) {
    // The longest CAPA line the entry allows: the tag, each argument after a space, and CRLF.
    const octets = Buffer.byteLength(tag) + strings(entry.arguments).reduce((sum, arg) => sum + 1 + Buffer.byteLength(arg), 0) + 2
    if (octets > MAX_CAPA_LINE) {
      violations.push(finding('/entry/tag', 'line-length', `the tag and its arguments make a ${octets}-octet CAPA line, and RFC 2449 §4 allows 512: shorten the tag or the arguments`))
    }
    violations.push(...keyPresence('/entry/tag', 'capability', tag, action, registry.hasCapability(tag), registry.isDeprecated('capability', tag)))
  }
  const announced = new Set(strings(entry.announcedStates))
  strings(entry.announcementOptionalIn).forEach((state, index) => {
    if (!announced.has(state)) {
      violations.push(finding(`/entry/announcementOptionalIn/${index}`, 'inconsistent', `announcementOptionalIn names ${state}, which announcedStates does not list; add it to announcedStates, or remove it here`))
    }
  })
  violations.push(...repeatedValues(entry, ['addedCommands', 'affectedCommands', 'announcedStates', 'announcementOptionalIn', 'validStates', 'references']))
  violations.push(...referenceViolations(entry, true))
  return violations
}

function responseCodeViolations(entry: Record<string, unknown>, action: unknown, registry: RegistryView): Violation[] {
  const code = typeof entry.code === 'string' && RESP_CODE.test(entry.code) ? entry.code : undefined
  return [
    ...(code ? keyPresence('/entry/code', 'response code', code, action, registry.hasResponseCode(code), registry.isDeprecated('response-code', code)) : []),
    ...repeatedValues(entry, ['responseTypes', 'commands', 'references']),
    ...referenceViolations(entry, false),
  ]
}

function keyPresence(path: string, noun: string, key: string, action: unknown, exists: boolean, deprecated: boolean): Violation[] {
  const field = path.slice('/entry/'.length)
  if (action === 'register' && deprecated) {
    return [finding(path, 'deprecated', `${field} ${key}: the ${noun} ${key} is deprecated, and a deprecated key is never registered again; choose another key, or submit an update to change its entry`)]
  }
  if (action === 'register' && exists) {
    return [finding(path, 'duplicate', `${field} ${key}: the ${noun} ${key} is registered already (keys ignore case); to change its entry, submit an update`)]
  }
  if (action === 'update' && !exists) {
    return [finding(path, 'not-registered', `${field} ${key}: no ${noun} ${key} is registered; to add it, submit a register`)]
  }
  return []
}

function referenceWarnings(entry: Record<string, unknown>, isCapability: boolean, registry: RegistryView): Warning[] {
  const warnings: Warning[] = []
  const known: Rfc[] = []
  strings(entry.references).forEach((reference, index) => {
    if (!RFC_REFERENCE.test(reference)) return
    const rfc = registry.rfc(Number(reference.slice(3)))
    const path = `/entry/references/${index}`
    if (!rfc) {
      warnings.push(warning(path, 'rfc-status-unknown', `references cites ${reference.toUpperCase()}, whose status the registry does not know; a reviewer will check it`))
      return
    }
    known.push(rfc)
    if (rfc.obsoletedBy) warnings.push(warning(path, 'rfc-obsoleted', `references cites RFC${rfc.number}, which is obsoleted by ${rfc.obsoletedBy}; cite that instead if it defines the same`))
  })
  const cited = strings(entry.references).filter((r) => RFC_REFERENCE.test(r)).length
  if (isCapability && cited > 0 && known.length === cited && !known.some((rfc) => STANDARDS_TRACK_OR_EXPERIMENTAL.has(rfc.status))) {
    warnings.push(warning('/entry/references', 'rfc-not-standards-track',
      `none of the RFCs references cites is Standards Track or Experimental (${known.map((rfc) => `RFC${rfc.number}: ${rfc.status}`).join('; ')}); RFC 2449 §7 requires one`))
  }
  return warnings
}

const upper = (values: string[]) => values.map((value) => value.toUpperCase())
const upperOrAll = (values: string[] | 'all') => (values === 'all' ? values : upper(values))

/** The registration as it will be stored: keys, keywords and RFC references in upper case. */
function normalized(request: RegistrationRequest): RegistrationRequest {
  const allReferences = request.entry.references.map((r) => (RFC_REFERENCE.test(r) ? r.toUpperCase() : r))
  if (request.kind === 'capability') {
    const { entry } = request
    return {
      ...request,
      entry: {
        ...entry,
        tag: entry.tag.toUpperCase(),
        addedCommands: upper(entry.addedCommands),
        affectedCommands: upperOrAll(entry.affectedCommands),
        references: allReferences,
      },
    }
  }
  const { entry } = request
  return {
    ...request,
    entry: {
      ...entry,
      code: entry.code.toUpperCase(),
      commands: upperOrAll(entry.commands),
      references: allReferences,
    },
  }
}

/** Checks a deprecation: its key registered and not deprecated yet, its replacement registered and active. */
function checkDeprecation(body: unknown, registry: RegistryView): ValidationResult & { request?: DeprecationRequest } {
  const parsed = parseRequestPart(DeprecationRequestSchema, body)
  const violations = parsed.success ? [] : parsed.violations
  const request = asRecord(body)
  const kind = request?.kind
  if (kind === 'capability' || kind === 'response-code') {
    const field = kind === 'capability' ? 'tag' : 'code'
    const noun = kind === 'capability' ? 'capability' : 'response code'
    const exists = (key: string) => (kind === 'capability' ? registry.hasCapability(key) : registry.hasResponseCode(key))
    const key = asRecord(request?.entry)?.[field]
    if (typeof key === 'string' && key !== '') {
      if (!exists(key)) violations.push(finding(`/entry/${field}`, 'not-registered', `${field} ${key}: no ${noun} ${key} is registered, and only a registered key can be deprecated; check its spelling`))
      else if (registry.isDeprecated(kind, key)) violations.push(finding(`/entry/${field}`, 'deprecated', `${field} ${key}: the ${noun} ${key} is deprecated already; there is nothing to submit`))
    }
    violations.push(...textViolation('/reason', 'reason', request?.reason, true))
    const replacedBy = request?.replacedBy
    if (typeof replacedBy === 'string' && replacedBy !== '') {
      if (typeof key === 'string' && replacedBy.toUpperCase() === key.toUpperCase()) {
        violations.push(finding('/replacedBy', 'inconsistent', `replacedBy names ${replacedBy}, the key being deprecated, which cannot replace itself; name another registered ${noun}, or leave replacedBy out`))
      } else if (!exists(replacedBy)) {
        violations.push(finding('/replacedBy', 'not-registered', `replacedBy names ${replacedBy}, but no ${noun} ${replacedBy} is registered; register the replacement first, or leave replacedBy out`))
      } else if (registry.isDeprecated(kind, replacedBy)) {
        violations.push(finding('/replacedBy', 'deprecated', `replacedBy names ${replacedBy}, which is deprecated itself; name an active ${noun}`))
      }
    }
  }
  const unique = [...new Map(violations.map((v) => [`${v.path} ${v.rule}`, v])).values()]
  if (unique.length > 0 || !parsed.success) return { valid: false, violations: unique, warnings: [] }
  const data = parsed.data
  const request_: DeprecationRequest = data.kind === 'capability'
    ? { ...data, entry: { tag: data.entry.tag.toUpperCase() }, ...(data.replacedBy ? { replacedBy: data.replacedBy.toUpperCase() } : {}) }
    : { ...data, entry: { code: data.entry.code.toUpperCase() }, ...(data.replacedBy ? { replacedBy: data.replacedBy.toUpperCase() } : {}) }
  return { valid: true, violations: [], warnings: [], request: request_ }
}

/**
 * Checks a registration body against every rule at once, against the registry as it is now: the
 * only parse of a submitted body. Returns the normalized request only when nothing is violated.
 */
export function checkRegistration(body: unknown, registry: RegistryView): ValidationResult & { request?: Submission } {
  if (asRecord(body)?.action === 'deprecate') return checkDeprecation(body, registry)
  const parsed = parseRequestPart(RegistrationRequestSchema, body)
  const violations = parsed.success ? [] : parsed.violations
  const request = asRecord(body)
  const entry = asRecord(request?.entry)
  let warnings: Warning[] = []
  if (request && entry) {
    violations.push(...textViolations(entry))
    if (request.kind === 'capability') violations.push(...capabilityViolations(entry, request.action, registry))
    if (request.kind === 'response-code') violations.push(...responseCodeViolations(entry, request.action, registry))
    warnings = referenceWarnings(entry, request.kind === 'capability', registry)
  }
  const unique = [...new Map(violations.map((v) => [`${v.path} ${v.rule}`, v])).values()]
  if (unique.length > 0 || !parsed.success) return { valid: false, violations: unique, warnings }
  const request_ = normalized(parsed.data)
  if (request_.action === 'update') {
    const key = request_.kind === 'capability' ? request_.entry.tag : request_.entry.code
    if (isDeepStrictEqual(registry.entryOf(request_.kind, key), JSON.parse(JSON.stringify(request_.entry)))) {
      const unchanged = finding('/entry', 'unchanged', `this update's entry changes nothing: every field of ${key} is as registered already; change what needs changing, or do not submit it`)
      return { valid: false, violations: [unchanged], warnings }
    }
  }
  return { valid: true, violations: [], warnings, request: request_ }
}
