import { z } from 'zod'
import { IsoDateSchema } from './grammar.ts'

const SUB_REGISTRY_IDS = ['capabilities', 'response-codes'] as const
export const SubRegistryIdSchema = z.enum(SUB_REGISTRY_IDS)
export type SubRegistryId = z.infer<typeof SubRegistryIdSchema>

const RequiredFieldSchema = z.object({
  label: z.string().describe('The item as the source document names it.'),
  fields: z.array(z.string()).describe('The entry fields that carry it.'),
})

/** A sub-registry's rules, in the source document's own terms. */
const SubRegistryRulesSchema = z.strictObject({
  id: SubRegistryIdSchema,
  title: z.string(),
  policy: z.string().nullable().describe('The RFC 8126 policy the source names, if it names one.'),
  registrationProcedure: z.string(),
  requiredFields: z.array(RequiredFieldSchema),
  optionalFields: z.array(RequiredFieldSchema),
})

export const BibliographyEntrySchema = z.strictObject({
  id: z.string().describe('The citation anchor, e.g. "RFC2449".'),
  citation: z.string(),
  since: IsoDateSchema.optional()
    .describe('The day the registry first cited it, for a reference added after the initial set; asOf shows it from that day.'),
})

/** The registry's own metadata as the seed and an export carry it. */
export const RegistryMetadataSchema = z.strictObject({
  id: z.literal('pop3-extension-mechanism'),
  title: z.string(),
  note: z.string(),
  lastUpdated: IsoDateSchema,
  subRegistries: z.array(SubRegistryRulesSchema),
  bibliography: z.array(BibliographyEntrySchema),
})

export const RegistrySchema = RegistryMetadataSchema.extend({
  subRegistries: z.array(SubRegistryRulesSchema.extend({
    count: z.number().int().describe('Published entries.'),
    links: z.object({ entries: z.string() }),
  })),
}).meta({ id: 'Registry' })

export type SubRegistryRules = z.infer<typeof SubRegistryRulesSchema>
export type RegistryMetadata = z.infer<typeof RegistryMetadataSchema>
