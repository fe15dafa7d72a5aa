import { isDeepStrictEqual } from 'node:util'
import type { z } from 'zod'
import { CAPA_TAG, FORBIDDEN_IN_TEXT, MAX_CAPA_LINE, RESP_CODE, RFC_REFERENCE, STATES, VISIBLE } from '../../schema/grammar.ts'
import type { Violation } from '../../schema/problem.ts'
import {
  DeprecationRequestSchema, RegistrationRequestSchema, type DeprecationRequest, type RegistrationRequest, type Submission, type ValidationResult,
} from '../../schema/registration.ts'
import { STANDARDS_TRACK_OR_EXPERIMENTAL, type Rfc } from '../../schema/rfc.ts'
import type { RegistryView } from '../store/registry-view.ts'

/**
 * The stable ids of the rules a registration is checked against (README: Registering).
 * Each violation and warning names one of them.
 */
export const RULES = {
  'required': 'A required field is missing or empty, or a text shows no visible character.',
  'type': 'A value has the wrong JSON type.',
  'unknown-field': 'The body has a field the registry does not know.',
  'one-of': 'A value is not one of those allowed.',
  'syntax': 'A key, keyword or argument breaks RFC 2449\'s grammar.',
  'control-character': 'A text holds a control character (or another that XML cannot carry).',
  'x-prefix': 'A capability tag begins with "X" or "x" (RFC 2449 §7).',
  'line-length': 'The tag and its arguments do not fit a 512-octet CAPA line (RFC 2449 §4).',
  'duplicate': 'A register names a key that is registered already, in any case.',
  'not-registered': 'An update names a key that is not registered.',
  'unknown-state': 'A state is not one of RFC 1939\'s.',
  'inconsistent': 'Two fields contradict each other.',
  'repeated': 'A list names the same value twice.',
  'deprecated': 'A register names a deprecated key, or a deprecation a key that is deprecated already.',
  'unchanged': 'An update changes nothing: every field is as registered already.',
  'reference': 'A reference is neither an RFC nor an absolute URL, or a capability cites no RFC.',
  'rfc-status-unknown': 'Warning: the registry does not know the status of a cited RFC.',
  'rfc-not-standards-track': 'Warning: a capability cites no Standards Track or Experimental RFC (RFC 2449 §7).',
  'rfc-obsoleted': 'Warning: a cited RFC has been obsoleted.',
} as const

export type RuleId = keyof typeof RULES

const finding = (path: string, rule: RuleId, message: string): Violation => ({ path, rule, message })

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined
  return value
}

const pointer = (path: PropertyKey[]) => path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')

const STATE_FIELDS = new Set(['announcedStates', 'announcementOptionalIn', 'validStates'])

function stateMessage(value: unknown): string {
  if (typeof value === 'string' && value.toUpperCase() === 'AUTHENTICATION') {
    return 'RFC 1939 has no AUTHENTICATION state (RFC 2449 §6 miscalls it so): the state before login is AUTHORIZATION'
  }
  return `${JSON.stringify(value)} is not a POP3 state; the states are ${STATES.join(', ')} (RFC 1939 §3)`
}

