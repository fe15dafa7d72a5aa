import { afterEach, describe, expect, it } from 'vitest'
import type { Capability } from '../../schema/capability.ts'
import type { Published } from '../../schema/entry.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { createStore } from '../../server/store/index.ts'
import type { ListFilter } from '../../server/store/entries.ts'
import { sampleCapability } from '../helpers.ts'

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

const STATES = ['AUTHORIZATION', 'TRANSACTION', 'UPDATE'] as const
const COMMANDS = ['USER', 'PASS', 'TOP', 'XONE', 'XTWO']

/** A capability whose states and commands follow from i and the revision, so that updates move its terms. */
function capability(i: number, revision: number): Capability {
  const pick = <T>(values: readonly T[], seed: number) => values.filter((_, k) => ((seed >> k) & 1) === 1)
  return sampleCapability(`X-T${i}`, {
    validStates: pick(STATES, (i + revision * 3) % 8),
    addedCommands: pick(COMMANDS, (i * 7 + revision) % 32),
    affectedCommands: (i + revision) % 9 === 0 ? 'all' : pick(COMMANDS, (i * 5 + revision * 11) % 32),
    discussion: `Term test capability number ${i}, revision ${revision}.`,
  }) as Capability
}

/** What a list must answer, worked out from every entry by hand. */
function expected(all: Published<Capability>[], filter: Omit<ListFilter, 'limit' | 'after'>) {
  const has = (values: string[] | 'all', wanted: string) => values === 'all' || values.some((v) => v.toUpperCase() === wanted.toUpperCase())
  return all.filter((entry) =>
    (filter.state === undefined || entry.validStates.some((s) => s === filter.state!.toUpperCase()))
    && (filter.command === undefined || has(entry.addedCommands, filter.command) || has(entry.affectedCommands, filter.command))
    && (filter.status === undefined || entry.status === filter.status)
    && (filter.q === undefined || `${entry.tag} ${entry.discussion}`.toUpperCase().includes(filter.q.toUpperCase())))
    .map((entry) => entry.tag)
}

