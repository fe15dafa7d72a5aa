import { z } from 'zod'
import { STATES } from '../../schema/grammar.ts'
import { pointerSegment, type Violation } from '../../schema/problem.ts'
import { RULES, type RuleId } from '../../schema/rules.ts'

/**
 * The one translator from zod's issues to violations, for request bodies, queries and paths
 * alike: a rule id, a JSON Pointer, and a message in the registry's words that names the field and
 * says how to put it right. zod's own wording ("Invalid input: expected string, received
 * undefined") never reaches a maintainer: a schema's own `error` message is kept (it is ours), and
 * every other issue is worded here from its code.
 */

/** Which part of the request was parsed: the first segment of each violation's pointer. */
export type RequestPart = 'body' | 'query' | 'path' | 'headers'

const POINTER_BASE: Record<RequestPart, string> = { body: '', query: '/query', path: '/path', headers: '/headers' }

// Passed to zod as the parse's error map: an issue whose message is this was worded by zod, not by
// one of our schemas. Asking for it also spares zod from formatting messages we would drop.
const ZOD_WORDED = '\u0000'
// A parse's context, as safeParse would make it but for two things. zod's safeParse copies the
// options it is given into a new context, and V8 gave each copy of ours a new hidden class: this
// literal makes each of one class. And a failed safeParse builds a ZodError (an Error, with
// accessors defined on it) that we only read the issues of. So the schema is run directly, here as
// in safeParse, and each issue finalized as the error would: together about half of a refused
// /validate's rules time. A new context for each parse: a compiled schema that hands a parse to
// zod's runtime marks its context so, and a context kept from one parse to the next would keep every
// later parse off the compiled fast path (a valid body's parse 3.5 times dearer after the first
// refused one, in a loop).
const zodWorded = () => ZOD_WORDED
const parseContext = (): z.core.ParseContextInternal => ({ error: zodWorded, async: false })

function zodIssues(schema: z.ZodType, data: unknown): { value: unknown, issues?: z.core.$ZodIssue[] } {
  const context = parseContext()
  const result = schema._zod.run({ value: data, issues: [] }, context)
  if (result instanceof Promise) throw new z.core.$ZodAsyncError()
  if (result.issues.length === 0) return { value: result.value }
  const config = z.core.config()
  return { value: undefined, issues: result.issues.map((issue) => z.core.util.finalizeIssue(issue, context, config)) }
}

export type Parsed<T> = { success: true, data: T } | { success: false, violations: Violation[] }

/**
 * Parses a request's part; on failure, every issue as a violation. `at` names where in the part
 * the data sits when it is not the whole of it (["tag"] for a path's tag).
 */
export function parseRequestPart<T extends z.ZodType>(schema: T, data: unknown, part: RequestPart = 'body', at: PropertyKey[] = []): Parsed<z.output<T>> {
  const { value, issues: found } = zodIssues(schema, data)
  if (!found) return { success: true, data: value as z.output<T> }
  const issues = at.length === 0 ? found : found.map((issue) => ({ ...issue, path: [...at, ...issue.path] }))
  return { success: false, violations: violationsOf(issues, at.length === 0 ? data : nest(at, data), part, schema) }
}

const nest = (at: PropertyKey[], data: unknown): unknown => at.reduceRight<unknown>((inner, key) => ({ [key]: inner }), data)

// What each field must hold, where its name alone does not say; used when it is missing or empty.
const HINTS: Record<string, string> = {
  kind: 'give "capability" or "response-code"',
  action: 'give "register", "update" or "deprecate"',
  entry: 'give the entry as a JSON object',
  references: 'cite at least one specification: an RFC, written RFC2449, or an absolute http(s) URL',
  responseTypes: 'list "+OK", "-ERR" or both',
  affectedCommands: 'give "all", or the list of standard commands whose behaviour it changes ([] for none)',
  commands: 'give "all", or the list of commands whose responses may carry it',
  addedCommands: 'list the commands it adds ([] for none)',
  arguments: 'list the arguments its CAPA line may carry ([] for none)',
  announcedStates: 'list the states in which CAPA announces it, e.g. ["AUTHORIZATION", "TRANSACTION"]',
  validStates: 'list the states in which its commands are valid ([] for none)',
  possibleDifferences: 'give true or false',
  discussion: 'say what the capability does and why a client would use it',
  definition: 'say what the code means and what a client should do',
  reason: 'say why',
}

