import { z } from 'zod'

/**
 * The stable ids of the rules a request is checked against, each with what breaks it. Every
 * violation names one; the Violation schema (and so openapi.yaml) lists them, and
 * test/rules/rule-ids.test.ts holds the README's table of rules to them.
 */
export const RULES = {
  'required': 'A required field, parameter or body is missing or empty, or a text shows no visible character.',
  'type': 'A value has the wrong JSON type.',
  'unknown-field': 'The body or query has a field or parameter the registry does not know.',
  'one-of': 'A value is not one of those allowed.',
  'syntax': 'A key, keyword, argument, date or cursor is not written as it must be.',
  'out-of-range': 'A number outside its bounds, or a text or list longer than the registry takes.',
  'control-character': 'A text holds a control character (or another that XML cannot carry).',
  'x-prefix': 'A capability tag begins with "X" or "x" (RFC 2449 §7).',
  'line-length': 'The tag and its arguments do not fit a 512-octet CAPA line (RFC 2449 §4).',
  'duplicate': 'A register names a key that is registered already, in any case.',
  'not-registered': 'An update or deprecation names a key that is not registered.',
  'unknown-state': 'A state is not one of RFC 1939\'s.',
  'state-case': 'A state is written in lower or mixed case; RFC 1939\'s states are written in upper case.',
  'inconsistent': 'Two fields contradict each other.',
  'repeated': 'A list names the same value twice.',
  'deprecated': 'A register names a deprecated key, or a deprecation a key that is deprecated already.',
  'unchanged': 'An update changes nothing: every field is as registered already.',
  'reference': 'A reference is neither an RFC nor an absolute URL, or a capability cites no RFC.',
} as const

/** The ids of the findings that do not block a registration. */
export const WARNINGS = {
  'rfc-status-unknown': 'The registry does not know the status of a cited RFC.',
  'rfc-not-standards-track': 'A capability cites no Standards Track or Experimental RFC (RFC 2449 §7).',
  'rfc-obsoleted': 'A cited RFC has been obsoleted.',
} as const

export type RuleId = keyof typeof RULES
export type WarningId = keyof typeof WARNINGS

const idsOf = <T extends Record<string, string>>(table: T) => Object.keys(table) as [keyof T & string, ...(keyof T & string)[]]

export const RuleIdSchema = z.enum(idsOf(RULES)).meta({ id: 'RuleId', description: 'A stable rule id (README: The rules).' })
export const WarningIdSchema = z.enum(idsOf(WARNINGS)).meta({ id: 'WarningId', description: 'A stable warning id (README: The rules).' })
