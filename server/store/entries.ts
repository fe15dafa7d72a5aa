import type { Database, Statement } from 'better-sqlite3'
import type { z } from 'zod'
import type { ChangeAction, EntryStatus, Published } from '../../schema/entry.ts'
import type { ListQuery } from '../../schema/list.ts'
import type { RevisionSchema } from '../../schema/registration.ts'
import type { EntryKind } from './entry-kinds.ts'
import { generationOf } from './generation.ts'
import {
  dayAfter, FILTERS, likePattern, listStatementsSql, NONE_YET, SELECT_PUBLISHED, SELECT_PUBLISHED_AS_OF, termListSql,
  type FilterName, type Moment, type PublishedRow,
} from './entry-queries.ts'

/** A list query's filters, the cursor decoded to the position it stands for. */
export type ListFilter = Partial<Omit<ListQuery, 'cursor'>> & {
  /** Only entries registered after this position (the decoded cursor). */
  after?: number | undefined
  limit: number
}

export interface Page<Item> {
  items: Item[]
  total: number
  /** The position of the last item, when more entries follow it. */
  lastPosition: number | undefined
}

export interface Change {
  /** The sequence number to give the change (an import keeps the exported ones); the next by default. */
  seq?: number
  at: string
  action: ChangeAction
  registrationId?: number | null
  /** By default: a register is active, a deprecate deprecated, an update keeps the entry's status. */
  status?: EntryStatus
  /** Why the revision was made: a seeded revision's provenance, a deprecation's reason. */
  note?: string | null
  /** The key that replaces a deprecated entry. */
  replacedBy?: string | null
}

/** One revision of an entry, as its history route shows it but for the date (the day of at). */
export type HistoryRow = Omit<z.infer<typeof RevisionSchema>, 'date'>

