import type { EntryStatus } from '../../schema/entry.ts'

/** An entry's row as the published-entry queries read it. */
export interface PublishedRow {
  /** The stored document: the entry's fields alone, in their schema's order (EntryKind.fields). */
  entry: string
  status: EntryStatus
  replaced_by: string | null
  registered_at: string
  updated_at: string
  /** The key as this revision spells it. */
  key: string
  position: number
}

const PUBLISHED_COLUMNS = `
  SELECT r.entry, r.status, r.replaced_by, substr(reg.at, 1, 10) AS registered_at, substr(upd.at, 1, 10) AS updated_at,
         upd.key, e.registered_seq AS position`

/** Every entry as it is now, with its current revision and the changes that dated it. */
export const SELECT_PUBLISHED = `${PUBLISHED_COLUMNS}
  FROM entries e
  JOIN revisions r ON r.id = e.revision_id
  JOIN changes upd ON upd.seq = r.change_seq
  JOIN changes reg ON reg.seq = e.registered_seq`

/**
 * The revision an entry is listed with: its current one, or (asOf) its latest made before
 * @beforeRevision, the first revision of the day after. Revision ids grow with the change feed,
 * so "before a revision" is "before a moment", and one index seek finds it.
 */
const REVISION = {
  current: 'e.revision_id',
  asOf: '(SELECT max(r2.id) FROM revisions r2 WHERE r2.registry = e.registry AND r2.key = e.key AND r2.id < @beforeRevision)',
} as const
export type Moment = keyof typeof REVISION

/** Every entry registered by @beforeSeq, as it stood then. */
export const SELECT_PUBLISHED_AS_OF = `${PUBLISHED_COLUMNS}
  FROM entries e
  JOIN revisions r ON r.id = ${REVISION.asOf}
  JOIN changes upd ON upd.seq = r.change_seq
  JOIN changes reg ON reg.seq = e.registered_seq
  WHERE e.registry = @registry AND e.registered_seq < @beforeSeq`

// The list's filters, each a fixed fragment with named parameters, over the entries alone (and
// the listed entry's terms: entry_terms now, the revision's as of a day), so that filtering and counting never read the entry documents.
export const FILTERS = {
  after: () => 'e.registered_seq > @after',
  asOf: () => 'e.registered_seq < @beforeSeq',
  q: (moment: Moment) => (moment === 'current'
    ? `(e.key LIKE @q ESCAPE '\\' OR e.description LIKE @q ESCAPE '\\')`
    : `(e.key LIKE @q ESCAPE '\\' OR (SELECT d.description FROM revisions d WHERE d.id = ${REVISION.asOf}) LIKE @q ESCAPE '\\')`),
  state: (moment: Moment) => (moment === 'current'
    ? `EXISTS (SELECT 1 FROM entry_terms t
              WHERE t.registry = e.registry AND t.kind = 'state' AND t.term = @state AND t.registered_seq = e.registered_seq)`
    : `EXISTS (SELECT 1 FROM revision_terms t
              WHERE t.kind = 'state' AND t.term = @state AND t.revision_id = ${REVISION[moment]})`),
  status: (moment: Moment) => `(SELECT rs.status FROM revisions rs WHERE rs.id = ${REVISION[moment]}) = @status`,
  command: (moment: Moment) => (moment === 'current'
    ? `EXISTS (SELECT 1 FROM entry_terms t WHERE t.registry = e.registry AND t.kind = 'command'
                 AND t.term IN (@command, '*') AND t.registered_seq = e.registered_seq)`
    : `EXISTS (SELECT 1 FROM revision_terms t
              WHERE t.kind = 'command' AND t.term IN (@command, '*') AND t.revision_id = ${REVISION[moment]})`),
} as const
export type FilterName = keyof typeof FILTERS

/**
 * The three statements of a list with these filters: one page (from @after, @limit long), the
 * count of every match, and the positions of every match. LIMIT +@limit, not LIMIT @limit: SQLite
 * plans with a bare parameter's bound value and so compiles the statement again after every bind
 * (changes.ts); the plans are the same either way.
 */
