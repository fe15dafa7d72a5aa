import { z } from 'zod'
import { RuleIdSchema, WarningIdSchema } from './rules.ts'

/** How many violations (or warnings) one answer lists at most, so that no answer is much larger than its request. */
export const MAX_LISTED = 100

export const ViolationSchema = z.object({
  path: z.string().describe('A JSON Pointer to the offending value, e.g. "/entry/tag" or "/query/limit".'),
  rule: RuleIdSchema,
  message: z.string().describe('What is wrong, naming the field, and how to put it right.'),
}).meta({ id: 'Violation' })

/** A finding that does not block: the same shape as a violation, with a warning's id. */
export const WarningSchema = z.object({
  path: z.string().describe('A JSON Pointer to the value it is about, e.g. "/entry/references/1".'),
  rule: WarningIdSchema,
  message: z.string(),
}).meta({ id: 'Warning' })

/** RFC 9457 problem details: the body of every 4xx and 5xx answer. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  violations: z.array(ViolationSchema).optional().describe(`Every rule the request breaks, the first ${MAX_LISTED} of them.`),
  violationsNotListed: z.number().int().optional().describe(`How many violations there are past the first ${MAX_LISTED}, which are not listed.`),
  warnings: z.array(WarningSchema).optional().describe('Findings that would not have blocked it.'),
  warningsNotListed: z.number().int().optional().describe(`How many warnings there are past the first ${MAX_LISTED}.`),
}).meta({ id: 'Problem' })

export type Problem = z.infer<typeof ProblemSchema>
export type Violation = z.infer<typeof ViolationSchema>
export type Warning = z.infer<typeof WarningSchema>

/** A key as one segment of a violation's path, a JSON Pointer (RFC 6901 §3: `~` and `/` escaped). */
export const pointerSegment = (key: string) =>
  key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key

/**
 * Violations and warnings as an answer lists them: the first MAX_LISTED of each and how many more
 * there are. A body may break thousands of rules (16,384 bad states fit in 64 KiB); listing them
 * all would make the answer dozens of times larger than the request.
 */
export function listed(violations: Violation[], warnings?: Warning[]) {
  return {
    violations: violations.slice(0, MAX_LISTED),
    ...(violations.length > MAX_LISTED ? { violationsNotListed: violations.length - MAX_LISTED } : {}),
    ...(warnings === undefined ? {} : { warnings: warnings.slice(0, MAX_LISTED) }),
    ...(warnings !== undefined && warnings.length > MAX_LISTED ? { warningsNotListed: warnings.length - MAX_LISTED } : {}),
  }
}

/** The first few items of a list joined, and how many more there are: a detail that stays short. */
export function summary(items: string[], separator = ', ', first = 10): string {
  const shown = items.slice(0, first).join(separator)
  return items.length > first ? `${shown}${separator}and ${items.length - first} more` : shown
}
