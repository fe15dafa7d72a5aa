import type { Capability } from '../../schema/capability.ts'
import type { ResponseCode } from '../../schema/response-code.ts'
import { listed, summary, type Violation, type Warning } from '../../schema/problem.ts'
import type { Registration, Submission, ValidationResult } from '../../schema/registration.ts'
import { checkRegistration } from '../rules/registration-rules.ts'
import { generationOf } from '../store/generation.ts'
import type { Store } from '../store/index.ts'
import { bodyDigest } from './body-digest.ts'

/** Why a workflow step did not happen; the routes turn each into an HTTP status. */
export type Refusal =
  | { refused: 'not-found', detail: string }
  | { refused: 'conflict', detail: string, violations?: Violation[] }
  | { refused: 'forbidden', detail: string }
  | { refused: 'rule-violations', detail: string, violations: Violation[], warnings: Warning[] }
  | { refused: 'idempotency-key-reused', detail: string }

export type Outcome = { registration: Registration } | Refusal

/**
 * How a submission was answered: a new registration, the first answer to the same Idempotency-Key
 * and body again, or (without a key) the submitter's pending registration of the same body.
 */
export type Submitted = { registration: Registration, answer: 'created' | 'replayed' | 'pending-duplicate' }

/** A registration as its submission answered it: pending, before any decision. */
function asFirstAnswered({ decidedBy: _by, decidedAt: _at, reason: _reason, changeSeq: _seq, ...submitted }: Registration): Registration {
  return { ...submitted, status: 'pending' }
}

const describe = (violations: Violation[]) =>
  `${violations.length} rule${violations.length === 1 ? '' : 's'} broken: ${summary(violations.map((v) => `${v.path} (${v.rule})`))}`

