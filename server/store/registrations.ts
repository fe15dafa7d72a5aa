import type { Database } from 'better-sqlite3'
import type { Warning } from '../../schema/problem.ts'
import type { Registration, RegistrationStatus, Submission } from '../../schema/registration.ts'

interface Row {
  id: number
  kind: Registration['kind']
  action: Registration['action']
  entry: string
  warnings: string
  status: RegistrationStatus
  submitter: string
  submitted_at: string
  decided_by: string | null
  decided_at: string | null
  reason: string | null
  change_seq: number | null
  deprecation: string | null
}

export interface Decision {
  status: Exclude<RegistrationStatus, 'pending'>
  by: string
  at: string
  reason?: string
  changeSeq?: number
}

function toRegistration(row: Row): Registration {
  return {
    id: row.id,
    status: row.status,
    kind: row.kind,
    action: row.action,
    entry: JSON.parse(row.entry),
    warnings: JSON.parse(row.warnings),
    submitter: row.submitter,
    submittedAt: row.submitted_at,
    ...(row.decided_by === null ? {} : { decidedBy: row.decided_by }),
    ...(row.decided_at === null ? {} : { decidedAt: row.decided_at }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.change_seq === null ? {} : { changeSeq: row.change_seq }),
    ...(row.deprecation === null ? {} : { deprecation: JSON.parse(row.deprecation) }),
  }
}

// Optional filters of the list, as fixed fragments. The pending queue is one of its own, written
// out so that SQLite reads it from the partial index of pending registrations (few wait); there is
// no index by status (migration 10), so another status walks the registrations in order.
const LIST_FILTERS = {
  pending: "status = 'pending'",
  status: 'status = @status',
  submitter: 'submitter = @submitter',
  after: 'id > @after',
} as const