const EXPECTED: Record<string, string> = {
  string: 'text (a JSON string)',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list (a JSON array)',
  object: 'a JSON object',
}

/** A value as a message quotes it: short scalars as JSON, containers by what they are. */
function quoted(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 60 ? `${json.slice(0, 57)}…"` : json
}

// An enum's or a union's values are one array per schema: each list is written once.
const ordinalLists = new WeakMap<readonly unknown[], string>()
function ordinalList(values: readonly unknown[]): string {
  let list = ordinalLists.get(values)
  if (list === undefined) ordinalLists.set(values, list = values.map((value) => JSON.stringify(value)).join(', '))
  return list
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined
  return value
}

function pointer(path: readonly PropertyKey[]): string {
  let at = ''
  for (const key of path) at += `/${typeof key === 'number' ? key : pointerSegment(String(key))}`
  return at
}

/** The field named last in a path: validStates for /entry/validStates/0. */
function fieldOf(path: readonly PropertyKey[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i]
    if (typeof key === 'string') return key
  }
  return undefined
}

/** How a message names the value at a path, in words. */
function nameOf(path: readonly PropertyKey[], part: RequestPart, field = fieldOf(path)): string {
  const index = typeof path.at(-1) === 'number' ? ` item ${Number(path.at(-1)) + 1}` : ''
  if (field === undefined) return `the ${part}`
  if (part === 'query') return `the query parameter ${field}${index}`
  if (part === 'path') return `the path segment ${field}`
  return `${field}${index}`
}

/** The fields of an object schema, for the message of a body that is not an object at all. */
function fieldsOf(schema: z.ZodType): string {
  const shape = (schema as { shape?: Record<string, unknown> }).shape
  if (!shape) return ''
  return ` with ${Object.keys(shape).join(', ')}`
}

/** A state that differs from one of RFC 1939's only in case, or AUTHENTICATION, which RFC 2449 §6 miscalls it. */
function stateViolation(at: string, field: string, value: unknown): Violation {
  if (typeof value === 'string') {
    const upper = value.toUpperCase()
    if ((STATES as readonly string[]).includes(upper)) {
      return { path: at, rule: 'state-case', message: `${field} writes the state ${JSON.stringify(value)} in lower case; write it in upper case, as RFC 1939 does: ${JSON.stringify(upper)}` }
    }
    if (upper === 'AUTHENTICATION') {
      return { path: at, rule: 'unknown-state', message: `${field} is AUTHENTICATION, a state RFC 1939 does not have (RFC 2449 §6 miscalls it so): write "AUTHORIZATION", the state before login` }
    }
  }
  return { path: at, rule: 'unknown-state', message: `${field} names ${quoted(value)}, which is not a POP3 state; use one of ${ordinalList(STATES)} (RFC 1939 §3)` }
}

const stateLists = new WeakMap<readonly unknown[], boolean>()
function isState(values: readonly unknown[]): boolean {
  let states = stateLists.get(values)
  if (states === undefined) stateLists.set(values, states = values.length > 0 && values.every((value) => (STATES as readonly unknown[]).includes(value)))
  return states
}

/**
 * A violation in a schema's own words when it has them (they say what is right, and are prefixed
 * with the field when they do not name it), else in the fallback's.
 */
function worded(at: string, rule: RuleId, fallback: string, own: string | undefined, field: string | undefined, name: string, value: unknown): Violation {
  if (own === undefined) return { path: at, rule, message: fallback }
  const named = field !== undefined && own.includes(field) ? own : `${name}${typeof value === 'string' ? ` ${quoted(value)}` : ''}: ${own}`
  return { path: at, rule, message: named }
}

/**
 * Every issue as violations (unknown keys give one each), pushed into one list: a refused
 * /validate body passes here on every request, and a list per issue (flatMap) cost a tenth of
 * its rules' time. Long but flat: one case per issue code.
 */
