import type { Database } from 'better-sqlite3'
import type { Capability, CapabilityRecord } from '../../schema/capability.ts'
import type { ResponseCode, ResponseCodeRecord } from '../../schema/response-code.ts'
import type { SubRegistryId } from '../../schema/registry.ts'

type Term = { kind: 'state' | 'command', term: string }

/** What the store must know of one sub-registry's entries. */
export interface EntryKind<Entry, Published> {
  registry: SubRegistryId
  keyOf(entry: Entry): string
  /** The free text that `q` searches besides the key. */
  descriptionOf(entry: Entry): string
  termsOf(entry: Entry): Term[]
  /** Only ties the published type to the kind; never set. */
  readonly published?: Published
}

const commandTerms = (commands: 'all' | string[]): Term[] =>
  commands === 'all' ? [{ kind: 'command', term: '*' }] : commands.map((term) => ({ kind: 'command', term }))

export const capabilityKind: EntryKind<Capability, CapabilityRecord> = {
  registry: 'capabilities',
  keyOf: (entry) => entry.tag,
  descriptionOf: (entry) => entry.discussion,
  termsOf: (entry) => [
    ...entry.validStates.map((term): Term => ({ kind: 'state', term })),
    ...commandTerms([...entry.addedCommands, ...(entry.affectedCommands === 'all' ? [] : entry.affectedCommands)]),
    ...(entry.affectedCommands === 'all' ? commandTerms('all') : []),
  ],
}

export const responseCodeKind: EntryKind<ResponseCode, ResponseCodeRecord> = {
  registry: 'response-codes',
  keyOf: (entry) => entry.code,
  descriptionOf: (entry) => entry.definition,
  termsOf: (entry) => commandTerms(entry.commands),
}

/** The API path of an entry; the key is encoded whole, so a "/" inside a response code stays part of it. */
export function entryPath(registry: SubRegistryId, key: string): string {
  return `/v1/${registry}/${encodeURIComponent(key)}`
}

export interface ListFilter {
  /** The registry as it stood at the end of this day (YYYY-MM-DD). */
  asOf?: string | undefined
  q?: string | undefined
  state?: string | undefined
  command?: string | undefined
  /** Only entries registered after this position (the decoded cursor). */
  after?: number | undefined
  limit: number
}

export interface Page<Published> {
  items: Published[]
  total: number
  /** The position of the last item, when more entries follow it. */
  lastPosition: number | undefined
}

export interface Change {
  /** The sequence number to give the change (an import keeps the exported ones); the next by default. */
  seq?: number
  at: string
  action: 'register' | 'update'
  registrationId?: number | null
  status?: 'active' | 'deprecated'
}

interface Row {
  entry: string
  status: 'active' | 'deprecated'
  registered_at: string
  updated_at: string
  position: number
}

const PUBLISHED_COLUMNS = `
  SELECT r.entry, r.status, substr(reg.at, 1, 10) AS registered_at, substr(upd.at, 1, 10) AS updated_at,
         e.registered_seq AS position`

// Each entry's latest revision, or (asOf) its latest revision made before @before.
const CURRENT_REVISION = 'r.id = e.revision_id'
const REVISION_BEFORE = `r.id = (SELECT max(r2.id) FROM revisions r2 JOIN changes c2 ON c2.seq = r2.change_seq
                                 WHERE r2.registry = e.registry AND r2.key = e.key AND c2.at < @before)`

const fromEntries = (revision: string) => `
  FROM entries e
  JOIN revisions r ON ${revision}
  JOIN changes upd ON upd.seq = r.change_seq
  JOIN changes reg ON reg.seq = e.registered_seq`

const SELECT_PUBLISHED = `${PUBLISHED_COLUMNS} ${fromEntries(CURRENT_REVISION)}`

