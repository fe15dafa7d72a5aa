import type { Database } from 'better-sqlite3'
import type { Rfc } from '../../schema/rfc.ts'

/** The latest load of RFC statuses that changed something: seq 0 and no time before the first. */
export interface RfcLoad { seq: number, at: string | undefined }

/** What the registry knows of RFCs' status, for the reference warnings and registry.json. */
export function createRfcStore(db: Database, onWrite: () => void = () => {}) {
  const selectOne = db.prepare<[number], { number: number, title: string, status: Rfc['status'], obsoleted_by: string | null }>(
    'SELECT number, title, status, obsoleted_by FROM rfcs WHERE number = ?')
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM rfcs')
  const selectAll = db.prepare<[], { number: number, title: string, status: Rfc['status'], obsoleted_by: string | null }>(
    'SELECT number, title, status, obsoleted_by FROM rfcs ORDER BY number')
  // An RFC whose title, status and successors are already known is not written: .changes counts
  // only the RFCs a load really adds or changes.
  const upsert = db.prepare<[number, string, string, string | null]>(
    `INSERT INTO rfcs (number, title, status, obsoleted_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (number) DO UPDATE SET title = excluded.title, status = excluded.status, obsoleted_by = excluded.obsoleted_by
     WHERE title IS NOT excluded.title OR status IS NOT excluded.status OR obsoleted_by IS NOT excluded.obsoleted_by`)
  const selectLatestLoad = db.prepare<[], { seq: number, at: string }>('SELECT seq, at FROM rfc_loads ORDER BY seq DESC LIMIT 1')
  const insertLoad = db.prepare<[string, number]>('INSERT INTO rfc_loads (at, changed) VALUES (?, ?)')

  const latestLoad = (): RfcLoad => {
    const row = selectLatestLoad.get()
    return { seq: row?.seq ?? 0, at: row?.at }
  }
  const upsertAll = (rfcs: Iterable<Rfc>) => {
    let written = 0
    for (const rfc of rfcs) written += upsert.run(rfc.number, rfc.title, rfc.status, rfc.obsoletedBy).changes
    return written
  }

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
    latestLoad,
    /**
     * Adds or refreshes RFCs, all in one transaction, and returns how many it added or changed; a
     * load that changed any is recorded (rfc_loads) with its time, which moves the registry's version.
     */
    load(rfcs: Iterable<Rfc>, at = new Date().toISOString()): number {
      return db.transaction(() => {
        const written = upsertAll(rfcs)
        if (written > 0) {
          insertLoad.run(at, written)
          onWrite()
        }
        return written
      })()
    },
    /**
     * A follower's copy of its primary's statuses, dated at the primary's latest load: recorded when
     * a status changed and also when only the date differs (the copy made at bootstrap is dated when
     * it was made), so that registry.json has the primary's Last-Modified.
     */
    follow(rfcs: Iterable<Rfc>, primaryLoadedAt: string | null): number {
      return db.transaction(() => {
        const written = upsertAll(rfcs)
        if (primaryLoadedAt !== null && (written > 0 || latestLoad().at !== primaryLoadedAt)) {
          insertLoad.run(primaryLoadedAt, written)
          onWrite()
        } else if (written > 0) {
          onWrite()
        }
        return written
      })()
    },
  }
}
