import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { LATEST_VERSION, REBUILDS_TABLES, migrations } from './migrations.ts'

export type { Database }

export class DatabaseTooNewError extends Error {
  constructor(readonly found: number) {
    super(`the database is at schema version ${found}, newer than this program knows (${LATEST_VERSION}); upgrade pop3-registry`)
  }
}

/** Opens (creating if need be) a registry database and brings its schema up to date. */
export function openDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new BetterSqlite3(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    // In WAL mode NORMAL still survives a crash of the process; only a power cut may lose the
    // last commits. It spares an fsync per transaction.
    db.pragma('synchronous = NORMAL')
    // A second writer (the CLI while the server runs) waits for the lock instead of failing at once.
    db.pragma('busy_timeout = 5000')
    migrate(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: Database, target = LATEST_VERSION): void {
  const current = schemaVersion(db)
  if (current > LATEST_VERSION) throw new DatabaseTooNewError(current)
  for (let version = current + 1; version <= target; version++) {
    const step = migrations[version - 1]!
    const rebuilds = REBUILDS_TABLES.has(version)
    // Foreign keys can only be switched outside a transaction.
    if (rebuilds) db.pragma('foreign_keys = OFF')
    try {
      db.transaction(() => {
        step(db)
        if (rebuilds && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
          throw new Error(`migration ${version} would break a foreign key; nothing was changed`)
        }
        db.pragma(`user_version = ${version}`)
      }).immediate()
    } finally {
      if (rebuilds) db.pragma('foreign_keys = ON')
    }
  }
}
