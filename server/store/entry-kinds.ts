import type { Capability } from '../../schema/capability.ts'
import type { ResponseCode } from '../../schema/response-code.ts'
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
}

const commandTerms = (commands: 'all' | string[]): Term[] =>
  commands === 'all' ? [{ kind: 'command', term: '*' }] : commands.map((term) => ({ kind: 'command', term }))

export const capabilityKind: EntryKind<Capability> = {
  registry: 'capabilities',
  keyOf: (entry) => entry.tag,
  descriptionOf: (entry) => entry.discussion,
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
  termsOf: (entry) => commandTerms(entry.commands),
}
