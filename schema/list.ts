import { z } from 'zod'
import { EntryStatusSchema } from './entry.ts'
import { IsoDateSchema, KEYWORD, STATES } from './grammar.ts'

const isCalendarDate = (day: string) => {
  const time = Date.parse(`${day}T00:00:00Z`)
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(day)
}

const upperCased = (value: unknown) => (typeof value === 'string' ? value.toUpperCase() : value)

/** asOf: the registry as it stood at the end of a day; every read of the registry takes it. */
const AsOfSchema = IsoDateSchema
  .refine((day) => isCalendarDate(day), { error: 'asOf is a calendar date, YYYY-MM-DD' })
  .describe('The registry as it stood at the end of this day (UTC); the initial set dates from 2001-06-29.')

/** The query of a read that takes nothing but asOf: one entry, its history, a download. */
export const AsOfQuerySchema = z.strictObject({ asOf: AsOfSchema.optional() })

const ListQueryBase = z.strictObject({
  asOf: AsOfSchema.optional(),
  status: z.enum(EntryStatusSchema.options, { error: `status is ${EntryStatusSchema.options.join(' or ')}` }).optional()
    .describe('Only entries of this status.'),
  q: z.string().min(1).max(200).optional()
    .describe('Case-insensitive text that the key or the discussion/definition contains.'),
  command: z.preprocess(upperCased, z.string().regex(KEYWORD, {
    error: 'command is a POP3 keyword of 3 or 4 printable characters, e.g. USER',
  })).optional().describe('Only entries that add, affect or apply to this command ("all" entries match every command).'),
  limit: z.coerce.number({ error: 'limit is a whole number from 1 to 500' })
    .int({ error: 'limit is a whole number from 1 to 500' })
    .min(1, { error: 'limit is a whole number from 1 to 500' })
    .max(500, { error: 'limit is a whole number from 1 to 500' })
    .default(100),
  cursor: z.string().min(1).max(200).optional().describe('The nextCursor of the previous page.'),
})

export const CapabilityListQuerySchema = ListQueryBase.extend({
  state: z.preprocess(upperCased, z.enum(STATES, {
    error: `state is one of ${STATES.join(', ')} (RFC 1939)`,
  })).optional().describe('Only capabilities whose commands are valid in this state.'),
})
export const ResponseCodeListQuerySchema = ListQueryBase

export type ListQuery = z.infer<typeof CapabilityListQuerySchema>

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe('Entries that match the filters, on every page.'),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
  })
}
