import { z } from 'zod'
import { IsoDateSchema } from './grammar.ts'

export const EntryStatusSchema = z.enum(['active', 'deprecated'])
export type EntryStatus = z.infer<typeof EntryStatusSchema>

/** What a revision of an entry did: a registration's action, or a deprecation. */
export const ChangeActionSchema = z.enum(['register', 'update', 'deprecate'])
export type ChangeAction = z.infer<typeof ChangeActionSchema>

/** What the registry records of every published entry besides its registered fields (design §2). */
const PublicationFieldsSchema = z.object({
  status: EntryStatusSchema,
  replacedBy: z.string().optional().describe('The key that replaces a deprecated entry, if its deprecation named one.'),
  registeredAt: IsoDateSchema.describe('The day the entry was first published.'),
  updatedAt: IsoDateSchema.describe('The day its latest revision was published.'),
})

/** An entry as the store reads it: its registered fields and its publication fields, without the API's links. */
export type Published<Entry> = Entry & z.infer<typeof PublicationFieldsSchema>

/** What every published entry carries in the API besides its registered fields: the publication fields and its links. */
export const PublicationSchema = PublicationFieldsSchema.extend({
  links: z.object({
    self: z.string(),
    history: z.string(),
  }),
})

export type EntryLinks = z.infer<typeof PublicationSchema>['links']
