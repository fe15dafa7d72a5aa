import type { Database } from 'better-sqlite3'

/**
 * Tells whether a database may have changed since a moment: PRAGMA data_version moves when
 * another connection commits, and this connection's own writes are counted through `changed`.
 * One per connection, however many stores share it, so that every store's writes count.
 */
export interface Generation {
  changed(): void
  /**
   * Remembers `lookup` under `key` until the database changes. `forSocketRead`: the caller answers
   * a request read from a socket in this turn of the event loop, and may share the look at
   * data_version made for another such request in the same turn (see generationOf).
   */
  remembered<T>(key: string, lookup: () => T, forSocketRead?: boolean): T
  /**
   * Asks the database once, now, whether it changed, dropping what was kept if it did; or, with
   * `forSocketRead`, shares this turn's look as remembered does.
   */
  refresh(forSocketRead?: boolean): void
  /**
   * As remembered, but trusting the last refresh: for the many lookups of one synchronous piece
   * of work (checking a registration asks a dozen), which would otherwise each ask SQLite.
   */
  kept<T>(key: string, lookup: () => T): T
}

const generations = new WeakMap<Database, Generation>()

/**
 * Each look at PRAGMA data_version begins a read transaction (a few system calls: a few µs). The
 * requests read from sockets in one turn of the event loop share one look: each reached the server
 * before that turn's poll returned, so before the look, and so after any commit its client could
 * have seen elsewhere. (A request pipelined behind another on one connection may have come later;
 * it is answered as if it had come a moment earlier.) The shared look ends with the turn
 * (setImmediate) and with any write of this connection's own.
 */
export function generationOf(db: Database): Generation {
  let generation = generations.get(db)
  if (!generation) {
    const dataVersion = db.prepare('PRAGMA data_version').pluck()
    let seen: unknown
    let ownWrites = 0
    let keptAt = -1
    let lookedThisTurn = false
    const endTurn = () => { lookedThisTurn = false }
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
    const look = (forSocketRead = false) => {
      if (forSocketRead && lookedThisTurn && ownWrites === keptAt) return
      refresh()
      if (forSocketRead && !lookedThisTurn) {
        lookedThisTurn = true
        setImmediate(endTurn)
      }
    }
    generation = {
      changed: () => { ownWrites += 1 },
      remembered<T>(key: string, lookup: () => T, forSocketRead = false): T {
        look(forSocketRead)
        return keptOr(key, lookup)
      },
      refresh: look,
      kept: keptOr,
    }
    generations.set(db, generation)
  }
  return generation
}
