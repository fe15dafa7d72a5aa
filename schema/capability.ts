import { z } from 'zod'
import { CapaArgumentSchema, CapaTagSchema, KeywordSchema, ReferenceSchema, StateSchema } from './grammar.ts'
import { PublicationSchema } from './entry.ts'

const CommandListSchema = z.array(KeywordSchema)

/** A capability as registered: the fields RFC 2449 §7 asks of every new CAPA tag. */
export const CapabilitySchema = z.strictObject({
  tag: CapaTagSchema.describe('The CAPA tag in its registered spelling; tags are case-insensitive (RFC 2449 §5).'),
  arguments: z.array(CapaArgumentSchema).describe('Arguments the tag may carry on its CAPA line; [] = none.'),
  addedCommands: CommandListSchema.describe('Commands the capability adds; [] = none.'),
  affectedCommands: z.union([z.literal('all'), CommandListSchema])
    .describe('Standard commands whose behaviour it changes: "all", or a list ([] = none).'),
  announcedStates: z.array(StateSchema)
    .describe('States in which CAPA announces it; AUTHORIZATION and TRANSACTION together are IANA\'s "both".'),
  announcementOptionalIn: z.array(StateSchema).optional()
    .describe('Announced states in which a server may leave the tag out (IMPLEMENTATION: "both (optionally TRANSACTION only)", RFC 2449 §6.9).'),
  possibleDifferences: z.boolean().describe('Whether its arguments may differ between the announced states.'),
  validStates: z.array(StateSchema).describe('States in which its added commands are valid; [] = "n/a".'),
  references: z.array(ReferenceSchema).min(1),
  discussion: z.string().min(1),
  lengthLimits: z.string().min(1).optional().describe('New command or response length limits, if any.'),
  notes: z.array(z.string().min(1)).optional().describe('Footnotes; a note that begins "KEYWORD: " is about that command.'),
}).meta({ id: 'CapabilityFields' })

export const CapabilityRecordSchema = CapabilitySchema.extend(PublicationSchema.shape).meta({ id: 'Capability' })

export type Capability = z.infer<typeof CapabilitySchema>
export type CapabilityRecord = z.infer<typeof CapabilityRecordSchema>