/** Registrations: what maintainers submitted, and what reviewers decided. */
// eslint-disable-next-line max-lines-per-function -- a store in closure form: statements compiled once, then the short methods over them
export function createRegistrationStore(db: Database) {
  const insert = db.prepare<[string, string, string, string, string, string, string, string | null, string, string | null]>(
    `INSERT INTO registrations (kind, action, key, entry, warnings, status, submitter, submitted_at, deprecation,
                                body_sha256, idempotency_key)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`)
  const selectOne = db.prepare<[number], Row>('SELECT * FROM registrations WHERE id = ?')
  const selectStatus = db.prepare<[number], RegistrationStatus>('SELECT status FROM registrations WHERE id = ?').pluck()
  const selectByKey = db.prepare<[string, string], Row & { body_sha256: string | null }>(
    'SELECT * FROM registrations WHERE submitter = ? AND idempotency_key = ?')
  const selectPendingByBody = db.prepare<[string, string], Row>(
    `SELECT * FROM registrations WHERE submitter = ? AND body_sha256 = ? AND status = 'pending' ORDER BY id LIMIT 1`)
  // Positional parameters: binding an object's six names cost about 2 µs more a decision.
  const decideOne = db.prepare<[string, string, string, string | null, number | null, number]>(
    `UPDATE registrations SET status = ?, decided_by = ?, decided_at = ?, reason = ?, change_seq = ?
     WHERE id = ? AND status = 'pending'`)
  const countPending = db.prepare<[], number>(`SELECT count(*) FROM registrations WHERE status = 'pending'`).pluck()
  const listStatements = new Map<string, ReturnType<typeof db.prepare>>()

  return {
    /** How many registrations wait for a decision. */
    pendingCount(): number {
      return countPending.get()!
    },

    /**
     * Stores a submission as pending, with the digest of its body as sent and the submitter's
     * Idempotency-Key if it came with one (unique per submitter: the index refuses a second).
     */
    submit(request: Submission, warnings: Warning[], submitter: string, at: string, sent: { bodySha256: string, idempotencyKey?: string | undefined }): Registration {
      const key = request.kind === 'capability' ? request.entry.tag : request.entry.code
      const deprecation = request.action === 'deprecate'
        ? { reason: request.reason, ...(request.replacedBy ? { replacedBy: request.replacedBy } : {}) }
        : undefined
      const { lastInsertRowid } = insert.run(request.kind, request.action, key, JSON.stringify(request.entry), JSON.stringify(warnings),
        submitter, at, deprecation ? JSON.stringify(deprecation) : null, sent.bodySha256, sent.idempotencyKey ?? null)
      // The registration as stored, from the values just written rather than read back or parsed
      // again (JSON values: the text holds what they hold), in toRegistration's shape.
      return {
        id: Number(lastInsertRowid), status: 'pending', kind: request.kind, action: request.action, entry: request.entry, warnings,
        submitter, submittedAt: at, ...(deprecation ? { deprecation } : {}),
      }
    },

    /** The registration a submitter sent with an Idempotency-Key, and the digest of that body. */
    byIdempotencyKey(submitter: string, key: string): { registration: Registration, bodySha256: string | null } | undefined {
      const row = selectByKey.get(submitter, key)
      return row && { registration: toRegistration(row), bodySha256: row.body_sha256 }
    },

    /** A submitter's pending registration whose body as sent had this digest, if there is one. */
    pendingWithBody(submitter: string, bodySha256: string): Registration | undefined {
      const row = selectPendingByBody.get(submitter, bodySha256)
      return row && toRegistration(row)
    },

    /** A registration's status alone, undefined when there is no such registration. */
    statusOf(id: number): RegistrationStatus | undefined {
      return selectStatus.get(id)
    },

    get(id: number): Registration | undefined {
      const row = selectOne.get(id)
      return row && toRegistration(row)
    },

    list(filter: { status?: RegistrationStatus | undefined, submitter?: string | undefined, after?: number | undefined, limit: number }) {
      const pending = filter.status === 'pending'
      const given = { ...filter, pending: pending || undefined, status: pending ? undefined : filter.status }
      const names = (Object.keys(LIST_FILTERS) as (keyof typeof LIST_FILTERS)[]).filter((name) => given[name] !== undefined)
      const id = names.join(',')
      let statement = listStatements.get(id)
      if (!statement) {
        const where = names.length > 0 ? `WHERE ${names.map((name) => LIST_FILTERS[name]).join(' AND ')}` : ''
        // Named, or SQLite walks every registration in order rather than sort the few pending ones.
        const from = pending ? 'registrations INDEXED BY registrations_pending_by_body' : 'registrations'
        // +@limit: a bare parameter in LIMIT has SQLite compile the statement again after every bind.
        statement = db.prepare(`SELECT * FROM ${from} ${where} ORDER BY id LIMIT +@limit`)
        listStatements.set(id, statement)
      }
      const params: Record<string, unknown> = { limit: filter.limit + 1 }
      for (const name of names) if (name !== 'pending') params[name] = given[name]
      const rows = statement.all(params) as Row[]
      const more = rows.length > filter.limit
      const shown = more ? rows.slice(0, filter.limit) : rows
      return { items: shown.map(toRegistration), lastId: more ? shown.at(-1)!.id : undefined }
    },

    /**
     * Records a decision on a pending registration and returns it decided, as a read would (but
     * without one); undefined when it was no longer pending.
     */
    decide(registration: Registration, decision: Decision): Registration | undefined {
      const changed = decideOne.run(
        decision.status, decision.by, decision.at, decision.reason ?? null, decision.changeSeq ?? null, registration.id).changes === 1
      if (!changed) return undefined
      const { deprecation, ...before } = registration
      return {
        ...before,
        status: decision.status,
        decidedBy: decision.by,
        decidedAt: decision.at,
        ...(decision.reason === undefined ? {} : { reason: decision.reason }),
        ...(decision.changeSeq === undefined ? {} : { changeSeq: decision.changeSeq }),
        ...(deprecation === undefined ? {} : { deprecation }),
      }
    },
  }
}
