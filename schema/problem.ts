import { z } from 'zod'

export const ViolationSchema = z.object({
  path: z.string().describe('A JSON Pointer to the offending value, e.g. "/entry/tag" or "/query/limit".'),
  rule: z.string().describe('A stable rule id, e.g. "syntax", "required", "unknown-field".'),
  message: z.string(),
}).meta({ id: 'Violation' })

/** RFC 9457 problem details: the body of every 4xx and 5xx answer. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  violations: z.array(ViolationSchema).optional().describe('Every rule the request breaks.'),
  warnings: z.array(ViolationSchema).optional().describe('Findings that would not have blocked it.'),
}).meta({ id: 'Problem' })

export type Problem = z.infer<typeof ProblemSchema>
export type Violation = z.infer<typeof ViolationSchema>
