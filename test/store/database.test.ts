import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { DatabaseTooNewError, migrate, openDatabase, schemaVersion } from '../../server/store/database.ts'
import { createStore } from '../../server/store/index.ts'
import { LATEST_VERSION } from '../../server/store/migrations.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { sampleCapability, tempDir } from '../helpers.ts'

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

function scratch() {
  const dir = tempDir()
  cleanups.push(dir.remove)
  return join(dir.path, 'registry.db')
}

describe('openDatabase', () => {
  it('creates a file database in WAL mode with foreign keys on', () => {
    const db = openDatabase(scratch())
    cleanups.unshift(() => db.close())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(schemaVersion(db)).toBe(LATEST_VERSION)
  })

  it('refuses a database newer than the code knows, and leaves it alone', () => {
    const path = scratch()
    const raw = new BetterSqlite3(path)
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`)
    raw.close()
    expect(() => openDatabase(path)).toThrow(DatabaseTooNewError)
    const after = new BetterSqlite3(path)
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1)
    after.close()
  })
})

describe('migration 1', () => {
  it('turns an empty database into the registry schema, with STRICT tables', () => {
    const db = new BetterSqlite3(':memory:')
    expect(schemaVersion(db)).toBe(0)
    migrate(db, 1)
    expect(schemaVersion(db)).toBe(1)
    const tables = db.prepare<[], { name: string, strict: number }>(
      "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()
    expect(tables).toEqual([
      { name: 'bibliography', strict: 1 },
      { name: 'changes', strict: 1 },
      { name: 'entries', strict: 1 },
      { name: 'registry', strict: 1 },
      { name: 'revision_terms', strict: 1 },
      { name: 'revisions', strict: 1 },
      { name: 'sub_registries', strict: 1 },
    ])
    db.close()
  })
})

describe('migration 2', () => {
  it('adds registrations, tokens and RFC statuses to a registry made at version 1, keeping its entries', () => {
    const path = scratch()
    const old = new BetterSqlite3(path)
    migrate(old, 1)
    old.close()
    // A version-1 registry, seeded as the first release did.
    const v1 = new BetterSqlite3(path)
    v1.exec(`INSERT INTO registry VALUES ('pop3-extension-mechanism', 'POP3 Extension Mechanism', 'note', '2001-06-29');
             INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}');
             INSERT INTO entries VALUES ('capabilities', 'TOP', 1, 1);`)
    v1.close()

    const { db, seeded } = openRegistry(path, 'initial')
    cleanups.unshift(() => db.close())
    expect(seeded).toBe(false)
    expect(schemaVersion(db)).toBe(LATEST_VERSION)
    expect(db.prepare('SELECT key FROM entries').all()).toEqual([{ key: 'TOP' }])
    expect(createStore(db).rfcs.get(2449)?.status).toBe('PROPOSED STANDARD')
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('tokens', 'registrations', 'rfcs')").all()
    expect(tables.map((t) => t.name).sort()).toEqual(['registrations', 'rfcs', 'tokens'])
  })
})

describe('migration 3', () => {
  it('copies each entry\'s current description beside it, for the lists', () => {
    const path = scratch()
    const v2 = new BetterSqlite3(path)
    migrate(v2, 2)
    v2.exec(`INSERT INTO registry VALUES ('pop3-extension-mechanism', 'POP3 Extension Mechanism', 'note', '2001-06-29');
             INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'The TOP command.', '{"tag":"TOP"}');
             INSERT INTO entries VALUES ('capabilities', 'TOP', 1, 1);`)
    migrate(v2, 3)
    expect(v2.prepare('SELECT key, description FROM entries').all()).toEqual([{ key: 'TOP', description: 'The TOP command.' }])
    v2.close()
  })
})

describe('migration 4', () => {
  it('admits deprecations and keeps every change, revision, entry and registration, foreign keys whole', () => {
    const path = scratch()
    const v3 = new BetterSqlite3(path)
    v3.pragma('foreign_keys = ON')
    migrate(v3, 3)
    v3.exec(`INSERT INTO registry VALUES ('pop3-extension-mechanism', 'POP3 Extension Mechanism', 'note', '2001-06-29');
             INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action, registration_id) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register', '1');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}');
             INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES ('capabilities', 'TOP', 1, 1, 'd');
             INSERT INTO registrations (kind, action, key, entry, warnings, status, submitter, submitted_at, change_seq)
               VALUES ('capability', 'register', 'TOP', '{"tag":"TOP"}', '[]', 'approved', 'alice', '2001-06-28T00:00:00.000Z', 1);`)
    expect(() => v3.prepare("INSERT INTO changes (at, registry, key, action) VALUES ('x', 'capabilities', 'TOP', 'deprecate')").run()).toThrow(/CHECK/)
    migrate(v3, 4)
    expect(v3.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(v3.pragma('foreign_key_check')).toEqual([])
    expect(v3.prepare('SELECT seq, key, action FROM changes').all()).toEqual([{ seq: 1, key: 'TOP', action: 'register' }])
    expect(v3.prepare('SELECT id, status, change_seq FROM registrations').all()).toEqual([{ id: 1, status: 'approved', change_seq: 1 }])
    v3.prepare("INSERT INTO changes (at, registry, key, action) VALUES ('2002-01-01T00:00:00.000Z', 'capabilities', 'TOP', 'deprecate')").run()
    // The sequence keeps counting from where it was.
    expect(v3.prepare('SELECT max(seq) AS seq FROM changes').get()).toEqual({ seq: 2 })
    expect(() => v3.prepare("INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (99, 'capabilities', 'TOP', 'active', 'd', '{}')").run()).toThrow(/FOREIGN KEY/)
    v3.close()
  })
})

describe('migration 5', () => {
  it('dates no reference of a registry made before it: each is shown on every day, as before', () => {
    const path = scratch()
    const v4 = new BetterSqlite3(path)
    migrate(v4, 4)
    v4.exec(`INSERT INTO bibliography (id, position, citation) VALUES ('RFC2449', 0, 'Gellens, R. ...')`)
    migrate(v4, 5)
    expect(v4.prepare('SELECT id, since FROM bibliography').all()).toEqual([{ id: 'RFC2449', since: null }])
    v4.close()
  })
})

describe('migration 6', () => {
  it('fills entry_terms with the terms of each entry\'s current revision, not of its older ones', () => {
    const path = scratch()
    const v5 = new BetterSqlite3(path)
    v5.pragma('foreign_keys = ON')
    migrate(v5, 5)
    v5.exec(`INSERT INTO registry VALUES ('pop3-extension-mechanism', 'POP3 Extension Mechanism', 'note', '2001-06-29');
             INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'USER', 'register');
             INSERT INTO changes (at, registry, key, action) VALUES ('2002-01-01T00:00:00.000Z', 'capabilities', 'TOP', 'update');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (2, 'capabilities', 'USER', 'active', 'd', '{"tag":"USER"}');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (3, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}');
             INSERT INTO revision_terms VALUES ('state', 'TRANSACTION', 1), ('command', 'TOP', 1),
                                               ('state', 'AUTHORIZATION', 2), ('command', 'USER', 2), ('command', 'PASS', 2),
                                               ('state', 'UPDATE', 3), ('command', 'TOP', 3);
             INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES ('capabilities', 'TOP', 1, 3, 'd');
             INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES ('capabilities', 'USER', 2, 2, 'd');`)
    migrate(v5, 6)
    expect(v5.pragma('foreign_key_check')).toEqual([])
    expect(v5.prepare('SELECT registry, kind, term, registered_seq FROM entry_terms ORDER BY registered_seq, kind, term').all()).toEqual([
      { registry: 'capabilities', kind: 'command', term: 'TOP', registered_seq: 1 },
      { registry: 'capabilities', kind: 'state', term: 'UPDATE', registered_seq: 1 },
      { registry: 'capabilities', kind: 'command', term: 'PASS', registered_seq: 2 },
      { registry: 'capabilities', kind: 'command', term: 'USER', registered_seq: 2 },
      { registry: 'capabilities', kind: 'state', term: 'AUTHORIZATION', registered_seq: 2 },
    ])
    expect(v5.prepare("SELECT term, entries FROM entry_term_counts WHERE kind = 'command' ORDER BY term").all())
      .toEqual([{ term: 'PASS', entries: 1 }, { term: 'TOP', entries: 1 }, { term: 'USER', entries: 1 }])
    // Terms are looked up in any case, as the filters are.
    expect(v5.prepare("SELECT registered_seq FROM entry_terms WHERE kind = 'state' AND term = 'update'").pluck().all()).toEqual([1])
    v5.close()
  })
})

describe('migration 7', () => {
  it('leaves the terms\' counts to the entry store: no triggers, no index by entry, every row and count kept', () => {
    const db = new BetterSqlite3(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, 6)
    db.exec(`INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}');
             INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES ('capabilities', 'TOP', 1, 1, 'd');
             INSERT INTO entry_terms VALUES ('capabilities', 'state', 'TRANSACTION', 1), ('capabilities', 'command', 'TOP', 1);`)
    const rows = () => ({
      terms: db.prepare('SELECT * FROM entry_terms ORDER BY 1, 2, 3, 4').all(),
      counts: db.prepare('SELECT * FROM entry_term_counts ORDER BY 1, 2, 3').all(),
    })
    const before = rows()
    expect(before.counts).toHaveLength(2)
    migrate(db, 7)
    expect(rows()).toEqual(before)
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('trigger', 'index') AND tbl_name = 'entry_terms'").all()).toEqual([])
    // Writing a term no longer counts it by itself.
    db.exec("INSERT INTO entry_terms VALUES ('capabilities', 'command', 'USER', 1)")
    expect(rows().counts).toEqual(before.counts)
    db.close()
  })
})

describe('migration 8', () => {
  it('keys entries by position and drops AUTOINCREMENT, keeping every row, the numbering and the foreign keys', () => {
    const db = new BetterSqlite3(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, 7)
    db.exec(`INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action, registration_id) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register', NULL),
               ('2001-06-29T00:00:00.000Z', 'capabilities', 'USER', 'register', NULL), ('2002-01-01T00:00:00.000Z', 'capabilities', 'TOP', 'update', '2');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}'),
               (2, 'capabilities', 'USER', 'active', 'u', '{"tag":"USER"}'), (3, 'capabilities', 'TOP', 'active', 'd2', '{"tag":"TOP"}');
             INSERT INTO entries (registry, key, registered_seq, revision_id, description) VALUES ('capabilities', 'TOP', 1, 3, 'd2'), ('capabilities', 'USER', 2, 2, 'u');
             INSERT INTO entry_terms VALUES ('capabilities', 'command', 'TOP', 1), ('capabilities', 'command', 'USER', 2);
             INSERT INTO registrations (kind, action, key, entry, warnings, status, submitter, submitted_at, change_seq, body_sha256)
               VALUES ('capability', 'register', 'X', '{"tag":"X"}', '[]', 'rejected', 'alice', '2001-06-28T00:00:00.000Z', NULL, 'a'),
                      ('capability', 'update', 'TOP', '{"tag":"TOP"}', '[]', 'approved', 'alice', '2001-12-31T00:00:00.000Z', 3, 'b');`)
    const tables = ['changes', 'revisions', 'entries', 'entry_terms', 'registrations']
    const rows = () => Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all()]))
    const before = rows()
    migrate(db, 8)
    expect(rows()).toEqual(before)
    expect(db.pragma('foreign_key_check')).toEqual([])
    const sql = db.prepare<[], string>("SELECT group_concat(sql, ';') FROM sqlite_schema WHERE name IN ('changes', 'registrations')").pluck().get()!
    expect(sql).not.toMatch(/AUTOINCREMENT/i)
    // An entry's position is its rowid; the key is its one unique index beside the list's.
    expect(db.prepare("SELECT name, type FROM pragma_table_info('entries') WHERE pk > 0").all()).toEqual([{ name: 'registered_seq', type: 'INTEGER' }])
    expect(db.prepare('SELECT count(*) FROM entries WHERE rowid = registered_seq').pluck().get()).toBe(2)
    expect(db.prepare<[], { name: string, unique: number }>('SELECT name, "unique" FROM pragma_index_list(\'entries\') ORDER BY name').all())
      .toEqual([{ name: 'entries_in_order', unique: 0 }, { name: 'sqlite_autoindex_entries_1', unique: 1 }])
    expect(() => db.exec("INSERT INTO entries (registry, key, registered_seq, revision_id) VALUES ('capabilities', 'top', 3, 3)")).toThrow(/UNIQUE/)
    expect(() => db.exec("INSERT INTO entry_terms VALUES ('capabilities', 'command', 'PASS', 9)")).toThrow(/FOREIGN KEY/)
    // The numbering goes on from the largest.
    expect(db.prepare("INSERT INTO changes (at, registry, key, action) VALUES ('2003-01-01T00:00:00.000Z', 'capabilities', 'USER', 'update')").run().lastInsertRowid).toBe(4)
    expect(db.prepare(`INSERT INTO registrations (kind, action, key, entry, warnings, status, submitter, submitted_at)
                       VALUES ('capability', 'register', 'Y', '{}', '[]', 'pending', 'bob', '2003-01-01T00:00:00.000Z')`).run().lastInsertRowid).toBe(3)
    db.close()
  })
})

describe('migration 10', () => {
  it('keys revision_terms by revision and drops the index by status, keeping every row and the foreign keys', () => {
    const db = new BetterSqlite3(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, 9)
    db.exec(`INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register'),
               ('2001-06-29T00:00:00.000Z', 'capabilities', 'USER', 'register');
             INSERT INTO revisions (change_seq, registry, key, status, description, entry) VALUES (1, 'capabilities', 'TOP', 'active', 'd', '{"tag":"TOP"}'),
               (2, 'capabilities', 'USER', 'active', 'u', '{"tag":"USER"}');
             INSERT INTO revision_terms VALUES ('state', 'TRANSACTION', 2), ('command', 'USER', 2), ('state', 'TRANSACTION', 1), ('command', 'TOP', 1);`)
    const terms = () => db.prepare('SELECT revision_id, kind, term FROM revision_terms ORDER BY 1, 2, 3').all()
    const before = terms()
    migrate(db, 10)
    expect(terms()).toEqual(before)
    // In primary-key order, a revision's terms are together: the order a new revision appends in.
    expect(db.prepare('SELECT revision_id, kind FROM revision_terms').all()).toEqual([
      { revision_id: 1, kind: 'command' }, { revision_id: 1, kind: 'state' }, { revision_id: 2, kind: 'command' }, { revision_id: 2, kind: 'state' },
    ])
    expect(() => db.exec("INSERT INTO revision_terms VALUES (1, 'state', 'transaction')")).toThrow(/UNIQUE/)
    expect(() => db.exec("INSERT INTO revision_terms VALUES (9, 'state', 'UPDATE')")).toThrow(/FOREIGN KEY/)
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'registrations_by_status'").all()).toEqual([])
    expect(db.pragma('foreign_key_check')).toEqual([])
    db.close()
  })
})

describe('openRegistry', () => {
  it('seeds a new database once, and reopening neither reseeds nor duplicates', () => {
    const path = scratch()
    const first = openRegistry(path, 'initial')
    expect(first.seeded).toBe(true)
    first.db.close()
    const second = openRegistry(path, 'initial')
    cleanups.unshift(() => second.db.close())
    expect(second.seeded).toBe(false)
    const store = createStore(second.db)
    expect(store.capabilities.count()).toBe(10)
    expect(store.responseCodes.count()).toBe(2)
    expect(second.db.prepare('SELECT count(*) AS n FROM changes').get()).toEqual({ n: 12 })
  })
})

describe('the entry store', () => {
  function seeded() {
    const { db } = openRegistry(':memory:', 'initial')
    cleanups.unshift(() => db.close())
    return { db, store: createStore(db) }
  }

  it('writes every seeded entry as a revision dated 2001-06-29 with a change-feed row', () => {
    const { db } = seeded()
    const rows = db.prepare(`SELECT c.registry, c.key, c.action, c.at FROM revisions r JOIN changes c ON c.seq = r.change_seq
                             ORDER BY c.seq`).all() as { registry: string, key: string, action: string, at: string }[]
    expect(rows).toHaveLength(12)
    expect(rows.every((row) => row.action === 'register' && row.at.startsWith('2001-06-29'))).toBe(true)
    expect(rows.slice(0, 3).map((row) => row.key)).toEqual(['TOP', 'USER', 'SASL'])
  })

  it('finds an entry whatever the case of its key', () => {
    const { store } = seeded()
    expect(store.capabilities.get('login-delay')?.tag).toBe('LOGIN-DELAY')
    expect(store.capabilities.get('Top')?.tag).toBe('TOP')
    expect(store.responseCodes.get('in-use')?.code).toBe('IN-USE')
    expect(store.capabilities.get('NOPE')).toBeUndefined()
  })

  it('refuses a second key that differs only in case, and writes nothing of it', () => {
    const { db, store } = seeded()
    expect(() => store.capabilities.publish(sampleCapability('top'), { at: new Date().toISOString(), action: 'register' }))
      .toThrow(/UNIQUE/)
    expect(db.prepare('SELECT count(*) AS n FROM changes').get()).toEqual({ n: 12 })
    expect(db.prepare('SELECT count(*) AS n FROM revisions').get()).toEqual({ n: 12 })
  })

  it('keeps the old revision when an entry is updated, and moves the registry\'s last-updated date', () => {
    const { db, store } = seeded()
    const top = store.capabilities.get('TOP')!
    const { status: _s, registeredAt: _r, updatedAt: _u, ...fields } = top
    store.capabilities.publish({ ...fields, discussion: 'Revised.' }, { at: '2026-11-28T10:00:00.000Z', action: 'update' })
    expect(store.capabilities.get('TOP')).toMatchObject({ discussion: 'Revised.', registeredAt: '2001-06-29', updatedAt: '2026-11-28' })
    const revisions = db.prepare("SELECT count(*) AS n FROM revisions WHERE key = 'TOP'").get()
    expect(revisions).toEqual({ n: 2 })
    expect(store.registry.metadata()?.lastUpdated).toBe('2026-11-28')
    expect(store.capabilities.count()).toBe(10)
  })

  // Hot queries must stay index lookups however the schema changes.
  it('looks entries up by key and filters by state and command through indexes', () => {
    const { db } = seeded()
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((row) => row.detail).join('\n')
    expect(plan("SELECT revision_id FROM entries WHERE registry = 'capabilities' AND key = 'top'"))
      .toMatch(/SEARCH entries USING INDEX sqlite_autoindex_entries_\d \(registry=\? AND key=\?\)/)
    expect(plan("SELECT 1 FROM revision_terms WHERE kind = 'state' AND term = 'TRANSACTION' AND revision_id = 3"))
      .toMatch(/SEARCH revision_terms USING PRIMARY KEY \(revision_id=\? AND kind=\? AND term=\?\)/)
    expect(plan("SELECT key FROM entries WHERE registry = 'capabilities' AND registered_seq > 3 ORDER BY registered_seq"))
      .toMatch(/SEARCH entries USING COVERING INDEX entries_in_order \(registry=\? AND registered_seq>\?\)/)
    // q scans the covering index alone, never the entry documents
    expect(plan("SELECT registered_seq FROM entries e WHERE registry = 'capabilities' AND (key LIKE '%a%' OR description LIKE '%a%') ORDER BY registered_seq"))
      .toMatch(/^SEARCH e USING COVERING INDEX entries_in_order \(registry=\?\)$/)
    // asOf: the day's first change and revision, then one seek per listed entry
    expect(plan("SELECT seq FROM changes WHERE at >= '2010-01-01' ORDER BY at, seq LIMIT 1")).toMatch(/SEARCH changes USING COVERING INDEX changes_by_time \(at>\?\)/)
    expect(plan('SELECT id FROM revisions WHERE change_seq >= 5 ORDER BY change_seq LIMIT 1')).toMatch(/SEARCH revisions USING (COVERING )?INDEX sqlite_autoindex_revisions_\d \(change_seq>\?\)/)
    expect(plan("SELECT max(id) FROM revisions WHERE registry = 'capabilities' AND key = 'TOP' AND id < 9"))
      .toMatch(/SEARCH revisions USING COVERING INDEX revisions_by_key \(registry=\? AND key=\? AND (?:rowid|id)<\?\)/)
    expect(plan('SELECT seq FROM changes WHERE seq > 5 ORDER BY seq LIMIT 100')).toMatch(/SEARCH changes USING INTEGER PRIMARY KEY \(rowid>\?\)/)
    // state and command on the current entries: one range of entry_terms each; an update finds its rows by position
    expect(plan("SELECT registered_seq FROM entry_terms WHERE registry = 'capabilities' AND kind = 'state' AND term = 'UPDATE' AND registered_seq > 5 ORDER BY registered_seq"))
      .toMatch(/^SEARCH entry_terms USING PRIMARY KEY \(registry=\? AND kind=\? AND term=\? AND registered_seq>\?\)$/)
    expect(plan("DELETE FROM entry_terms WHERE registry = 'capabilities' AND kind = 'state' AND term = 'UPDATE' AND registered_seq = 5"))
      .toMatch(/^SEARCH entry_terms USING PRIMARY KEY \(registry=\? AND kind=\? AND term=\? AND registered_seq=\?\)$/)
  })
})

describe('migration 9', () => {
  it('records what the registry knows of RFCs as one load, dated at its latest change, and no load when it knows none', () => {
    const db = new BetterSqlite3(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, 8)
    db.exec(`INSERT INTO sub_registries VALUES ('capabilities', 0, 'POP3 capabilities', NULL, 'p', '[]', '[]');
             INSERT INTO changes (at, registry, key, action) VALUES ('2001-06-29T00:00:00.000Z', 'capabilities', 'TOP', 'register'),
               ('2005-03-01T00:00:00.000Z', 'capabilities', 'TOP', 'update');
             INSERT INTO rfcs VALUES (1939, 'Post Office Protocol - Version 3', 'INTERNET STANDARD', NULL), (2449, 'POP3 Extension Mechanism', 'PROPOSED STANDARD', NULL);`)
    const rfcs = db.prepare('SELECT * FROM rfcs ORDER BY number').all()
    migrate(db, 9)
    expect(db.prepare('SELECT seq, at, changed FROM rfc_loads').all()).toEqual([{ seq: 1, at: '2005-03-01T00:00:00.000Z', changed: 2 }])
    expect(db.prepare('SELECT * FROM rfcs ORDER BY number').all()).toEqual(rfcs)
    db.close()

    const empty = new BetterSqlite3(':memory:')
    migrate(empty, 8)
    migrate(empty, 9)
    expect(empty.prepare('SELECT count(*) FROM rfc_loads').pluck().get()).toBe(0)
    empty.close()
  })
})
