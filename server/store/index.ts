import type { Database } from 'better-sqlite3'
import { capabilityKind, createEntryStore, responseCodeKind } from './entries.ts'
import { createRegistryStore } from './registry.ts'

/** Everything the routes read and write, over one database connection. */
export function createStore(db: Database) {
  const selectOne = db.prepare('SELECT 1 AS ok')
  return {
    db,
    registry: createRegistryStore(db),
    capabilities: createEntryStore(db, capabilityKind),
    responseCodes: createEntryStore(db, responseCodeKind),
    /** Whether the database answers; for /healthz. */
    ping(): boolean {
      return selectOne.get() !== undefined
    },
  }
}

export type Store = ReturnType<typeof createStore>
