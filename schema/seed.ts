import { z } from 'zod'
import { CapabilitySchema } from './capability.ts'
import { ActionSchema } from './registration.ts'
import { ResponseCodeSchema } from './response-code.ts'
import { BibliographyEntrySchema, RegistryMetadataSchema } from './registry.ts'

const ProvenanceSchema = z.record(z.string(), z.string())
  .describe('Per field (or "entry"): how the value was read from the source.')

/** The initial set as reviewed data (seed/initial-set.json). */
export const SeedSchema = z.strictObject({
  source: z.strictObject({ file: z.string(), sha256: z.string(), description: z.string(), date: z.string() }),
  registry: RegistryMetadataSchema,
  capabilities: z.array(z.strictObject({ entry: CapabilitySchema, provenance: ProvenanceSchema.optional() })),
  responseCodes: z.array(z.strictObject({ entry: ResponseCodeSchema, provenance: ProvenanceSchema.optional() })),
  notes: z.array(z.string()),
})

export type Seed = z.infer<typeof SeedSchema>

const SourceFileSchema = z.strictObject({ file: z.string(), sha256: z.string(), description: z.string() })

const LaterRevisionFields = {
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  dateKnownTo: z.enum(['day', 'month']).describe('How precisely the sources date it; "month" days follow dayRule.'),
  action: ActionSchema,
  note: z.string().min(1).describe('The revision\'s provenance: its source, and how its day was chosen.'),
  provenance: ProvenanceSchema.optional(),
}

/** IANA's registrations after the initial set, as dated revisions (seed/later-registrations.json). */
export const LaterRegistrationsSchema = z.strictObject({
  sources: z.array(SourceFileSchema),
  dayRule: z.string(),
  interpretations: z.array(z.string()),
  bibliography: z.array(BibliographyEntrySchema.required({ since: true }))
    .describe('The references the later revisions cite, each from the day its first revision is dated.'),
  revisions: z.array(z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('capability'), entry: CapabilitySchema, ...LaterRevisionFields }),
    z.strictObject({ kind: z.literal('response-code'), entry: ResponseCodeSchema, ...LaterRevisionFields }),
  ])),
})

export type LaterRegistrations = z.infer<typeof LaterRegistrationsSchema>

/** What a new database starts with (env SEED): the 2001 set alone, or it and every later registration. */
export const SeedNameSchema = z.enum(['current', 'initial'])
export type SeedName = z.infer<typeof SeedNameSchema>
