import { afterEach, describe, expect, it } from 'vitest'
import { openRegistry } from '../../server/registry-file.ts'
import { createStore } from '../../server/store/index.ts'
import { createRegistrationWorkflow } from '../../server/workflow/registrations.ts'
import { join } from 'node:path'
import { sampleCapability, tempDir } from '../helpers.ts'

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

// Submit and the decisions answer from what they wrote, without reading it back: what they
// answer must be what a read answers afterwards.
describe('the registration workflow answers as a read would', () => {
  it('after submit, approve, reject, withdraw and a deprecation', () => {
    const { db } = openRegistry(':memory:', 'initial')
    cleanups.push(() => db.close())
    const store = createStore(db)
    const workflow = createRegistrationWorkflow(store)
    const submitted = (body: object) => {
      const outcome = workflow.submit(body, 'alice')
      if (!('registration' in outcome)) throw new Error(JSON.stringify(outcome))
      expect(outcome.registration).toStrictEqual(store.registrations.get(outcome.registration.id))
      return outcome.registration.id
    }
    const decided = (outcome: ReturnType<typeof workflow.approve>) => {
      if (!('registration' in outcome)) throw new Error(JSON.stringify(outcome))
      expect(outcome.registration).toStrictEqual(store.registrations.get(outcome.registration.id))
      return outcome.registration
    }
    const approved = decided(workflow.approve(submitted({ kind: 'capability', action: 'register', entry: sampleCapability('ONECAP') }), 'bob'))
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'bob' })
    expect(approved.changeSeq).toBe(store.changes.latest().seq)
    expect(decided(workflow.reject(submitted({ kind: 'capability', action: 'register', entry: sampleCapability('TWOCAP') }), 'bob', 'Not needed.')))
      .toMatchObject({ status: 'rejected', reason: 'Not needed.' })
    expect(decided(workflow.withdraw(submitted({ kind: 'capability', action: 'register', entry: sampleCapability('THREECAP') }), 'alice')))
      .toMatchObject({ status: 'withdrawn', decidedBy: 'alice' })
    const deprecation = decided(workflow.approve(
      submitted({ kind: 'capability', action: 'deprecate', entry: { tag: 'ONECAP' }, reason: 'Replaced.', replacedBy: 'TOP' }), 'bob'))
    expect(deprecation.deprecation).toEqual({ reason: 'Replaced.', replacedBy: 'TOP' })
    expect(store.capabilities.get('ONECAP')).toMatchObject({ status: 'deprecated', replacedBy: 'TOP' })
  })
})

// An approval may reuse its submission's judgement only while the registry is as it was then.
describe('an approval judges the registration against the registry as it is now', () => {
  const register = (tag: string) => ({ kind: 'capability', action: 'register', entry: sampleCapability(tag) })
  const idOf = (outcome: ReturnType<ReturnType<typeof createRegistrationWorkflow>['submit']>) => {
    if (!('registration' in outcome)) throw new Error(JSON.stringify(outcome))
    return outcome.registration.id
  }

  it('after an approval of its own moved the registry', () => {
    const { db } = openRegistry(':memory:', 'initial')
    cleanups.push(() => db.close())
    const workflow = createRegistrationWorkflow(createStore(db))
    const first = idOf(workflow.submit(register('SAMECAP'), 'alice'))
    const second = idOf(workflow.submit(register('samecap'), 'carol'))
    expect(workflow.approve(first, 'bob')).toHaveProperty('registration.status', 'approved')
    expect(workflow.approve(second, 'bob')).toMatchObject({ refused: 'conflict', violations: [{ path: '/entry/tag', rule: 'duplicate' }] })
  })

  it('after another process registered the same key', () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const path = join(dir.path, 'registry.db')
    const { db } = openRegistry(path, 'initial')
    cleanups.push(() => db.close())
    const workflow = createRegistrationWorkflow(createStore(db))
    const id = idOf(workflow.submit(register('RACECAP'), 'alice'))
    const other = openRegistry(path).db
    createStore(other).capabilities.publish(sampleCapability('RACECAP'), { at: new Date().toISOString(), action: 'register' })
    other.close()
    expect(workflow.approve(id, 'bob')).toMatchObject({ refused: 'conflict', violations: [{ path: '/entry/tag', rule: 'duplicate' }] })
    expect(db.prepare("SELECT count(*) AS n FROM changes WHERE key = 'RACECAP'").pluck().get()).toBe(1)
  })

  // The submission kept for its approval is the registration as submitted: its status, and who
  // may decide it, are still asked.
  it('after the registration was decided, or by its own submitter', () => {
    const { db } = openRegistry(':memory:', 'initial')
    cleanups.push(() => db.close())
    const workflow = createRegistrationWorkflow(createStore(db))
    const rejected = idOf(workflow.submit(register('NOCAP'), 'alice'))
    workflow.reject(rejected, 'bob', 'No.')
    expect(workflow.approve(rejected, 'carol')).toMatchObject({ refused: 'conflict', detail: expect.stringMatching(/is rejected already/) })
    const withdrawn = idOf(workflow.submit(register('GONECAP'), 'alice'))
    workflow.withdraw(withdrawn, 'alice')
    expect(workflow.approve(withdrawn, 'bob')).toMatchObject({ refused: 'conflict', detail: expect.stringMatching(/is withdrawn already/) })
    const own = idOf(workflow.submit(register('OWNCAP'), 'alice'))
    expect(workflow.approve(own, 'alice')).toMatchObject({ refused: 'forbidden' })
    expect(db.prepare("SELECT count(*) FROM changes WHERE key IN ('NOCAP', 'GONECAP', 'OWNCAP')").pluck().get()).toBe(0)
  })
})

// The pending queue is read from the partial index of pending registrations, keyed by submitter
// and body rather than by id: its pages must still come in id order.
describe('the registration list', () => {
  it('lists each status in id order, page after page, alone or with a submitter', () => {
    const { db } = openRegistry(':memory:', 'initial')
    cleanups.push(() => db.close())
    const store = createStore(db)
    const workflow = createRegistrationWorkflow(store)
    const ids = ['ZCAP', 'YCAP', 'QCAP', 'WCAP', 'VCAP'].map((tag, index) => {
      const outcome = workflow.submit({ kind: 'capability', action: 'register', entry: sampleCapability(tag) }, index % 2 ? 'alice' : 'carol')
      if (!('registration' in outcome)) throw new Error(JSON.stringify(outcome))
      return outcome.registration.id
    })
    workflow.approve(ids[1]!, 'bob')
    workflow.reject(ids[2]!, 'bob', 'No.')
    const listed = (filter: Parameters<typeof store.registrations.list>[0]) => store.registrations.list(filter).items.map((r) => r.id)
    expect(listed({ status: 'pending', limit: 10 })).toEqual([ids[0], ids[3], ids[4]])
    const first = store.registrations.list({ status: 'pending', limit: 2 })
    expect(first.items.map((r) => r.id)).toEqual([ids[0], ids[3]])
    expect(listed({ status: 'pending', after: first.lastId, limit: 2 })).toEqual([ids[4]])
    expect(listed({ status: 'pending', submitter: 'carol', limit: 10 })).toEqual([ids[0], ids[4]])
    expect(listed({ status: 'approved', limit: 10 })).toEqual([ids[1]])
    expect(listed({ status: 'rejected', submitter: 'carol', limit: 10 })).toEqual([ids[2]])
    expect(listed({ submitter: 'alice', limit: 10 })).toEqual([ids[1], ids[3]])
    expect(store.registrations.pendingCount()).toBe(3)
  })
})
