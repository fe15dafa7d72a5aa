import { z } from 'zod'
import { IsoDateSchema } from './grammar.ts'

/** What every published entry carries besides its registered fields (design §2). */
export const PublicationSchema = z.object({
  status: z.enum(['active', 'deprecated']),
  replacedBy: z.string().optional().describe('The key that replaces a deprecated entry, if its deprecation named one.'),
  registeredAt: IsoDateSchema.describe('The day the entry was first published.'),
  updatedAt: IsoDateSchema.describe('The day its latest revision was published.'),
  links: z.object({
    self: z.string(),
    history: z.string(),
  }),
})
