// The floor under the write path: the rows one registration's submit and approval write, by plain
// better-sqlite3 statements on a connection opened as ours is (openDatabase: the same schema,
// indexes, CHECKs, foreign keys and pragmas), with no rules, no workflow and no row objects: what
// the database itself costs. bench/run.ts times it against our workflow writing the same entries,
// each on its own copy of one seeded database.
import type { Database } from '../server/store/database.ts'

/** One benchmarked capability's stored documents and terms, as our workflow stores a `W${i}`. */
export interface BareEntry {
  tag: string
  /** The entry's document, as both the registration and the revision store it. */
  json: string
  description: string
  terms: { kind: 'state' | 'command', term: string }[]
}

/** Writes `count` registrations, each submitted (one transaction) then approved (a second one). */
export function bareWrites(db: Database, count: number, entryOf: (i: number) => BareEntry): void {
  const insertRegistration = db.prepare<[string, string, string, string, string, string]>(
    `INSERT INTO registrations (kind, action, key, entry, warnings, status, submitter, submitted_at, body_sha256)
     VALUES ('capability', 'register', ?, ?, ?, 'pending', ?, ?, ?)`)
  const insertChange = db.prepare<[string, string, string]>(
    `INSERT INTO changes (at, registry, key, action, registration_id) VALUES (?, 'capabilities', ?, 'register', ?)`)
  const insertRevision = db.prepare<[number | bigint, string, string, string]>(
    `INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (?, 'capabilities', ?, 'active', ?, ?)`)
  const insertTerm = db.prepare<[string, string, number | bigint]>(
    'INSERT OR IGNORE INTO revision_terms (kind, term, revision_id) VALUES (?, ?, ?)')
  const insertEntry = db.prepare<[string, number | bigint, number | bigint, string]>(
    `INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES ('capabilities', ?, ?, ?, ?)`)
  const insertEntryTerm = db.prepare<[string, string, number | bigint]>(
    `INSERT OR IGNORE INTO entry_terms (registry, kind, term, registered_seq) VALUES ('capabilities', ?, ?, ?)`)
  const countTerm = db.prepare<[string, string]>(
    `INSERT INTO entry_term_counts (registry, kind, term, entries) VALUES ('capabilities', ?, ?, 1)
     ON CONFLICT DO UPDATE SET entries = entries + 1`)
  const touchRegistry = db.prepare<[string, string]>('UPDATE registry SET last_updated = ? WHERE last_updated < ?')
  const decide = db.prepare<[string, number | bigint, number | bigint]>(
    `UPDATE registrations SET status = 'approved', decided_by = 'bench-reviewer', decided_at = ?, change_seq = ?
     WHERE id = ? AND status = 'pending'`)

  const submit = db.transaction((entry: BareEntry, i: number) => insertRegistration.run(
    entry.tag, entry.json, '[]', 'bench', new Date().toISOString(), i.toString(16).padStart(64, '0')).lastInsertRowid)
  const approve = db.transaction((entry: BareEntry, id: number | bigint) => {
    const at = new Date().toISOString()
    const seq = insertChange.run(at, entry.tag, String(id)).lastInsertRowid
    const revisionId = insertRevision.run(seq, entry.tag, entry.description, entry.json).lastInsertRowid
    for (const { kind, term } of entry.terms) insertTerm.run(kind, term, revisionId)
    insertEntry.run(entry.tag, seq, revisionId, entry.description)
    for (const { kind, term } of entry.terms) {
      if (insertEntryTerm.run(kind, term, seq).changes > 0) countTerm.run(kind, term)
    }
    const day = at.slice(0, 10)
    touchRegistry.run(day, day)
    if (decide.run(at, seq, id).changes !== 1) throw new Error(`registration ${id} was not pending`)
  })
  for (let i = 0; i < count; i++) {
    const entry = entryOf(i)
    approve.immediate(entry, submit.immediate(entry, i))
  }
}
