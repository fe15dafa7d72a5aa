import { isDeepStrictEqual } from 'node:util'
import { z } from 'zod'
import { CAPA_TAG, FORBIDDEN_IN_TEXT, MAX_CAPA_LINE, RESP_CODE, RFC_REFERENCE, VISIBLE } from '../../schema/grammar.ts'
import type { Violation, Warning } from '../../schema/problem.ts'
import {
  DeprecationRequestSchema, RegistrationRequestSchema, type DeprecationRequest, type RegistrationRequest, type Submission, type ValidationResult,
} from '../../schema/registration.ts'
import { STANDARDS_TRACK_OR_EXPERIMENTAL, type Rfc } from '../../schema/rfc.ts'
import type { RuleId, WarningId } from '../../schema/rules.ts'
import type { RegistryView } from '../store/registry-view.ts'
import { parseRequestPart } from './zod-issues.ts'

/**
 * A schema as zod's ahead-of-time compiler makes it, on first use rather than at start-up: the
 * same schema, parsed first by code generated for it (a valid body's parse about a third cheaper),
 * and by zod's runtime when that code refuses the body, so a refused body's issues are zod's own.
 */
function compiledOnUse<T extends z.ZodType>(schema: T): () => T {
  let compiled: T | undefined
  return () => (compiled ??= z.core.compile(schema))
}
const registrationSchema = compiledOnUse(RegistrationRequestSchema)
const deprecationSchema = compiledOnUse(DeprecationRequestSchema)

const finding = (path: string, rule: RuleId, message: string): Violation => ({ path, rule, message })
const warning = (path: string, rule: WarningId, message: string): Warning => ({ path, rule, message })

// The free-text fields, and which of them may run over several lines.
const TEXT_FIELDS = ['discussion', 'definition', 'lengthLimits', 'notes', 'references'] as const
const MULTI_LINE = new Set<string>(['discussion', 'definition', 'notes'])
const LINE_BREAKS = /[\t\n\r]/

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * The rules below push what they find into one list, and build a finding's path and message only
 * when there is one: /validate runs them on every request, and most bodies break nothing.
 */
type Found = Violation[]

/**
 * What is wrong with free text: the control character it holds, or (where it is required to say
 * something) that it has no visible character; undefined when nothing, without allocating.
 */
function textFault(text: unknown, multiLine: boolean): RegExpExecArray | 'invisible' | undefined {
  if (typeof text !== 'string' || text === '') return undefined
  const bad = FORBIDDEN_IN_TEXT.exec(text) ?? (multiLine ? null : LINE_BREAKS.exec(text))
  if (bad) return bad
  return VISIBLE.test(text) ? undefined : 'invisible'
}

function textFinding(path: string, field: string, fault: RegExpExecArray | 'invisible'): Violation {
  return fault === 'invisible'
    ? finding(path, 'required', `${field} has no visible character; write what it should say`)
    : finding(path, 'control-character', `${field} holds the control character ${codePoint(fault[0])} at position ${fault.index + 1}; remove it`)
}

function checkText(found: Found, path: string, field: string, text: unknown, multiLine: boolean) {
  const fault = textFault(text, multiLine)
  if (fault) found.push(textFinding(path, field, fault))
}

function checkTexts(found: Found, entry: Record<string, unknown>) {
  for (const field of TEXT_FIELDS) {
    const value = entry[field]
    const multiLine = MULTI_LINE.has(field)
    // A path is built only for a text at fault.
    if (!Array.isArray(value)) {
      const fault = textFault(value, multiLine)
      if (fault) found.push(textFinding(`/entry/${field}`, field, fault))
      continue
    }
    for (let index = 0; index < value.length; index++) {
      const fault = textFault(value[index], multiLine)
      if (fault) found.push(textFinding(`/entry/${field}/${index}`, field, fault))
    }
  }
}

/** A JSON value narrowed to an object, or undefined. */
const asRecord = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
const isString = (item: unknown): item is string => typeof item === 'string'
/** A list's strings; the list itself when it holds nothing else (an index below counts strings only). */
const strings = (value: unknown): string[] => (!Array.isArray(value) ? [] : value.every(isString) ? value : value.filter(isString))

