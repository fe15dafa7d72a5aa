import { openDatabase, type Database } from './store/database.ts'
import { createStore } from './store/index.ts'
import { seedIfEmpty } from './store/seed.ts'

/** Opens the registry database at a path, creating and seeding it the first time. */
export function openRegistry(path: string): { db: Database, seeded: boolean } {
  const db = openDatabase(path)
  try {
    return { db, seeded: seedIfEmpty(createStore(db)) }
  } catch (error) {
    db.close()
    throw error
  }
}
