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
  /** Asks the database once, now, whether it changed, dropping what was kept if it did. */
  refresh(): void
  /**
   * As remembered, but trusting the last refresh: for the many lookups of one synchronous piece
   * of work (checking a registration asks a dozen), which would otherwise each ask SQLite.
   */
  kept<T>(key: string, lookup: () => T): T
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
    const refresh = () => {
      const version = dataVersion.get()
      if (version !== seen || ownWrites !== keptAt) {
        kept.clear()
        seen = version
        keptAt = ownWrites
      }
    }
    const keptOr = <T>(key: string, lookup: () => T): T => {
      if (ownWrites !== keptAt) refresh()
      if (!kept.has(key)) kept.set(key, lookup())
      return kept.get(key) as T
    }
    generation = {
      changed: () => { ownWrites += 1 },
      remembered: (key, lookup) => (refresh(), keptOr(key, lookup)),
      refresh,
      kept: keptOr,
    }
    generations.set(db, generation)
  }
  return generation
}