/** The store of one sub-registry: reads of the published entries, and publishing a revision. */
// eslint-disable-next-line max-lines-per-function -- a store in closure form: statements compiled once, then the short methods over them
export function createEntryStore<Entry>(db: Database, kind: EntryKind<Entry>, onWrite: () => void = () => {}) {
  const getOne = db.prepare<{ registry: string, key: string }, PublishedRow>(
    `${SELECT_PUBLISHED} WHERE e.registry = @registry AND e.key = @key`)
  const selectHistory = db.prepare<{ registry: string, key: string, beforeSeq: number }, {
    seq: number, at: string, action: ChangeAction, registration_id: string | null, status: EntryStatus,
    note: string | null, replaced_by: string | null, entry: string
  }>(`SELECT c.seq, c.at, c.action, c.registration_id, r.status, r.note, r.replaced_by, r.entry
      FROM revisions r JOIN changes c ON c.seq = r.change_seq
      WHERE r.registry = @registry AND r.key = @key AND c.seq < @beforeSeq ORDER BY r.id`)
  const selectCurrent = db.prepare<{ registry: string, key: string }, { status: EntryStatus, replaced_by: string | null, registered_seq: number, entry: string }>(
    `SELECT r.status, r.replaced_by, e.registered_seq, r.entry
     FROM entries e JOIN revisions r ON r.id = e.revision_id
     WHERE e.registry = @registry AND e.key = @key`)
  const getOneAsOf = db.prepare<{ registry: string, key: string, beforeSeq: number, beforeRevision: number }, PublishedRow>(
    `${SELECT_PUBLISHED_AS_OF} AND e.key = @key`)
  const selectAllAsOf = db.prepare<{ registry: string, beforeSeq: number, beforeRevision: number }, PublishedRow>(
    `${SELECT_PUBLISHED_AS_OF} ORDER BY e.registered_seq`)
  const selectAll = db.prepare<{ registry: string }, PublishedRow>(`${SELECT_PUBLISHED} WHERE e.registry = @registry ORDER BY e.registered_seq`)
  const selectExists = db.prepare<{ registry: string, key: string }, { found: number }>(
    'SELECT 1 AS found FROM entries WHERE registry = @registry AND key = @key')
  const selectAmong = db.prepare<{ registry: string, keys: string }, string>(
    'SELECT key FROM entries WHERE registry = @registry AND key IN (SELECT value FROM json_each(@keys))').pluck()
  const countAll = db.prepare<{ registry: string }, { n: number }>(
    'SELECT count(*) AS n FROM entries WHERE registry = @registry')

  const insertChange = db.prepare<[number | null, string, string, string, string, string | null]>(
    'INSERT INTO changes (seq, at, registry, key, action, registration_id) VALUES (?, ?, ?, ?, ?, ?)')
  const insertRevision = db.prepare<[number | bigint, string, string, string, string, string, string | null, string | null]>(
    'INSERT INTO revisions (change_seq, registry, key, status, description, entry, note, replaced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const insertTerm = db.prepare<[string, string, number | bigint]>(
    'INSERT OR IGNORE INTO revision_terms (kind, term, revision_id) VALUES (?, ?, ?)')
  const insertEntryTerm = db.prepare<[string, string, string, number | bigint]>(
    'INSERT OR IGNORE INTO entry_terms (registry, kind, term, registered_seq) VALUES (?, ?, ?, ?)')
  const deleteEntryTerm = db.prepare<[string, string, string, number | bigint]>(
    'DELETE FROM entry_terms WHERE registry = ? AND kind = ? AND term = ? AND registered_seq = ?')
  const countTerm = db.prepare<[string, string, string]>(
    `INSERT INTO entry_term_counts (registry, kind, term, entries) VALUES (?, ?, ?, 1)
     ON CONFLICT DO UPDATE SET entries = entries + 1`)
  const uncountTerm = db.prepare<[string, string, string]>(
    'UPDATE entry_term_counts SET entries = entries - 1 WHERE registry = ? AND kind = ? AND term = ?')
  const insertEntry = db.prepare<[string, string, number | bigint, number | bigint, string]>(
    'INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES (?, ?, ?, ?, ?)')
  const pointEntry = db.prepare<[number | bigint, string, string, string]>(
    'UPDATE entries SET revision_id = ?, description = ? WHERE registry = ? AND key = ?')
  const touchRegistry = db.prepare<[string, string]>(
    'UPDATE registry SET last_updated = ? WHERE last_updated < ?')

  // Both walk an index to its first entry at or past the bound: times and ids grow with the feed.
  const firstChangeFrom = db.prepare<[string], { seq: number }>('SELECT seq FROM changes WHERE at >= ? ORDER BY at, seq LIMIT 1')
  const firstRevisionFrom = db.prepare<[number], { id: number }>('SELECT id FROM revisions WHERE change_seq >= ? ORDER BY change_seq LIMIT 1')
  const selectAtPositions = db.prepare<{ positions: string }, PublishedRow>(`${SELECT_PUBLISHED}
    WHERE e.registered_seq IN (SELECT value FROM json_each(@positions)) ORDER BY e.registered_seq`)

  // One compiled statement per combination of filters in use, made on first use.
  const listStatements = new Map<string, { page: Statement, count: Statement, matches: Statement }>()
  function statementsFor(names: FilterName[], moment: Moment) {
    const id = `${names.join(',')} ${moment}`
    let statements = listStatements.get(id)
    if (!statements) {
      const sql = listStatementsSql(names, moment)
      statements = { page: db.prepare(sql.page), count: db.prepare(sql.count), matches: db.prepare(sql.matches).pluck() }
      listStatements.set(id, statements)
    }
    return statements
  }
  const termListStatements = new Map<string, { page: Statement, count: Statement }>()
  function termStatementsFor(names: FilterName[]) {
    const id = names.join(',')
    let statements = termListStatements.get(id)
    if (!statements) {
      const sql = termListSql(names)
      statements = { page: db.prepare(sql.page), count: db.prepare(sql.count) }
      termListStatements.set(id, statements)
    }
    return statements
  }

  /**
   * The total of a list, remembered until the database changes: the pages of one list ask it again
   * each time, and counting walks every entry (a list without filters or as of a day: 100,000 at
   * the 100k scale, 8 ms) or the entries of "all commands" (a command's: 2,000). A few hundred
   * lists at most are kept, the key being the client's.
   */
  const generation = generationOf(db)
  function rememberedTotal(key: string, count: () => number): number {
    const totals = generation.remembered(`totals ${kind.registry}`, () => new Map<string, number>())
    let total = totals.get(key)
    if (total === undefined) {
      if (totals.size >= 500) totals.clear()
      total = count()
      totals.set(key, total)
    }
    return total
  }

  /** The first change and revision after a day: the registry as of that day is what came before. */
  function boundsAfter(day: string) {
    const beforeSeq = firstChangeFrom.get(dayAfter(day))?.seq ?? NONE_YET
    const beforeRevision = beforeSeq === NONE_YET ? NONE_YET : firstRevisionFrom.get(beforeSeq)?.id ?? NONE_YET
    return { beforeSeq, beforeRevision }
  }

  function toPublished(row: PublishedRow): Published<Entry> {
    return {
      ...JSON.parse(row.entry) as Entry,
      status: row.status,
      ...(row.replaced_by === null ? {} : { replacedBy: row.replaced_by }),
      registeredAt: row.registered_at,
      updatedAt: row.updated_at,
    }
  }

  /** A page of a list, as the rows read. */
  function pageOf(filter: ListFilter): Page<PublishedRow> {
    const names = (Object.keys(FILTERS) as FilterName[]).filter((name) => filter[name] !== undefined)
    const moment: Moment = filter.asOf === undefined ? 'current' : 'asOf'
    const params: Record<string, unknown> = { registry: kind.registry, limit: filter.limit + 1 }
    if (filter.after !== undefined) params.after = filter.after
    if (filter.q !== undefined) params.q = likePattern(filter.q)
    if (filter.state !== undefined) params.state = filter.state
    if (filter.command !== undefined) params.command = filter.command
    if (filter.status !== undefined) params.status = filter.status
    if (filter.asOf !== undefined) Object.assign(params, boundsAfter(filter.asOf))
    const { after: _after, limit: _limit, ...countParams } = params
    const byTerms = moment === 'current' && (filter.state !== undefined || filter.command !== undefined) && filter.q === undefined
    let rows: PublishedRow[]
    let total: number
    if (!byTerms && moment === 'current' && names.some((name) => name !== 'after')) {
      // q (or status alone) must look at every entry to count them anyway: one pass finds the
      // matches, and the page is read by position.
      const positions = statementsFor(names, moment).matches.all(countParams) as number[]
      total = positions.length
      const shown = positions.filter((position) => filter.after === undefined || position > filter.after).slice(0, filter.limit + 1)
      rows = selectAtPositions.all({ positions: JSON.stringify(shown) })
    } else {
      const { page, count } = byTerms ? termStatementsFor(names) : statementsFor(names, moment)
      rows = page.all(params) as PublishedRow[]
      const counted = () => (count.get(countParams) as { n: number }).n
      total = rememberedTotal(JSON.stringify(countParams), counted)
    }
    const more = rows.length > filter.limit
    const shown = more ? rows.slice(0, filter.limit) : rows
    return { items: shown, total, lastPosition: more ? shown.at(-1)!.position : undefined }
  }

  /** The entry as it is, or (asOf) as it stood at the end of that day; undefined if it did not exist. */
  function get(key: string, asOf?: string): Published<Entry> | undefined {
    const row = asOf === undefined
      ? getOne.get({ registry: kind.registry, key })
      : getOneAsOf.get({ registry: kind.registry, key, ...boundsAfter(asOf) })
    return row && toPublished(row)
  }

  function publishIn(entry: Entry, change: Change): { seq: number } {
    const key = kind.keyOf(entry)
    // An update keeps the entry's status and replacement: a deprecated entry stays deprecated.
    const before = change.action === 'register' ? undefined : selectCurrent.get({ registry: kind.registry, key })
    if (change.action !== 'register' && !before) throw new Error(`cannot update ${kind.registry}/${key}: no such entry`)
    const status = change.status ?? (change.action === 'register' ? 'active'
      : change.action === 'deprecate' ? 'deprecated'
      : before?.status ?? 'active')
    const replacedBy = change.replacedBy !== undefined ? change.replacedBy : before?.replaced_by ?? null
    const { lastInsertRowid: seq } = insertChange.run(
      change.seq ?? null, change.at, kind.registry, key, change.action, change.registrationId == null ? null : String(change.registrationId))
    const description = kind.descriptionOf(entry)
    // Its fields alone, in their schema's order, whatever order the object was built in (EntryKind.fields).
    const entryJson = JSON.stringify(entry, kind.fields)
    const { lastInsertRowid: revisionId } = insertRevision.run(
      seq, kind.registry, key, status, description, entryJson, change.note ?? null, replacedBy)
    const terms = kind.termsOf(entry)
    for (const { kind: termKind, term } of terms) insertTerm.run(termKind, term, revisionId)
    // The entry's current terms, for the lists' filters, follow its revision: the old revision's
    // rows out, the new one's in, each counted in entry_term_counts (a term named twice, or in
    // two cases, is one row, counted once).
    const registeredSeq = before?.registered_seq ?? seq
    if (before) {
      pointEntry.run(revisionId, description, kind.registry, key)
      for (const { kind: termKind, term } of kind.termsOf(JSON.parse(before.entry) as Entry)) {
        if (deleteEntryTerm.run(kind.registry, termKind, term, registeredSeq).changes > 0) uncountTerm.run(kind.registry, termKind, term)
      }
    } else {
      insertEntry.run(kind.registry, key, seq, revisionId, description)
    }
    for (const { kind: termKind, term } of terms) {
      if (insertEntryTerm.run(kind.registry, termKind, term, registeredSeq).changes > 0) countTerm.run(kind.registry, termKind, term)
    }
    const day = change.at.slice(0, 10)
    touchRegistry.run(day, day)
    onWrite()
    return { seq: Number(seq) }
  }
  const publishAlone = db.transaction(publishIn)

  return {
    kind,

    get,

    count(): number {
      return countAll.get({ registry: kind.registry })!.n
    },

    /** Whether the key is registered, in any case. */
    has(key: string): boolean {
      return selectExists.get({ registry: kind.registry, key }) !== undefined
    },

    /** The registered keys among the given ones (any case), spelled as registered. */
    registeredAmong(keys: string[]): string[] {
      return keys.length === 0 ? [] : selectAmong.all({ registry: kind.registry, keys: JSON.stringify(keys) })
    },

    /** Every published entry in registration order (asOf: as they stood that day), read one at a time. */
    *all(asOf?: string): Generator<Published<Entry>> {
      const rows = asOf === undefined
        ? selectAll.iterate({ registry: kind.registry })
        : selectAllAsOf.iterate({ registry: kind.registry, ...boundsAfter(asOf) })
      for (const row of rows) yield toPublished(row)
    },

    /** The first change and revision after a day: the registry as of that day is what came before. */
    boundsAfter,

    list(filter: ListFilter): Page<Published<Entry>> {
      const { items, total, lastPosition } = pageOf(filter)
      return { items: items.map(toPublished), total, lastPosition }
    },

    /** A page of the list as the rows read, each entry's document as the JSON text it is stored as. */
    listStored: pageOf,

    /** Every revision of an entry (up to the end of the day asOf), oldest first; [] when there is none. */
    history(key: string, asOf?: string): HistoryRow[] {
      const beforeSeq = asOf === undefined ? NONE_YET : boundsAfter(asOf).beforeSeq
      return selectHistory.all({ registry: kind.registry, key, beforeSeq }).map((row, index) => ({
        revision: index + 1,
        seq: row.seq,
        at: row.at,
        action: row.action,
        registrationId: row.registration_id === null ? null : Number(row.registration_id),
        status: row.status,
        note: row.note,
        replacedBy: row.replaced_by,
        entry: JSON.parse(row.entry),
      }))
    },

    /**
     * Writes a revision of the entry, its change-feed row and its terms, points the registry at it
     * and moves the registry's last-updated date: one transaction, or a part of the caller's (approve,
     * an import, a follower's batch), which then must fail whole if this throws. (A transaction
     * nested in another is a savepoint, which copies every page it changes to a statement journal,
     * spilled to a temporary file past 64 KiB, for a rollback that the caller's failure does anyway.)
     * Returns the change's sequence number.
     */
    publish(entry: Entry, change: Change): { seq: number } {
      return db.inTransaction ? publishIn(entry, change) : publishAlone(entry, change)
    },
  }
}

export type EntryStore<Entry> = ReturnType<typeof createEntryStore<Entry>>
