import type { Database } from 'better-sqlite3'
import type { z } from 'zod'
import type { ChangeAction, EntryStatus } from '../../schema/entry.ts'
import type { ChangeSchema } from '../../schema/export.ts'
import type { SubRegistryId } from '../../schema/registry.ts'

export type ChangeRow = z.infer<typeof ChangeSchema>

export interface ChangeWithEntry extends ChangeRow {
  status: EntryStatus
  note: string | null
  replacedBy: string | null
  /** The entry as it became, as the JSON text it is stored as. */
  entryJson: string
}

interface Row { seq: number, at: string, registry: SubRegistryId, key: string, action: ChangeAction, registration_id: string | null }

const toChange = (row: Row): ChangeRow => ({
  seq: row.seq,
  at: row.at,
  registry: row.registry,
  key: row.key,
  action: row.action,
  registrationId: row.registration_id === null ? null : Number(row.registration_id),
})

/** The change feed: every change to the registry, in order. */
export function createChangeStore(db: Database) {
  // LIMIT +? rather than LIMIT ?: SQLite reads a bare parameter's bound value when it plans the
  // LIMIT, and so compiles the statement again after every bind (a fifth of the feed page's SQL).
  const selectSince = db.prepare<[number, number], Row>(
    'SELECT seq, at, registry, key, action, registration_id FROM changes WHERE seq > ? ORDER BY seq LIMIT +?')
  // Each item as the feed's JSON, made by SQLite: keys in ChangeSchema's order, integers as JSON
  // numbers. The rows are joined into the array here: json_group_array would need its own ORDER BY
  // for the order (a temporary b-tree, a third more), an aggregate's input order being unspecified.
  const selectSinceJson = db.prepare<[number, number], string>(
    `SELECT json_object('seq', seq, 'at', at, 'registry', registry, 'key', key, 'action', action,
                        'registrationId', CAST(registration_id AS INTEGER))
     FROM changes WHERE seq > ? ORDER BY seq LIMIT +?`).pluck()
  const selectRecent = db.prepare<[number], Row>(
    'SELECT seq, at, registry, key, action, registration_id FROM changes ORDER BY seq DESC LIMIT +?')
  const selectLatest = db.prepare<[], { seq: number, at: string }>('SELECT seq, at FROM changes ORDER BY seq DESC LIMIT 1')
  const selectWithEntries = db.prepare<[number], Row & { status: EntryStatus, note: string | null, replaced_by: string | null, entry: string }>(
    `SELECT c.seq, c.at, c.registry, c.key, c.action, c.registration_id, r.status, r.note, r.replaced_by, r.entry
     FROM changes c JOIN revisions r ON r.change_seq = c.seq WHERE c.seq < ? ORDER BY c.seq`)
  const selectLatestBefore = db.prepare<[number], { seq: number, at: string }>(
    'SELECT seq, at FROM changes WHERE seq < ? ORDER BY seq DESC LIMIT 1')
  const selectWithEntriesSince = db.prepare<[number, number], Row & { status: EntryStatus, note: string | null, replaced_by: string | null, entry: string }>(
    `SELECT c.seq, c.at, c.registry, c.key, c.action, c.registration_id, r.status, r.note, r.replaced_by, r.entry
     FROM changes c JOIN revisions r ON r.change_seq = c.seq WHERE c.seq > ? ORDER BY c.seq LIMIT +?`)

  return {
    since(seq: number, limit: number): ChangeRow[] {
      return selectSince.all(seq, limit).map(toChange)
    },
    /** The changes after a sequence number, each as the JSON of its ChangeSchema object. */
    sinceJson(seq: number, limit: number): string[] {
      return selectSinceJson.all(seq, limit)
    },
    /** The latest changes, newest first. */
    recent(limit: number): ChangeRow[] {
      return selectRecent.all(limit).map(toChange)
    },
    /** The changes after a sequence number, each with the entry as it became: what a follower applies. */
    sinceWithEntries(seq: number, limit: number): ChangeWithEntry[] {
      return selectWithEntriesSince.all(seq, limit).map((row) => ({
        ...toChange(row), status: row.status, note: row.note, replacedBy: row.replaced_by, entryJson: row.entry,
      }))
    },
    /** The latest change's sequence number and time: the registry's version and Last-Modified. */
    latest(): { seq: number, at: string | undefined } {
      const row = selectLatest.get()
      return { seq: row?.seq ?? 0, at: row?.at }
    },
    /** The latest change before a sequence number, if any. */
    latestBefore(seq: number): { seq: number, at: string } | undefined {
      return selectLatestBefore.get(seq)
    },
    /** Every change (before a sequence number) with the entry as it became, oldest first, for a full export. */
    *withEntries(beforeSeq = Number.MAX_SAFE_INTEGER): Generator<ChangeWithEntry> {
      for (const row of selectWithEntries.iterate(beforeSeq)) yield { ...toChange(row), status: row.status, note: row.note, replacedBy: row.replaced_by, entryJson: row.entry }
    },
  }
}