/** The registration workflow: submit, then approve, reject or withdraw; each step one transaction. */
// eslint-disable-next-line max-lines-per-function -- the workflow in closure form: each step a short method over the store
export function createRegistrationWorkflow(store: Store, now: () => Date = () => new Date()) {
  const { db, registrations } = store
  const generation = generationOf(db)

  /**
   * The registrations submitted since the registry last changed, by id, as submitted and with their
   * normalized requests: the rules judge a body by the registry alone, so an approval while the
   * registry is as its submission saw it would be judged the same way again; and a decision changes
   * a registration's status alone, so while it is pending it is as submitted. The map goes with any
   * write to the entries or RFCs, this process's or another's (generation.kept). A submission is
   * kept only once it is committed: a rolled-back insert's id is given again to the next one.
   */
  const judgements = () => generation.kept('judged submissions', () => new Map<number, { request: Submission, registration: Registration }>())

  /**
   * The pending registration a reviewer may decide: not one they submitted themselves, for the
   * registry is a two-person process, like IANA's expert review. A registration kept as submitted
   * is the stored one while it is pending (a decision changes its status alone), so only its status
   * is read back.
   */
  function decidable(id: number, reviewer: string, submitted?: Registration): Refusal | Registration {
    const registration = submitted && registrations.statusOf(id) === 'pending' ? submitted : registrations.get(id)
    if (registration && registration.submitter === reviewer) {
      return { refused: 'forbidden', detail: `${reviewer} submitted registration ${id} and so cannot decide it: another reviewer must approve or reject it (two-person rule).` }
    }
    return pending(id, registration)
  }

  function pending(id: number, registration = registrations.get(id)): Refusal | Registration {
    if (!registration) return { refused: 'not-found', detail: `There is no registration ${id}.` }
    if (registration.status !== 'pending') {
      return { refused: 'conflict', detail: `Registration ${id} is ${registration.status} already; a decided registration cannot be decided again.` }
    }
    return registration
  }

  // Each step is one write transaction, its function made once (better-sqlite3 builds a wrapper
  // per db.transaction call).
  const submitting = db.transaction((body: unknown, bodySha256: string, submitter: string, idempotencyKey: string | undefined): Submitted | (Submitted & { request: Submission }) | Refusal => {
    if (idempotencyKey !== undefined) {
      const earlier = registrations.byIdempotencyKey(submitter, idempotencyKey)
      if (earlier && earlier.bodySha256 === bodySha256) return { registration: asFirstAnswered(earlier.registration), answer: 'replayed' }
      if (earlier) {
        return {
          refused: 'idempotency-key-reused',
          detail: `Your Idempotency-Key ${JSON.stringify(idempotencyKey)} was sent with another body, which made registration ${earlier.registration.id}; a key stands for one request. Send this body with a new key, or that registration's body again with this one.`,
        }
      }
    } else {
      const pending = registrations.pendingWithBody(submitter, bodySha256)
      if (pending) return { registration: pending, answer: 'pending-duplicate' }
    }
    const { request, violations, warnings } = checkRegistration(body, store.view())
    if (!request) return { refused: 'rule-violations', detail: describe(violations), violations, warnings }
    const registration = registrations.submit(request, warnings, submitter, now().toISOString(), { bodySha256, idempotencyKey })
    return { registration, answer: 'created', request }
  })

  const approving = db.transaction((id: number, reviewer: string): Outcome => {
    const view = store.view()
    const judged = judgements().get(id)
    const registration = decidable(id, reviewer, judged?.registration)
    if ('refused' in registration) return registration
    const { request, violations } = judged ? { request: judged.request, violations: [] } : checkRegistration(
      { kind: registration.kind, action: registration.action, entry: registration.entry, ...registration.deprecation }, view)
    if (!request) {
      return { refused: 'conflict', detail: `Registration ${id} conflicts with the registry as it is now: ${describe(violations)}.`, violations }
    }
    const at = now().toISOString()
    let seq: number
    if (request.action === 'deprecate') {
      // The entry stays as it is; the revision records the status, why, and what replaces it.
      const change = { at, action: request.action, registrationId: id, note: request.reason, replacedBy: request.replacedBy ?? null }
      seq = request.kind === 'capability'
        ? store.capabilities.publish(store.capabilities.history(request.entry.tag).at(-1)!.entry as Capability, change).seq
        : store.responseCodes.publish(store.responseCodes.history(request.entry.code).at(-1)!.entry as ResponseCode, change).seq
    } else {
      const change = { at, action: request.action, registrationId: id }
      seq = request.kind === 'capability'
        ? store.capabilities.publish(request.entry, change).seq
        : store.responseCodes.publish(request.entry, change).seq
    }
    return { registration: registrations.decide(registration, { status: 'approved', by: reviewer, at, changeSeq: seq })! }
  })

  const rejecting = db.transaction((id: number, reviewer: string, reason: string): Outcome => {
    const registration = decidable(id, reviewer)
    if ('refused' in registration) return registration
    return { registration: registrations.decide(registration, { status: 'rejected', by: reviewer, at: now().toISOString(), reason })! }
  })

  const withdrawing = db.transaction((id: number, submitter: string): Outcome => {
    // Someone else's registration does not exist for them, whatever its state (as GET answers).
    const own = registrations.get(id)
    if (!own || own.submitter !== submitter) return { refused: 'not-found', detail: `There is no registration ${id} of yours.` }
    const registration = pending(id, own)
    if ('refused' in registration) return registration
    return { registration: registrations.decide(registration, { status: 'withdrawn', by: submitter, at: now().toISOString() })! }
  })

  return {
    /** A dry run; `fromSocket`: the request was read from a socket, so it may share this turn's look (store.view). */
    validate(body: unknown, fromSocket = false): ValidationResult {
      const { valid, violations, warnings } = checkRegistration(body, store.view(fromSocket))
      return { valid, warnings: [], ...listed(violations, warnings) }
    },

    /**
     * Stores a registration as pending. With an Idempotency-Key (the IETF httpapi draft), keys are
     * the submitter's own: the same key and body answer the first answer again, another body is
     * refused. Without one, a body the submitter has pending already answers that registration.
     * A refused submission stores nothing, so its key is free and a retry is judged afresh. The
     * look-up and the insert share the write lock: of simultaneous requests with one key, one inserts.
     */
    submit(body: unknown, submitter: string, idempotencyKey?: string): Submitted | Refusal {
      const outcome = submitting.immediate(body, bodyDigest(body), submitter, idempotencyKey)
      if (!('request' in outcome)) return outcome
      const { request, ...submitted } = outcome
      const judged = judgements()
      // Pending registrations nobody decides must not pile up here.
      if (judged.size >= 1000) judged.clear()
      judged.set(submitted.registration.id, { request, registration: submitted.registration })
      return submitted
    },

    /**
     * Publishes a pending registration after checking it again against the registry as it is now.
     * The write lock is taken first, so of two approvals of the same new key exactly one publishes.
     */
    approve(id: number, reviewer: string): Outcome {
      return approving.immediate(id, reviewer)
    },

    reject(id: number, reviewer: string, reason: string): Outcome {
      return rejecting.immediate(id, reviewer, reason)
    },

    withdraw(id: number, submitter: string): Outcome {
      return withdrawing.immediate(id, submitter)
    },
  }
}