describe('the state and command filters (entry_terms)', () => {
  it('answer what the current entries hold, after updates and deprecations, page by page, in any case', () => {
    const { db } = openRegistry(':memory:', 'initial')
    cleanups.push(() => db.close())
    const store = createStore(db)
    let day = 0
    const at = () => new Date(Date.UTC(2010, 0, 1) + (day++) * 86_400_000).toISOString()
    for (let i = 0; i < 60; i++) store.capabilities.publish(capability(i, 0), { at: at(), action: 'register' })
    // Every third entry is updated (its terms change), every seventh deprecated.
    for (let i = 0; i < 60; i += 3) store.capabilities.publish(capability(i, 1), { at: at(), action: 'update' })
    for (let i = 0; i < 60; i += 7) store.capabilities.publish(capability(i, 1 - Math.min(1, i % 3)), { at: at(), action: 'deprecate', note: 'old' })
    const all = [...store.capabilities.all()]
    expect(all).toHaveLength(70)

    const filters: Omit<ListFilter, 'limit' | 'after'>[] = []
    for (const state of [undefined, 'AUTHORIZATION', 'TRANSACTION', 'UPDATE'] as const) {
      for (const command of [undefined, 'user', 'TOP', 'XTWO', 'NONE']) {
        for (const status of [undefined, 'active', 'deprecated'] as const) {
          if (state !== undefined || command !== undefined) filters.push({ state, command, status })
        }
      }
    }
    filters.push({ state: 'TRANSACTION', q: 'number 1' }, { command: 'PASS', q: 'x-t2', status: 'active' })

    for (const filter of filters) {
      const want = expected(all, filter)
      const first = store.capabilities.list({ ...filter, limit: 500 })
      expect({ filter, tags: first.items.map((e) => e.tag), total: first.total }).toEqual({ filter, tags: want, total: want.length })
      // The same answer four at a time, each page after the last one's position.
      const paged: string[] = []
      let after: number | undefined
      for (;;) {
        const page = store.capabilities.list({ ...filter, after, limit: 4 })
        expect(page.total).toBe(want.length)
        paged.push(...page.items.map((e) => e.tag))
        if (page.lastPosition === undefined) break
        after = page.lastPosition
      }
      expect({ filter, paged }).toEqual({ filter, paged: want })
    }
    // A command listed by an entry of 'all' commands matches every command, named or not.
    const everything = all.filter((e) => e.affectedCommands === 'all').map((e) => e.tag)
    expect(everything.length).toBeGreaterThan(0)
    expect(store.capabilities.list({ command: 'NEVER-NAMED', limit: 500 }).items.map((e) => e.tag)).toEqual(everything)
  })

  it('count a list afresh after every write, though a total is remembered between writes', () => {
    const { db } = openRegistry(':memory:', 'current')
    cleanups.push(() => db.close())
    const store = createStore(db)
    const total = (filter: Omit<ListFilter, 'limit'>) => store.capabilities.list({ ...filter, limit: 1 }).total
    // every list's total is remembered, the unfiltered one's and one as of a day's too
    const totals = () => ({ top: total({ command: 'TOP' }), state: total({ state: 'UPDATE' }), all: total({}), asOf: total({ asOf: '9999-12-31' }) })
    const before = totals()
    // the same answer from any page
    expect(total({ command: 'TOP', after: 3 })).toBe(before.top)
    expect(total({ after: 3 })).toBe(before.all)
    store.capabilities.publish(sampleCapability('X-COUNTED', { addedCommands: ['TOP'], validStates: ['UPDATE'] }) as Capability,
      { at: new Date().toISOString(), action: 'register' })
    expect(totals()).toEqual({ top: before.top + 1, state: before.state + 1, all: before.all + 1, asOf: before.asOf + 1 })
    expect(before.all).toBe(store.capabilities.count() - 1)
    // an entry of all commands counts once for each command, and once in all
    store.capabilities.publish(sampleCapability('X-ALL', { addedCommands: ['TOP'], affectedCommands: 'all' }) as Capability,
      { at: new Date().toISOString(), action: 'register' })
    expect(total({ command: 'TOP' })).toBe(before.top + 2)
    expect(total({ command: 'NEVER-NAMED' })).toBe(store.capabilities.list({ command: 'NEVER-NAMED', limit: 500 }).items.length)
  })

  it('hold exactly the current revision\'s terms of every entry', () => {
    const { db } = openRegistry(':memory:', 'current')
    cleanups.push(() => db.close())
    const store = createStore(db)
    const top = store.capabilities.history('TOP').at(-1)!.entry as Capability
    store.capabilities.publish({ ...top, validStates: ['UPDATE'] }, { at: new Date().toISOString(), action: 'update' })
    const fromRevisions = db.prepare(`SELECT e.registry, t.kind, t.term, e.registered_seq FROM entries e
      JOIN revision_terms t ON t.revision_id = e.revision_id ORDER BY 1, 2, 3, 4`).all()
    expect(db.prepare('SELECT registry, kind, term, registered_seq FROM entry_terms ORDER BY 1, 2, 3, 4').all()).toEqual(fromRevisions)
    // and the counts by term agree with them (terms no entry holds any more count zero)
    expect(db.prepare('SELECT registry, kind, term, entries FROM entry_term_counts WHERE entries > 0 ORDER BY 1, 2, 3').all())
      .toEqual(db.prepare('SELECT registry, kind, term, count(*) AS entries FROM entry_terms GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all())
    expect(store.capabilities.list({ state: 'UPDATE', limit: 10 }).items.map((e) => e.tag)).toContain('TOP')
    expect(store.capabilities.list({ state: 'TRANSACTION', limit: 50 }).items.map((e) => e.tag)).not.toContain('TOP')
  })
})
