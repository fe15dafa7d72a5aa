import { z } from 'zod'
import { CapabilitySchema } from './capability.ts'
import { ResponseCodeSchema } from './response-code.ts'
import { RegistryMetadataSchema } from './registry.ts'

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
