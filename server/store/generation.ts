import type { Database } from 'better-sqlite3'

/**
 * Tells whether a database may have changed since a moment: PRAGMA data_version moves when
 * another connection commits, and this connection's own writes are counted through `changed`.
 * One per connection, however many stores share it, so that every store's writes count.
 */
export interface Generation {
  changed(): void
  /** Remembers `lookup` under `key` until the database changes. */
  remembered<T>(key: string, lookup: () => T): T
}

const generations = new WeakMap<Database, Generation>()

export function generationOf(db: Database): Generation {
  let generation = generations.get(db)
  if (!generation) {
    const dataVersion = db.prepare('PRAGMA data_version').pluck()
    let seen: unknown
    let ownWrites = 0
    let keptAt = -1
    const kept = new Map<string, unknown>()
    generation = {
      changed: () => { ownWrites += 1 },
      remembered<T>(key: string, lookup: () => T): T {
        const version = dataVersion.get()
        if (version !== seen || ownWrites !== keptAt) {
          kept.clear()
          seen = version
          keptAt = ownWrites
        }
        if (!kept.has(key)) kept.set(key, lookup())
        return kept.get(key) as T
      },
    }
    generations.set(db, generation)
  }
  return generation
}
