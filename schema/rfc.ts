import { z } from 'zod'

/** The statuses the RFC Editor's index gives an RFC (its current-status element). */
export const RFC_STATUSES = [
  'INTERNET STANDARD', 'DRAFT STANDARD', 'PROPOSED STANDARD', 'BEST CURRENT PRACTICE',
  'EXPERIMENTAL', 'INFORMATIONAL', 'HISTORIC', 'UNKNOWN', 'NOT ISSUED',
] as const

/** RFC 2449 §7: capabilities need a Standards Track or IESG-approved Experimental RFC. */
export const STANDARDS_TRACK_OR_EXPERIMENTAL: ReadonlySet<string> = new Set([
  'INTERNET STANDARD', 'DRAFT STANDARD', 'PROPOSED STANDARD', 'EXPERIMENTAL',
])

export const RfcSchema = z.strictObject({
  number: z.number().int().positive(),
  title: z.string(),
  status: z.enum(RFC_STATUSES),
  obsoletedBy: z.string().nullable(),
})

export const RfcStatusSeedSchema = z.strictObject({
  source: z.string(),
  rfcs: z.array(RfcSchema),
})

export type Rfc = z.infer<typeof RfcSchema>

/** GET /v1/rfcs: what a follower copies, and anyone may read. */
export const RfcListSchema = z.strictObject({
  items: z.array(RfcSchema).describe('Every RFC the registry knows, by number.'),
  loadedAt: z.string().nullable()
    .describe('ISO 8601 date and time of the latest load of RFC statuses that changed one; null if none was recorded.'),
}).meta({ id: 'RfcList' })