/** The schema's issues, as violations with rule ids and messages a maintainer can act on. */
function structuralViolations(body: unknown, issues: z.core.$ZodIssue[]): Violation[] {
  return issues.flatMap((issue): Violation[] => {
    const at = pointer(issue.path)
    const value = valueAt(body, issue.path)
    // The field named last in the path: validStates for /entry/validStates/0.
    const field = String([...issue.path].reverse().find((key) => typeof key === 'string') ?? '')
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => finding(`${at}/${key}`, 'unknown-field', `"${key}" is not a field of this registration; remove it`))
      case 'invalid_type':
        return value === undefined
          ? [finding(at, 'required', `${field || 'the body'} is required`)]
          : [finding(at, 'type', `${field || 'the body'} must be ${issue.expected === 'object' ? 'a JSON object' : `of type ${issue.expected}`}`)]
      case 'too_small':
        return [finding(at, 'required', typeof value === 'string'
          ? `${field} must not be empty`
          : `${field} must list at least ${String(issue.minimum)}`)]
      case 'invalid_value':
        if (STATE_FIELDS.has(field)) return [finding(at, 'unknown-state', stateMessage(value))]
        if (issue.path.length === 1 && issue.path[0] === 'kind' && value === undefined) return [finding(at, 'required', 'kind is required')]
        return [finding(at, 'one-of', `${JSON.stringify(value)} is not allowed here; use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`)]
      case 'invalid_union':
        if ('discriminator' in issue && issue.discriminator === 'kind') {
          return value === undefined
            ? [finding(at, 'required', 'kind is required: "capability" or "response-code"')]
            : [finding(at, 'one-of', `kind ${JSON.stringify(value)} is not one of "capability", "response-code"`)]
        }
        return [finding(at, 'type', `${field} must be "all" or a list of command keywords`)]
      case 'invalid_format':
      case 'too_big':
        return [finding(at, 'syntax', issue.message)]
      default:
        return [finding(at, 'type', issue.message)]
    }
  })
}

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
      return [finding(`/entry/${field}/${index}`, 'repeated', `${value} is listed twice in ${field}`)]
    })
  })
}

