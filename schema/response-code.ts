import { z } from 'zod'
import { KeywordSchema, ReferenceSchema, ResponseCodeKeySchema } from './grammar.ts'
import { PublicationSchema } from './entry.ts'

/** A response code as registered: what RFC 2449 §10 asks of every new code. */
export const ResponseCodeSchema = z.strictObject({
  code: ResponseCodeKeySchema.describe('The complete code without brackets, levels joined by "/" (e.g. "SYS/TEMP"); case-insensitive.'),
  responseTypes: z.array(z.enum(['+OK', '-ERR'])).min(1),
  commands: z.union([z.literal('all'), z.array(KeywordSchema)]).describe('Commands whose responses may carry it, or "all".'),
  definition: z.string().min(1).describe('Its meaning and the expected client behaviour.'),
  references: z.array(ReferenceSchema).min(1),
  notes: z.array(z.string().min(1)).optional().describe('Footnotes; a note that begins "KEYWORD: " is about that command.'),
}).meta({ id: 'ResponseCodeFields' })

export const ResponseCodeRecordSchema = ResponseCodeSchema.extend(PublicationSchema.shape).meta({ id: 'ResponseCode' })

export type ResponseCode = z.infer<typeof ResponseCodeSchema>
export type ResponseCodeRecord = z.infer<typeof ResponseCodeRecordSchema>
