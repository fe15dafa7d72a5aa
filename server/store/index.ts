import type { Database } from 'better-sqlite3'
import type { RegistryView } from '../rules/registration-rules.ts'
import { createChangeStore } from './changes.ts'
import { capabilityKind, createEntryStore, responseCodeKind } from './entries.ts'
import { createRegistrationStore } from './registrations.ts'
import { createRegistryStore } from './registry.ts'
import { createRfcStore } from './rfcs.ts'
import { createTokenStore } from './tokens.ts'

/**
 * What the registration rules ask of the registry, remembered while the database is unchanged:
 * PRAGMA data_version moves when another connection commits, and this connection's own writes
 * of entries and RFCs say so through `changed`.
 */
function createRuleView(db: Database, lookups: RegistryView) {
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  let seen: unknown
  let ownWrites = 0
  let keptAt = -1
  const kept = new Map<string, unknown>()
  const remembered = <T>(key: string, lookup: () => T): T => {
    const version = dataVersion.get()
    if (version !== seen || ownWrites !== keptAt) {
      kept.clear()
      seen = version
      keptAt = ownWrites
    }
    if (!kept.has(key)) kept.set(key, lookup())
    return kept.get(key) as T
  }
  return {
    changed: () => { ownWrites += 1 },
    view: {
      hasCapability: (tag) => remembered(`c ${tag.toUpperCase()}`, () => lookups.hasCapability(tag)),
      hasResponseCode: (code) => remembered(`r ${code.toUpperCase()}`, () => lookups.hasResponseCode(code)),
      rfc: (number) => remembered(`n ${number}`, () => lookups.rfc(number)),
    } satisfies RegistryView as RegistryView,
  }
}

const ruleViews = new WeakMap<Database, ReturnType<typeof createRuleView>>()

/** Everything the routes read and write, over one database connection. */
export function createStore(db: Database) {
  const selectOne = db.prepare('SELECT 1 AS ok')
  let onWrite = () => {}
  const capabilities = createEntryStore(db, capabilityKind, () => onWrite())
  const responseCodes = createEntryStore(db, responseCodeKind, () => onWrite())
  const rfcs = createRfcStore(db, () => onWrite())
  // One per connection, however many stores share it, so that every store's writes count.
  let rules = ruleViews.get(db)
  if (!rules) {
    rules = createRuleView(db, {
      hasCapability: (tag) => capabilities.has(tag),
      hasResponseCode: (code) => responseCodes.has(code),
      rfc: (number) => rfcs.get(number),
    })
    ruleViews.set(db, rules)
  }
  onWrite = rules.changed
  return {
    db,
    registry: createRegistryStore(db),
    changes: createChangeStore(db),
    capabilities,
    responseCodes,
    rfcs,
    tokens: createTokenStore(db),
    registrations: createRegistrationStore(db),
    /** The registry as the registration rules see it, read live. */
    view: rules.view,
    /** Whether the database answers; for /healthz. */
    ping(): boolean {
      return selectOne.get() !== undefined
    },
  }
}

export type Store = ReturnType<typeof createStore>
