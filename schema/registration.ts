import { z } from 'zod'
import { CapabilitySchema } from './capability.ts'
import { ChangeActionSchema, EntryStatusSchema } from './entry.ts'
import { CapaTagSchema, FORBIDDEN_IN_TEXT, IsoDateSchema, ResponseCodeKeySchema, VISIBLE } from './grammar.ts'
import { MAX_LISTED, ViolationSchema, WarningSchema } from './problem.ts'
import { ResponseCodeSchema } from './response-code.ts'

export const ActionSchema = ChangeActionSchema.exclude(['deprecate'])
  .describe('register adds a new key; update replaces the whole entry of an existing key.')

/** The body of POST /v1/registrations and /v1/registrations/validate (design §3). */
export const RegistrationRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('capability'), action: ActionSchema, entry: CapabilitySchema }),
  z.strictObject({ kind: z.literal('response-code'), action: ActionSchema, entry: ResponseCodeSchema }),
]).meta({ id: 'RegistrationRequest' })

/**
 * A deprecation (design §5): the key alone in entry, and beside it why (reason) and, if one does,
 * which key replaces it (replacedBy). Once approved, the entry's status is "deprecated".
 */
export const DeprecationRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('capability'), action: z.literal('deprecate'), entry: z.strictObject({ tag: CapaTagSchema }),
    reason: z.string().trim().min(1).max(4000), replacedBy: CapaTagSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('response-code'), action: z.literal('deprecate'), entry: z.strictObject({ code: ResponseCodeKeySchema }),
    reason: z.string().trim().min(1).max(4000), replacedBy: ResponseCodeKeySchema.optional(),
  }),
]).meta({ id: 'DeprecationRequest' })

export const SubmissionSchema = z.union([RegistrationRequestSchema, DeprecationRequestSchema])

const RegistrationStatusSchema = z.enum(['pending', 'approved', 'rejected', 'withdrawn'])

export const ValidationResultSchema = z.object({
  valid: z.boolean(),
  violations: z.array(ViolationSchema).describe(`Every rule the registration breaks (the first ${MAX_LISTED}); it cannot be submitted while any remain.`),
  violationsNotListed: z.number().int().optional().describe(`How many violations there are past the first ${MAX_LISTED}, which are not listed.`),
  warnings: z.array(WarningSchema).describe('Findings that do not block, such as an RFC whose status the registry cannot confirm.'),
  warningsNotListed: z.number().int().optional().describe(`How many warnings there are past the first ${MAX_LISTED}.`),
}).meta({ id: 'ValidationResult' })

export const RegistrationSchema = z.object({
  id: z.number().int(),
  status: RegistrationStatusSchema,
  kind: z.enum(['capability', 'response-code']),
  action: ChangeActionSchema,
  entry: z.union([CapabilitySchema, ResponseCodeSchema, z.object({ tag: z.string() }), z.object({ code: z.string() })])
    .describe('The entry as submitted, its keys and keywords in upper case; a deprecation\'s holds the key alone.'),
  deprecation: z.object({ reason: z.string(), replacedBy: z.string().optional() }).optional()
    .describe('A deprecation\'s reason, and the key that replaces the entry if one does.'),
  warnings: z.array(WarningSchema),
  submitter: z.string(),
  submittedAt: z.string().describe('ISO 8601 date and time.'),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  reason: z.string().optional().describe('Why a reviewer rejected it.'),
  changeSeq: z.number().int().optional().describe('The change-feed sequence number of its publication.'),
}).meta({ id: 'Registration' })

export const RegistrationListQuerySchema = z.strictObject({
  status: RegistrationStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(200).optional(),
})

export const RejectBodySchema = z.strictObject({
  reason: z.string().trim().min(1, { error: 'say why the registration is rejected', abort: true }).max(4000)
    .refine((reason) => VISIBLE.test(reason), { error: 'say why the registration is rejected, in visible text', params: { rule: 'required' }, abort: true })
    .refine((reason) => !FORBIDDEN_IN_TEXT.test(reason), { error: 'the reason must not hold control characters; remove them', params: { rule: 'control-character' } }),
})

export const RegistrationIdParamsSchema = z.object({ id: z.string() })

/** One revision of an entry, as its history route lists it (the export's HistoryItem is another shape: a change with its entry). */
export const RevisionSchema = z.object({
  revision: z.number().int().describe('1 for the first publication, counting up.'),
  seq: z.number().int().describe('The change-feed sequence number.'),
  date: IsoDateSchema,
  at: z.string().describe('ISO 8601 date and time of the change.'),
  action: ChangeActionSchema,
  registrationId: z.number().int().nullable().describe('null for the seeded revisions.'),
  status: EntryStatusSchema,
  note: z.string().nullable().describe('Why the revision was made: a seeded revision\'s source, a deprecation\'s reason.'),
  replacedBy: z.string().nullable().describe('The key that replaces a deprecated entry.'),
  entry: z.union([CapabilitySchema, ResponseCodeSchema]),
}).meta({ id: 'Revision' })

/** The key a registration names: its capability's tag or its response code. */
export const registrationKey = (registration: { entry: { tag: string } | { code: string } }): string =>
  'tag' in registration.entry ? registration.entry.tag : registration.entry.code

export type RegistrationRequest = z.infer<typeof RegistrationRequestSchema>
export type DeprecationRequest = z.infer<typeof DeprecationRequestSchema>
export type Submission = RegistrationRequest | DeprecationRequest
export type Registration = z.infer<typeof RegistrationSchema>
export type RegistrationStatus = z.infer<typeof RegistrationStatusSchema>
export type ValidationResult = z.infer<typeof ValidationResultSchema>
