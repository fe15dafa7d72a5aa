import type { Database } from 'better-sqlite3'
import type { RegistryView } from '../rules/registration-rules.ts'
import { createChangeStore } from './changes.ts'
import { capabilityKind, createEntryStore, responseCodeKind } from './entries.ts'
import { createRegistrationStore } from './registrations.ts'
import { createRegistryStore } from './registry.ts'
import { createRfcStore } from './rfcs.ts'
import { createTokenStore } from './tokens.ts'

/** Everything the routes read and write, over one database connection. */
export function createStore(db: Database) {
  const selectOne = db.prepare('SELECT 1 AS ok')
  const capabilities = createEntryStore(db, capabilityKind)
  const responseCodes = createEntryStore(db, responseCodeKind)
  const rfcs = createRfcStore(db)
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
    view: {
      hasCapability: (tag) => capabilities.has(tag),
      hasResponseCode: (code) => responseCodes.has(code),
      rfc: (number) => rfcs.get(number),
    } satisfies RegistryView as RegistryView,
    /** Whether the database answers; for /healthz. */
    ping(): boolean {
      return selectOne.get() !== undefined
    },
  }
}

export type Store = ReturnType<typeof createStore>