function checkRepeated(found: Found, entry: Record<string, unknown>, fields: readonly string[]) {
  for (const field of fields) {
    const values = strings(entry[field])
    if (values.length < 2) continue
    const seen = new Set<string>()
    values.forEach((value, index) => {
      const key = value.toUpperCase()
      if (!seen.has(key)) seen.add(key)
      else found.push(finding(`/entry/${field}/${index}`, 'repeated', `${field} lists ${key} twice (item ${index + 1} is ${JSON.stringify(value)}); remove one`))
    })
  }
}

function checkReferences(found: Found, entry: Record<string, unknown>, needsRfc: boolean) {
  const references = strings(entry.references)
  let rfcs = 0
  references.forEach((reference, index) => {
    if (RFC_REFERENCE.test(reference)) rfcs += 1
    else if (!isAbsoluteUrl(reference)) {
      found.push(finding(`/entry/references/${index}`, 'reference', `references item ${index + 1}, ${JSON.stringify(reference)}, is neither an RFC nor an absolute URL; cite the specification as RFC2449 or https://…`))
    }
  })
  if (needsRfc && Array.isArray(entry.references) && references.length > 0 && rfcs === 0) {
    found.push(finding('/entry/references', 'reference', 'references cites no RFC, but a capability must be defined in one (RFC 2449 §7): add the RFC that defines it, written RFC2449'))
  }
}

function isAbsoluteUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false
  try {
    return new URL(text).hostname.length > 0
  } catch {
    return false
  }
}

const CAPABILITY_LISTS = ['addedCommands', 'affectedCommands', 'announcedStates', 'announcementOptionalIn', 'validStates', 'references'] as const
const RESPONSE_CODE_LISTS = ['responseTypes', 'commands', 'references'] as const

function checkCapability(found: Found, entry: Record<string, unknown>, action: unknown, registry: RegistryView) {
  const tag = typeof entry.tag === 'string' && CAPA_TAG.test(entry.tag) ? entry.tag : undefined
  if (tag && /^x/i.test(tag)) {
    found.push(finding('/entry/tag', 'x-prefix', `the tag ${tag} begins with "X", which RFC 2449 §7 leaves to unregistered use: choose a tag that does not`))
  }
  if (tag) {
    // The longest CAPA line the entry allows: the tag, each argument after a space, and CRLF.
    let octets = Buffer.byteLength(tag) + 2
    for (const arg of strings(entry.arguments)) octets += 1 + Buffer.byteLength(arg)
    if (octets > MAX_CAPA_LINE) {
      found.push(finding('/entry/tag', 'line-length', `the tag and its arguments make a ${octets}-octet CAPA line, and RFC 2449 §4 allows 512: shorten the tag or the arguments`))
    }
    checkKeyPresence(found, '/entry/tag', 'capability', tag, action, registry)
  }
  const optional = strings(entry.announcementOptionalIn)
  if (optional.length > 0) {
    const announced = new Set(strings(entry.announcedStates))
    optional.forEach((state, index) => {
      if (!announced.has(state)) {
        found.push(finding(`/entry/announcementOptionalIn/${index}`, 'inconsistent', `announcementOptionalIn names ${state}, which announcedStates does not list; add it to announcedStates, or remove it here`))
      }
    })
  }
  checkRepeated(found, entry, CAPABILITY_LISTS)
  checkReferences(found, entry, true)
}

function checkResponseCode(found: Found, entry: Record<string, unknown>, action: unknown, registry: RegistryView) {
  const code = typeof entry.code === 'string' && RESP_CODE.test(entry.code) ? entry.code : undefined
  if (code) checkKeyPresence(found, '/entry/code', 'response code', code, action, registry)
  checkRepeated(found, entry, RESPONSE_CODE_LISTS)
  checkReferences(found, entry, false)
}

