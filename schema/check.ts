import { z } from 'zod'
import { CapabilityRecordSchema } from './capability.ts'
import { KeywordSchema } from './grammar.ts'
import { ResponseCodeRecordSchema } from './response-code.ts'

/** One thing a conformance check found. */
const FindingSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']).describe('error: breaks RFC 2449; warning: against the registry\'s record; info: worth knowing.'),
  id: z.string().describe('A stable id, e.g. "capa-line-too-long".'),
  message: z.string(),
  rfc: z.string().describe('The RFC section it rests on, e.g. "RFC 2449 §5".'),
  state: z.enum(['before', 'after']).optional(),
  line: z.number().int().optional().describe('The line of the CAPA response, the status line being 0.'),
  tag: z.string().optional(),
}).meta({ id: 'Finding' })

export type Finding = z.infer<typeof FindingSchema>

// A CAPA response of a few hundred lines is far more than any server sends.
const RawCapa = z.string().max(64 * 1024)

export const CapaCheckRequestSchema = z.strictObject({
  before: RawCapa.optional().describe('The raw CAPA response before login, status line and "." included.'),
  after: RawCapa.optional().describe('The raw CAPA response after login.'),
}).refine((body) => body.before !== undefined || body.after !== undefined, { error: 'give before, after or both', params: { rule: 'required' } })
  .meta({ id: 'CapaCheckRequest' })

/** One capability line of a CAPA response, as parsed. */
const CapaLineSchema = z.object({
  /** 1 for the status line's successor: the line number within the response. */
  line: z.number().int(),
  raw: z.string(),
  tag: z.string(),
  params: z.array(z.string()),
})
export type CapaLine = z.infer<typeof CapaLineSchema>

/** A capability line and what the registry says of its tag. */
const CheckedLineSchema = CapaLineSchema.extend({
  registration: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('registered'), entry: CapabilityRecordSchema }),
    z.object({ kind: z.literal('x-range') }),
    z.object({ kind: z.literal('unregistered'), suggestions: z.array(z.string()) }),
  ]),
})

const StateReportSchema = z.object({ status: z.string().nullable(), lines: z.array(CheckedLineSchema) })

export const CapaCheckReportSchema = z.object({
  before: StateReportSchema.optional(),
  after: StateReportSchema.optional(),
  findings: z.array(FindingSchema),
}).meta({ id: 'CapaCheckReport' })

export type CapaReport = z.infer<typeof CapaCheckReportSchema>
export type CheckedLine = z.infer<typeof CheckedLineSchema>

export const ResponseCheckRequestSchema = z.strictObject({
  line: z.string().min(1).max(1024).describe('One response line, e.g. "-ERR [SYS/TEMP] try later".'),
  command: KeywordSchema.optional()
    .describe('The command it answered.'),
}).meta({ id: 'ResponseCheckRequest' })

export const ResponseCheckReportSchema = z.object({
  status: z.enum(['+OK', '-ERR']).nullable(),
  code: z.string().nullable().describe('The code as the line gives it, without brackets; null when there is none.'),
  levels: z.array(z.string()),
  resolvedTo: ResponseCodeRecordSchema.nullable()
    .describe('The registered code it resolves to: detail a client does not know is ignored (RFC 2449 §8).'),
  text: z.string(),
  findings: z.array(FindingSchema),
}).meta({ id: 'ResponseCheckReport' })

export type ResponseCheckReport = z.infer<typeof ResponseCheckReportSchema>
