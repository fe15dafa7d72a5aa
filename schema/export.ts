import { z } from 'zod'
import { CapabilityRecordSchema, CapabilitySchema } from './capability.ts'
import { ChangeActionSchema, EntryStatusSchema } from './entry.ts'
import { RegistryMetadataSchema, SubRegistryIdSchema } from './registry.ts'
import { ResponseCodeRecordSchema, ResponseCodeSchema } from './response-code.ts'
import { RfcSchema } from './rfc.ts'

export const ChangeSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string().describe('ISO 8601 date and time.'),
  registry: SubRegistryIdSchema,
  key: z.string(),
  action: ChangeActionSchema,
  registrationId: z.number().int().nullable().describe('The approved registration; null for the seeded changes.'),
}).meta({ id: 'Change' })

/** A change with the entry as it became: what an import replays and a follower applies. */
export const HistoryItemSchema = ChangeSchema.extend({
  status: EntryStatusSchema,
  note: z.string().nullable().optional().describe('Why the revision was made (a seeded revision\'s source, a deprecation\'s reason).'),
  replacedBy: z.string().nullable().optional().describe('The key that replaces a deprecated entry.'),
  entry: z.union([CapabilitySchema, ResponseCodeSchema]),
}).meta({ id: 'HistoryItem' })

export type HistoryItem = z.infer<typeof HistoryItemSchema>

export const ChangeFeedSchema = z.object({
  items: z.array(HistoryItemSchema.partial({ status: true, entry: true })
    .describe('A change; with include=entry, also the entry as it became and its status.')),
  latest: z.number().int().describe('The sequence number of the newest change there is.'),
}).meta({ id: 'ChangeFeed' })

/** The longest a long poll of the change feed may wait, in seconds. */
const MAX_WAIT_SECONDS = 60

export const ChangeFeedQuerySchema = z.strictObject({
  since: z.coerce.number({ error: 'since is a change sequence number, 0 or more' }).int().min(0).default(0)
    .describe('Only changes after this sequence number; 0 for all.'),
  limit: z.coerce.number({ error: 'limit is a whole number from 1 to 1000' }).int().min(1).max(1000).default(100),
  wait: z.coerce.number({ error: `wait is a number of seconds from 0 to ${MAX_WAIT_SECONDS}` }).min(0).max(MAX_WAIT_SECONDS).optional()
    .describe(`Long poll: when no change follows since, answer as soon as one does, or with no items after this many seconds (at most ${MAX_WAIT_SECONDS}). Such answers are never cached.`),
  include: z.literal('entry', { error: 'include takes only "entry"' }).optional()
    .describe('entry: each change also carries the entry as it became and its status, as the export\'s history does; what followers apply.'),
})

const FootnoteSchema = z.object({
  anchor: z.number().int(),
  key: z.string(),
  on: z.string().nullable().describe('The command the note marks, or null for the whole entry.'),
  text: z.string(),
})

/** The whole registry, as GET /v1/registry.json serves it and `pop3-registry import` reads it. */
export const RegistryExportSchema = z.strictObject({
  format: z.literal('pop3-registry/1'),
  registry: RegistryMetadataSchema,
  capabilities: z.array(CapabilityRecordSchema),
  responseCodes: z.array(ResponseCodeRecordSchema),
  footnotes: z.strictObject({
    'capabilities': z.array(FootnoteSchema),
    'response-codes': z.array(FootnoteSchema),
  }).describe('The entries\' notes, numbered as the CSV, XML and text forms mark them.'),
  rfcs: z.array(RfcSchema).describe('The RFC statuses the registration warnings consult.'),
  history: z.array(HistoryItemSchema).describe('Every change with the entry as it became, oldest first: what an import replays.'),
}).meta({ id: 'RegistryExport' })