function referenceViolations(entry: Record<string, unknown>, needsRfc: boolean): Violation[] {
  const references = strings(entry.references)
  const violations = references.flatMap((reference, index) => {
    if (RFC_REFERENCE.test(reference) || isAbsoluteUrl(reference)) return []
    return [finding(`/entry/references/${index}`, 'reference', `"${reference}" is neither an RFC (written RFC2449) nor an absolute http(s) URL`)]
  })
  if (needsRfc && Array.isArray(entry.references) && references.length > 0 && !references.some((r) => RFC_REFERENCE.test(r))) {
    violations.push(finding('/entry/references', 'reference', 'a capability must be defined in an RFC (RFC 2449 §7): cite at least one, written RFC2449'))
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
    violations.push(finding('/entry/tag', 'x-prefix', `${tag} begins with "X": a registered tag must not begin with X (RFC 2449 §7), which is left to unregistered use`))
  }
  if (tag) {
    // The longest CAPA line the entry allows: the tag, each argument after a space, and CRLF.
    const octets = Buffer.byteLength(tag) + strings(entry.arguments).reduce((sum, arg) => sum + 1 + Buffer.byteLength(arg), 0) + 2
    if (octets > MAX_CAPA_LINE) {
      violations.push(finding('/entry/tag', 'line-length', `the tag and its arguments make a ${octets}-octet CAPA line; RFC 2449 §4 allows 512`))
    }
    violations.push(...keyPresence('/entry/tag', 'capability', tag, action, registry.hasCapability(tag), registry.isDeprecated('capability', tag)))
  }
  const announced = new Set(strings(entry.announcedStates))
  strings(entry.announcementOptionalIn).forEach((state, index) => {
    if (!announced.has(state)) {
      violations.push(finding(`/entry/announcementOptionalIn/${index}`, 'inconsistent', `${state} is optional for an announcement that announcedStates does not list`))
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
  if (action === 'register' && deprecated) {
    return [finding(path, 'deprecated', `the ${noun} ${key} is deprecated, and a deprecated key is never registered again; choose another key, or submit an update to change its entry`)]
  }
  if (action === 'register' && exists) {
    return [finding(path, 'duplicate', `the ${noun} ${key} is registered already (keys ignore case); to change it, submit an update`)]
  }
  if (action === 'update' && !exists) {
    return [finding(path, 'not-registered', `no ${noun} ${key} is registered; to add it, submit a register`)]
  }
  return []
}

function referenceWarnings(entry: Record<string, unknown>, isCapability: boolean, registry: RegistryView): Violation[] {
  const warnings: Violation[] = []
  const known: Rfc[] = []
  strings(entry.references).forEach((reference, index) => {
    if (!RFC_REFERENCE.test(reference)) return
    const rfc = registry.rfc(Number(reference.slice(3)))
    const path = `/entry/references/${index}`
    if (!rfc) {
      warnings.push(finding(path, 'rfc-status-unknown', `the registry does not know ${reference.toUpperCase()}'s status; a reviewer will check it`))
      return
    }
    known.push(rfc)
    if (rfc.obsoletedBy) warnings.push(finding(path, 'rfc-obsoleted', `RFC${rfc.number} is obsoleted by ${rfc.obsoletedBy}`))
  })
  const cited = strings(entry.references).filter((r) => RFC_REFERENCE.test(r)).length
  if (isCapability && cited > 0 && known.length === cited && !known.some((rfc) => STANDARDS_TRACK_OR_EXPERIMENTAL.has(rfc.status))) {
    warnings.push(finding('/entry/references', 'rfc-not-standards-track',
      `none of the cited RFCs is Standards Track or Experimental (${known.map((rfc) => `RFC${rfc.number}: ${rfc.status}`).join('; ')}); RFC 2449 §7 requires one`))
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

/**
 * Checks a registration body against every rule at once, against the registry as it is now.
 * Returns the normalized request only when nothing is violated.
 */
/** Checks a deprecation: its key registered and not deprecated yet, its replacement registered and active. */
function checkDeprecation(body: unknown, registry: RegistryView): ValidationResult & { request?: DeprecationRequest } {
  const parsed = DeprecationRequestSchema.safeParse(body)
  const violations = parsed.success ? [] : structuralViolations(body, parsed.error.issues)
  const request = asRecord(body)
  const kind = request?.kind
  if (kind === 'capability' || kind === 'response-code') {
    const field = kind === 'capability' ? 'tag' : 'code'
    const noun = kind === 'capability' ? 'capability' : 'response code'
    const exists = (key: string) => (kind === 'capability' ? registry.hasCapability(key) : registry.hasResponseCode(key))
    const key = asRecord(request?.entry)?.[field]
    if (typeof key === 'string' && key !== '') {
      if (!exists(key)) violations.push(finding(`/entry/${field}`, 'not-registered', `no ${noun} ${key} is registered; only a registered key can be deprecated`))
      else if (registry.isDeprecated(kind, key)) violations.push(finding(`/entry/${field}`, 'deprecated', `the ${noun} ${key} is deprecated already`))
    }
    violations.push(...textViolation('/reason', 'reason', request?.reason, true))
    const replacedBy = request?.replacedBy
    if (typeof replacedBy === 'string' && replacedBy !== '') {
      if (typeof key === 'string' && replacedBy.toUpperCase() === key.toUpperCase()) {
        violations.push(finding('/replacedBy', 'inconsistent', `${replacedBy} cannot replace itself; name another registered ${noun}, or leave replacedBy out`))
      } else if (!exists(replacedBy)) {
        violations.push(finding('/replacedBy', 'not-registered', `no ${noun} ${replacedBy} is registered; the replacement must be registered first`))
      } else if (registry.isDeprecated(kind, replacedBy)) {
        violations.push(finding('/replacedBy', 'deprecated', `the ${noun} ${replacedBy} is deprecated itself; name an active one`))
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

export function checkRegistration(body: unknown, registry: RegistryView): ValidationResult & { request?: Submission } {
  if (asRecord(body)?.action === 'deprecate') return checkDeprecation(body, registry)
  const parsed = RegistrationRequestSchema.safeParse(body)
  const violations = parsed.success ? [] : structuralViolations(body, parsed.error.issues)
  const request = asRecord(body)
  const entry = asRecord(request?.entry)
  let warnings: Violation[] = []
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
      const unchanged = finding('/entry', 'unchanged', `this update changes nothing: every field of ${key} is as registered already; change what needs changing, or do not submit it`)
      return { valid: false, violations: [unchanged], warnings }
    }
  }
  return { valid: true, violations: [], warnings, request: request_ }
}
