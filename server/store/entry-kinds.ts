import type { z } from 'zod'
import { CapabilitySchema, type Capability } from '../../schema/capability.ts'
import { ResponseCodeSchema, type ResponseCode } from '../../schema/response-code.ts'
import type { SubRegistryId } from '../../schema/registry.ts'

/** A word the list filters on: a state a capability's commands are valid in, or a command. */
interface Term { kind: 'state' | 'command', term: string }

/** What the store must know of one sub-registry's entries. */
export interface EntryKind<Entry> {
  registry: SubRegistryId
  keyOf(entry: Entry): string
  /** The free text that `q` searches besides the key. */
  descriptionOf(entry: Entry): string
  termsOf(entry: Entry): Term[]
  /**
   * The entry's fields in its schema's order: a stored document holds these alone, in this order,
   * so that the lists can send it as it is (http/record-json.ts).
   */
  fields: string[]
  /** Those of its fields that an entry may leave out. */
  optionalFields: string[]
}

const fieldsOf = (schema: typeof CapabilitySchema | typeof ResponseCodeSchema) => {
  const shape: Record<string, z.ZodType> = schema.shape
  const fields = Object.keys(shape)
  return { fields, optionalFields: fields.filter((field) => shape[field]!.safeParse(undefined).success) }
}

const commandTerms = (commands: 'all' | string[]): Term[] =>
  commands === 'all' ? [{ kind: 'command', term: '*' }] : commands.map((term) => ({ kind: 'command', term }))

export const capabilityKind: EntryKind<Capability> = {
  registry: 'capabilities',
  keyOf: (entry) => entry.tag,
  descriptionOf: (entry) => entry.discussion,
  ...fieldsOf(CapabilitySchema),
  termsOf: (entry) => [
    ...entry.validStates.map((term): Term => ({ kind: 'state', term })),
    ...commandTerms(entry.addedCommands),
    ...commandTerms(entry.affectedCommands),
  ],
}

export const responseCodeKind: EntryKind<ResponseCode> = {
  registry: 'response-codes',
  keyOf: (entry) => entry.code,
  descriptionOf: (entry) => entry.definition,
  ...fieldsOf(ResponseCodeSchema),
  termsOf: (entry) => commandTerms(entry.commands),
}