function checkKeyPresence(found: Found, path: string, noun: 'capability' | 'response code', key: string, action: unknown, registry: RegistryView) {
  if (action !== 'register' && action !== 'update') return
  const kind = noun === 'capability' ? 'capability' : 'response-code'
  const exists = kind === 'capability' ? registry.hasCapability(key) : registry.hasResponseCode(key)
  const field = path.slice('/entry/'.length)
  if (action === 'register' && registry.isDeprecated(kind, key)) {
    found.push(finding(path, 'deprecated', `${field} ${key}: the ${noun} ${key} is deprecated, and a deprecated key is never registered again; choose another key, or submit an update to change its entry`))
  } else if (action === 'register' && exists) {
    found.push(finding(path, 'duplicate', `${field} ${key}: the ${noun} ${key} is registered already (keys ignore case); to change its entry, submit an update`))
  } else if (action === 'update' && !exists) {
    found.push(finding(path, 'not-registered', `${field} ${key}: no ${noun} ${key} is registered; to add it, submit a register`))
  }
}

function referenceWarnings(entry: Record<string, unknown>, isCapability: boolean, registry: RegistryView): Warning[] {
  const warnings: Warning[] = []
  const known: Rfc[] = []
  let cited = 0
  strings(entry.references).forEach((reference, index) => {
    if (!RFC_REFERENCE.test(reference)) return
    cited += 1
    const rfc = registry.rfc(Number(reference.slice(3)))
    if (!rfc) {
      warnings.push(warning(`/entry/references/${index}`, 'rfc-status-unknown', `references cites ${reference.toUpperCase()}, whose status the registry does not know; a reviewer will check it`))
      return
    }
    known.push(rfc)
    if (rfc.obsoletedBy) warnings.push(warning(`/entry/references/${index}`, 'rfc-obsoleted', `references cites RFC${rfc.number}, which is obsoleted by ${rfc.obsoletedBy}; cite that instead if it defines the same`))
  })
  if (isCapability && cited > 0 && known.length === cited && !known.some((rfc) => STANDARDS_TRACK_OR_EXPERIMENTAL.has(rfc.status))) {
    warnings.push(warning('/entry/references', 'rfc-not-standards-track',
      `none of the RFCs references cites is Standards Track or Experimental (${known.map((rfc) => `RFC${rfc.number}: ${rfc.status}`).join('; ')}); RFC 2449 §7 requires one`))
  }
  return warnings
}

/**
 * Each (path, rule) once: the first one's place, the last one's message. A refused body mostly
 * breaks a few rules, which are each compared with those kept before them rather than keyed in a
 * Map (a key string each); a body may break thousands, which the Map keeps linear.
 */
function unique(violations: Violation[]): Violation[] {
  if (violations.length < 2) return violations
  if (violations.length > 16) return [...new Map(violations.map((v) => [`${v.path} ${v.rule}`, v])).values()]
  const kept: Violation[] = []
  for (const violation of violations) {
    const same = kept.findIndex((k) => k.path === violation.path && k.rule === violation.rule)
    if (same < 0) kept.push(violation)
    else kept[same] = violation
  }
  return kept
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
  const parsed = parseRequestPart(deprecationSchema(), body)
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
    checkText(violations, '/reason', 'reason', request?.reason, true)
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
  const found = unique(violations)
  if (found.length > 0 || !parsed.success) return { valid: false, violations: found, warnings: [] }
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
  const parsed = parseRequestPart(registrationSchema(), body)
  const violations = parsed.success ? [] : parsed.violations
  const request = asRecord(body)
  const entry = asRecord(request?.entry)
  let warnings: Warning[] = []
  if (request && entry) {
    checkTexts(violations, entry)
    if (request.kind === 'capability') checkCapability(violations, entry, request.action, registry)
    if (request.kind === 'response-code') checkResponseCode(violations, entry, request.action, registry)
    warnings = referenceWarnings(entry, request.kind === 'capability', registry)
  }
  const found = unique(violations)
  if (found.length > 0 || !parsed.success) return { valid: false, violations: found, warnings }
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