export function listStatementsSql(names: FilterName[], moment: Moment) {
  const where = (skip?: FilterName) => ['e.registry = @registry', ...names.filter((n) => n !== skip).map((name) => FILTERS[name](moment))].join(' AND ')
  return {
    page: `${PUBLISHED_COLUMNS.replace('e.registered_seq AS position', 'page.position')}
      FROM (SELECT e.registered_seq AS position, ${REVISION[moment]} AS revision_id FROM entries e
            WHERE ${where()} ORDER BY e.registered_seq LIMIT +@limit) page
      JOIN revisions r ON r.id = page.revision_id
      JOIN changes upd ON upd.seq = r.change_seq
      JOIN changes reg ON reg.seq = page.position
      ORDER BY page.position`,
    count: `SELECT count(*) AS n FROM entries e WHERE ${where('after')}`,
    matches: `SELECT e.registered_seq FROM entries e WHERE ${where('after')} ORDER BY e.registered_seq`,
  }
}

/**
 * The positions of the current entries with a state or command, in registration order, read from
 * entry_terms alone: each term is one range of its primary key, and SQLite merges the ranges
 * (UNION for a command or '*', INTERSECT for a state too) without sorting or reading an entry.
 * Compound operators bind left to right, so the command's UNION comes before the INTERSECT.
 */
function termPositionsSql(state: boolean, command: boolean, after: boolean) {
  const range = (kind: 'state' | 'command', term: string) => `SELECT registered_seq FROM entry_terms
    WHERE registry = @registry AND kind = '${kind}' AND term = ${term}${after ? ' AND registered_seq > @after' : ''}`
  const ranges = [
    ...(command ? [`${range('command', '@command')} UNION ${range('command', "'*'")}`] : []),
    ...(state ? [range('state', '@state')] : []),
  ]
  return `${ranges.join(' INTERSECT ')} ORDER BY 1`
}

/**
 * The count of a list filtered by one state or one command alone, from entry_term_counts: a
 * command's entries and those of all commands ('*'), less those that hold both.
 */
function countedSql(names: FilterName[]): string | undefined {
  const filters = names.filter((name) => name !== 'after')
  const counted = (term: string) => `coalesce((SELECT entries FROM entry_term_counts
    WHERE registry = @registry AND kind = '${filters[0]}' AND term = ${term}), 0)`
  if (filters.length !== 1) return undefined
  if (filters[0] === 'state') return `SELECT ${counted('@state')} AS n`
  if (filters[0] !== 'command') return undefined
  // The entries holding both are counted by walking the smaller of the two ranges, probing the other.
  const both = (walked: string, probed: string) => `(SELECT count(*) FROM entry_terms s
    WHERE s.registry = @registry AND s.kind = 'command' AND s.term = ${walked} AND EXISTS (SELECT 1 FROM entry_terms c
      WHERE c.registry = @registry AND c.kind = 'command' AND c.term = ${probed} AND c.registered_seq = s.registered_seq))`
  return `SELECT one + every - CASE WHEN one < every THEN ${both('@command', "'*'")} ELSE ${both("'*'", '@command')} END AS n
    FROM (SELECT ${counted('@command')} AS one, ${counted("'*'")} AS every)`
}

/**
 * The page and count of a list of the current entries filtered by state or command (and maybe
 * status; not q, which scans the entries anyway), from the terms' positions: a page reads its
 * own entries alone.
 */
export function termListSql(names: FilterName[]) {
  const positions = (after: boolean) => `(${termPositionsSql(names.includes('state'), names.includes('command'), after)}) t`
  // CROSS JOIN keeps the positions the outer loop: one entry seek per position, in order.
  const withStatus = names.includes('status')
    ? `CROSS JOIN entries e ON e.registered_seq = t.registered_seq WHERE ${FILTERS.status('current')}`
    : ''
  return {
    page: `${PUBLISHED_COLUMNS.replace('e.registered_seq AS position', 'page.position')}
      FROM (SELECT t.registered_seq AS position FROM ${positions(names.includes('after'))} ${withStatus}
            ORDER BY t.registered_seq LIMIT +@limit) page
      JOIN entries e ON e.registered_seq = page.position
      JOIN revisions r ON r.id = e.revision_id
      JOIN changes upd ON upd.seq = r.change_seq
      JOIN changes reg ON reg.seq = page.position
      ORDER BY page.position`,
    count: countedSql(names) ?? `SELECT count(*) AS n FROM ${positions(false)} ${withStatus}`,
  }
}

// Past every time of the day, and before the next day, in the stored ISO strings' order. (Adding a
// day by Date would write 9999-12-31's next day as "+010000-01-01", which sorts before them all.)
export const dayAfter = (day: string) => `${day}T24`

/** A bound past every change and revision: no asOf. */
export const NONE_YET = Number.MAX_SAFE_INTEGER

/** The LIKE pattern of a text anywhere, its own \, % and _ escaped. */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