// Optional filters, each a fixed fragment with named parameters; see buildFilter.
const FILTERS = {
  after: 'e.registered_seq > @after',
  q: `(r.key LIKE @q ESCAPE '\\' OR r.description LIKE @q ESCAPE '\\')`,
  state: `EXISTS (SELECT 1 FROM revision_terms t
                  WHERE t.kind = 'state' AND t.term = @state AND t.revision_id = r.id)`,
  command: `EXISTS (SELECT 1 FROM revision_terms t
                    WHERE t.kind = 'command' AND t.term IN (@command, '*') AND t.revision_id = r.id)`,
} as const
type FilterName = keyof typeof FILTERS

export interface HistoryRow {
  revision: number
  seq: number
  at: string
  action: 'register' | 'update'
  registrationId: number | null
  status: 'active' | 'deprecated'
  entry: Capability | ResponseCode
}

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString()

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** The store of one sub-registry: reads of the published entries, and publishing a revision. */
export function createEntryStore<Entry, Published>(db: Database, kind: EntryKind<Entry, Published>) {
  const getOne = db.prepare<{ registry: string, key: string }, Row>(
    `${SELECT_PUBLISHED} WHERE e.registry = @registry AND e.key = @key`)
  const selectHistory = db.prepare<{ registry: string, key: string }, {
    seq: number, at: string, action: 'register' | 'update', registration_id: string | null, status: 'active' | 'deprecated', entry: string
  }>(`SELECT c.seq, c.at, c.action, c.registration_id, r.status, r.entry
      FROM revisions r JOIN changes c ON c.seq = r.change_seq
      WHERE r.registry = @registry AND r.key = @key ORDER BY r.id`)
  const selectAll = db.prepare<{ registry: string }, Row>(`${SELECT_PUBLISHED} WHERE e.registry = @registry ORDER BY e.registered_seq`)
  const selectExists = db.prepare<{ registry: string, key: string }, { found: number }>(
    'SELECT 1 AS found FROM entries WHERE registry = @registry AND key = @key')
  const countAll = db.prepare<{ registry: string }, { n: number }>(
    'SELECT count(*) AS n FROM entries WHERE registry = @registry')

  const insertChange = db.prepare<[number | null, string, string, string, string, string | null]>(
    'INSERT INTO changes (seq, at, registry, key, action, registration_id) VALUES (?, ?, ?, ?, ?, ?)')
  const insertRevision = db.prepare<[number | bigint, string, string, string, string, string]>(
    'INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (?, ?, ?, ?, ?, ?)')
  const insertTerm = db.prepare<[string, string, number | bigint]>(
    'INSERT OR IGNORE INTO revision_terms (kind, term, revision_id) VALUES (?, ?, ?)')
  const insertEntry = db.prepare<[string, string, number | bigint, number | bigint]>(
    'INSERT INTO entries (registry, key, registered_seq, revision_id) VALUES (?, ?, ?, ?)')
  const pointEntry = db.prepare<[number | bigint, string, string]>(
    'UPDATE entries SET revision_id = ? WHERE registry = ? AND key = ?')
  const touchRegistry = db.prepare<[string]>(
    'UPDATE registry SET last_updated = max(last_updated, ?)')

  // One compiled statement per combination of filters in use, made on first use.
  const listStatements = new Map<string, { page: ReturnType<typeof db.prepare>, count: ReturnType<typeof db.prepare> }>()
  function statementsFor(names: FilterName[], asOf: boolean) {
    const id = `${names.join(',')}${asOf ? ' asOf' : ''}`
    let statements = listStatements.get(id)
    if (!statements) {
      const revision = asOf ? REVISION_BEFORE : CURRENT_REVISION
      const where = ['e.registry = @registry', ...names.map((name) => FILTERS[name])].join(' AND ')
      const countWhere = ['e.registry = @registry', ...names.filter((n) => n !== 'after').map((name) => FILTERS[name])].join(' AND ')
      statements = {
        page: db.prepare(`${PUBLISHED_COLUMNS} ${fromEntries(revision)} WHERE ${where} ORDER BY e.registered_seq LIMIT @limit`),
        count: db.prepare(`SELECT count(*) AS n FROM entries e JOIN revisions r ON ${revision} WHERE ${countWhere}`),
      }
      listStatements.set(id, statements)
    }
    return statements
  }

  function toPublished(row: Row): Published {
    const entry = JSON.parse(row.entry) as Entry
    const key = kind.keyOf(entry)
    const self = entryPath(kind.registry, key)
    return {
      ...entry,
      status: row.status,
      registeredAt: row.registered_at,
      updatedAt: row.updated_at,
      links: { self, history: `${self}/history` },
    } as Published
  }

  function get(key: string): Published | undefined {
    const row = getOne.get({ registry: kind.registry, key })
    return row && toPublished(row)
  }

  return {
    get,

    count(): number {
      return countAll.get({ registry: kind.registry })!.n
    },

    /** Whether the key is registered, in any case. */
    has(key: string): boolean {
      return selectExists.get({ registry: kind.registry, key }) !== undefined
    },

    /** Every published entry in registration order, read one at a time. */
    *all(): Generator<Published> {
      for (const row of selectAll.iterate({ registry: kind.registry })) yield toPublished(row)
    },

    list(filter: ListFilter): Page<Published> {
      const names = (Object.keys(FILTERS) as FilterName[]).filter((name) => filter[name] !== undefined)
      const params: Record<string, unknown> = { registry: kind.registry, limit: filter.limit + 1 }
      for (const name of names) params[name] = name === 'q' ? likePattern(filter.q!) : filter[name]
      if (filter.asOf !== undefined) params.before = dayAfter(filter.asOf)
      const { page, count } = statementsFor(names, filter.asOf !== undefined)
      const rows = page.all(params) as Row[]
      const { after: _after, limit: _limit, ...countParams } = params
      const total = (count.get(countParams) as { n: number }).n
      const more = rows.length > filter.limit
      const shown = more ? rows.slice(0, filter.limit) : rows
      return { items: shown.map(toPublished), total, lastPosition: more ? shown.at(-1)!.position : undefined }
    },

    /** Every revision of an entry, oldest first; [] when the key was never registered. */
    history(key: string): HistoryRow[] {
      return selectHistory.all({ registry: kind.registry, key }).map((row, index) => ({
        revision: index + 1,
        seq: row.seq,
        at: row.at,
        action: row.action,
        registrationId: row.registration_id === null ? null : Number(row.registration_id),
        status: row.status,
        entry: JSON.parse(row.entry),
      }))
    },

    /**
     * Writes a revision of the entry, its change-feed row and its terms, points the registry at it
     * and moves the registry's last-updated date: one transaction. Returns the entry as published
     * and the change's sequence number.
     */
    publish(entry: Entry, change: Change): { published: Published, seq: number } {
      return db.transaction(() => {
        const key = kind.keyOf(entry)
        const { lastInsertRowid: seq } = insertChange.run(
          change.seq ?? null, change.at, kind.registry, key, change.action, change.registrationId == null ? null : String(change.registrationId))
        const { lastInsertRowid: revisionId } = insertRevision.run(
          seq, kind.registry, key, change.status ?? 'active', kind.descriptionOf(entry), JSON.stringify(entry))
        for (const { kind: termKind, term } of kind.termsOf(entry)) insertTerm.run(termKind, term, revisionId)
        if (change.action === 'register') insertEntry.run(kind.registry, key, seq, revisionId)
        else if (pointEntry.run(revisionId, kind.registry, key).changes !== 1) {
          throw new Error(`cannot update ${kind.registry}/${key}: no such entry`)
        }
        touchRegistry.run(change.at.slice(0, 10))
        return { published: get(key)!, seq: Number(seq) }
      })()
    },
  }
}

export type EntryStore<Entry, Published> = ReturnType<typeof createEntryStore<Entry, Published>>