// eslint-disable-next-line max-lines-per-function -- one case per kind of zod issue, side by side
function violationsOf(issues: readonly z.core.$ZodIssue[], root: unknown, part: RequestPart, schema?: z.ZodType): Violation[] {
  const base = POINTER_BASE[part]
  const found: Violation[] = []
  for (const issue of issues) {
    const at = `${base}${pointer(issue.path)}`
    const value = valueAt(root, issue.path)
    const field = fieldOf(issue.path)
    const name = nameOf(issue.path, part, field)
    const hint = HINTS[field ?? '']
    const own = issue.message === ZOD_WORDED ? undefined : issue.message
    const ours = (rule: RuleId, fallback: string) => found.push(worded(at, rule, fallback, own, field, name, value))
    switch (issue.code) {
      case 'unrecognized_keys': {
        const where = part === 'query' ? 'a query parameter this request takes' : issue.path.length === 0 ? 'a field of this request' : `a field of ${name}`
        for (const key of issue.keys) found.push({ path: `${at}/${pointer([key]).slice(1)}`, rule: 'unknown-field', message: `${JSON.stringify(key)} is not ${where}; remove it` })
        break
      }
      case 'invalid_type': {
        const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`
        if (issue.path.length === 0 && part === 'body' && (value === undefined || value === null)) {
          ours('required', `the body is missing; send a JSON object${schema ? fieldsOf(schema) : ''}`)
        } else if (value === undefined) ours('required', `${name} is missing; ${hint ?? `give ${expected}`}`)
        else ours('type', `${name} must be ${expected}, not ${quoted(value)}`)
        break
      }
      case 'too_small':
        if (issue.origin === 'string') {
          ours('required', part === 'query' ? `${name} is empty; give a value, or leave the parameter out` : `${name} is empty; ${hint ?? 'write what it should say'}`)
        } else if (issue.origin === 'array' || issue.origin === 'set') ours('required', `${name} is empty; ${hint ?? `list at least ${String(issue.minimum)}`}`)
        else ours('out-of-range', `${name} is ${quoted(value)}; it must be at least ${String(issue.minimum)}`)
        break
      case 'too_big':
        if (issue.origin === 'string') {
          const length = typeof value === 'string' ? value.length : 0
          ours('out-of-range', `${name} is ${length} characters long; the registry takes at most ${String(issue.maximum)}, so shorten it`)
        } else if (issue.origin === 'array' || issue.origin === 'set') ours('out-of-range', `${name} lists more than the ${String(issue.maximum)} items it may; shorten it`)
        else ours('out-of-range', `${name} is ${quoted(value)}; it must be at most ${String(issue.maximum)}`)
        break
      case 'invalid_value':
        if (isState(issue.values) && value !== undefined) {
          if (own === undefined) found.push(stateViolation(at, name, value))
          else ours('unknown-state', own)
        } else if (value === undefined) ours('required', `${name} is missing; ${hint ?? `give one of ${ordinalList(issue.values)}`}`)
        else ours('one-of', `${name} is ${quoted(value)}; use one of ${ordinalList(issue.values)}`)
        break
      case 'invalid_union': {
        const options = 'options' in issue && Array.isArray(issue.options) ? `give one of ${ordinalList(issue.options)}` : undefined
        if (value === undefined) ours('required', `${name} is missing; ${hint ?? options ?? 'give it'}`)
        else if (options) ours('one-of', `${name} is ${quoted(value)}; ${options}`)
        else ours('type', `${name} is ${quoted(value)}; ${hint ?? 'give a value of the kind it takes'}`)
        break
      }
      case 'invalid_format':
        ours('syntax', `${name} ${quoted(value)} is not written as it must be${issue.format === 'regex' ? '' : ` (${issue.format})`}`)
        break
      case 'custom': {
        const asked = (issue.params as { rule?: unknown } | undefined)?.rule
        ours(typeof asked === 'string' && asked in RULES ? asked as RuleId : 'syntax', `${name} is not valid here`)
        break
      }
      default:
        ours('type', `${name} is ${quoted(value)}, which is not a value it takes`)
    }
  }
  return found
}
