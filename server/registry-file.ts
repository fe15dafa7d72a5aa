import type { SeedName } from '../schema/seed.ts'
import { DatabaseTooNewError, openDatabase, type Database } from './store/database.ts'
import { createStore } from './store/index.ts'
import { seedIfEmpty } from './store/seed.ts'

/** The database at DB_PATH could not be opened: the message names the path and what would do. */
class DatabaseOpenError extends Error {}

/** Opens (creating if need be) the registry database at a path, without seeding it. */
export function openRegistryDatabase(path: string): Database {
  try {
    return openDatabase(path)
  } catch (error) {
    if (error instanceof DatabaseTooNewError) throw error
    const { code, message } = error as { code?: string, message: string }
    const advice = code === 'SQLITE_NOTADB' ? 'DB_PATH must name a registry database or a new file'
      : 'DB_PATH must name a file in a folder this user may write (a missing folder is created)'
    throw new DatabaseOpenError(`cannot open the database at DB_PATH=${path}: ${message}; ${advice}`)
  }
}

/**
 * Opens the registry database at a path, creating and seeding it the first time with the seed
 * named (env SEED); a database with a registry already is opened as it is.
 */
export function openRegistry(path: string, seed: SeedName = 'current'): { db: Database, seeded: boolean } {
  const db = openRegistryDatabase(path)
  try {
    return { db, seeded: seedIfEmpty(createStore(db), seed) }
  } catch (error) {
    db.close()
    throw error
  }
}
