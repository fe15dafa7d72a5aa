import type { Database } from 'better-sqlite3'
import type { Rfc } from '../../schema/rfc.ts'

/** What the registry knows of RFCs' status, for the reference warnings. */
export function createRfcStore(db: Database, onWrite: () => void = () => {}) {
  const selectOne = db.prepare<[number], { number: number, title: string, status: Rfc['status'], obsoleted_by: string | null }>(
    'SELECT number, title, status, obsoleted_by FROM rfcs WHERE number = ?')
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM rfcs')
  const selectAll = db.prepare<[], { number: number, title: string, status: Rfc['status'], obsoleted_by: string | null }>(
    'SELECT number, title, status, obsoleted_by FROM rfcs ORDER BY number')
  const upsert = db.prepare<[number, string, string, string | null]>(
    `INSERT INTO rfcs (number, title, status, obsoleted_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (number) DO UPDATE SET title = excluded.title, status = excluded.status, obsoleted_by = excluded.obsoleted_by`)

  return {
    get(number: number): Rfc | undefined {
      const row = selectOne.get(number)
      return row && { number: row.number, title: row.title, status: row.status, obsoletedBy: row.obsoleted_by }
    },
    all(): Rfc[] {
      return selectAll.all().map((row) => ({ number: row.number, title: row.title, status: row.status, obsoletedBy: row.obsoleted_by }))
    },
    count(): number {
      return countAll.get()!.n
    },
    /** Adds or refreshes RFCs, all in one transaction. */
    load(rfcs: Iterable<Rfc>): number {
      return db.transaction(() => {
        let written = 0
        for (const rfc of rfcs) written += upsert.run(rfc.number, rfc.title, rfc.status, rfc.obsoletedBy).changes
        onWrite()
        return written
      })()
    },
  }
}
