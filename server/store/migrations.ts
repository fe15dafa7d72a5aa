import type { Database } from 'better-sqlite3'

/**
 * The schema's history, oldest first. Step N takes the database from user_version N-1 to N;
 * a released step is never edited, only followed by a new one.
 */
export const migrations: ReadonlyArray<(db: Database) => void> = [
  // eslint-disable-next-line max-lines-per-function -- migration 1 as it shipped: a frozen snapshot of the schema
  function createRegistry(db) {
    db.exec(`
      CREATE TABLE registry (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        note TEXT NOT NULL,
        last_updated TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sub_registries (
        id TEXT PRIMARY KEY CHECK (id IN ('capabilities', 'response-codes')),
        position INTEGER NOT NULL UNIQUE,
        title TEXT NOT NULL,
        policy TEXT,
        registration_procedure TEXT NOT NULL,
        required_fields TEXT NOT NULL CHECK (json_valid(required_fields)),
        optional_fields TEXT NOT NULL CHECK (json_valid(optional_fields))
      ) STRICT;

      CREATE TABLE bibliography (
        id TEXT PRIMARY KEY COLLATE NOCASE,
        position INTEGER NOT NULL UNIQUE,
        citation TEXT NOT NULL
      ) STRICT;

      -- Every change to either sub-registry, in order: the change feed.
      CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        key TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('register', 'update')),
        registration_id TEXT
      ) STRICT;

      -- Each entry as it became at one change. The entry document is kept whole, as published;
      -- what the API filters on is copied into typed columns here and into revision_terms.
      CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        change_seq INTEGER NOT NULL UNIQUE REFERENCES changes(seq),
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        key TEXT NOT NULL COLLATE NOCASE,
        status TEXT NOT NULL CHECK (status IN ('active', 'deprecated')),
        description TEXT NOT NULL,
        entry TEXT NOT NULL CHECK (json_valid(entry))
      ) STRICT;
      CREATE INDEX revisions_by_key ON revisions (registry, key, id);

      -- The states and commands of each revision, for the state and command filters.
      -- A command term of '*' stands for "all commands".
      CREATE TABLE revision_terms (
        kind TEXT NOT NULL CHECK (kind IN ('state', 'command')),
        term TEXT NOT NULL COLLATE NOCASE,
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        PRIMARY KEY (kind, term, revision_id)
      ) STRICT, WITHOUT ROWID;

      -- The published registry: one row per key, pointing at its latest revision.
      CREATE TABLE entries (
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        key TEXT NOT NULL COLLATE NOCASE,
        registered_seq INTEGER NOT NULL UNIQUE REFERENCES changes(seq),
        revision_id INTEGER NOT NULL UNIQUE REFERENCES revisions(id),
        PRIMARY KEY (registry, key)
      ) STRICT;
      CREATE INDEX entries_in_order ON entries (registry, registered_seq);
    `)
  },

  function addRegistrations(db) {
    db.exec(`
      -- API tokens: only a hash of each secret is kept; the secret is shown once, when made.
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('submitter', 'reviewer', 'admin')),
        secret_sha256 BLOB NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;

      CREATE TABLE registrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('capability', 'response-code')),
        action TEXT NOT NULL CHECK (action IN ('register', 'update')),
        key TEXT NOT NULL COLLATE NOCASE,
        entry TEXT NOT NULL CHECK (json_valid(entry)),
        warnings TEXT NOT NULL CHECK (json_valid(warnings)),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        submitter TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT,
        change_seq INTEGER REFERENCES changes(seq)
      ) STRICT;
      CREATE INDEX registrations_by_status ON registrations (status, id);
      CREATE INDEX registrations_by_submitter ON registrations (submitter, id);

      -- What the registry knows of RFCs' status, for the reference warnings; rfc-index.xml can refresh it.
      CREATE TABLE rfcs (
        number INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        obsoleted_by TEXT
      ) STRICT;

      -- The revisions as of a day: the latest revision of each key before a moment.
      CREATE INDEX changes_by_time ON changes (at);
    `)
  },

  function searchEntriesWithoutRevisions(db) {
    // The lists filter and count the current entries alone: each keeps its description (what q
    // searches) beside it, and one covering index holds everything a list scan reads.
    db.exec(`
      ALTER TABLE entries ADD COLUMN description TEXT NOT NULL DEFAULT '';
      UPDATE entries SET description = (SELECT r.description FROM revisions r WHERE r.id = entries.revision_id);
      DROP INDEX entries_in_order;
      CREATE INDEX entries_in_order ON entries (registry, registered_seq, key, description, revision_id);
    `)
  },

  function deprecationsNotesAndIdempotency(db) {
    // SQLite cannot widen a CHECK in place: changes and registrations are rebuilt (their rows
    // copied as they are) to admit the "deprecate" action. migrate() turns foreign keys off
    // around this step, as SQLite's table-rebuild procedure asks, and checks them before commit.
    db.exec(`
      CREATE TABLE changes_next (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        key TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('register', 'update', 'deprecate')),
        registration_id TEXT
      ) STRICT;
      INSERT INTO changes_next (seq, at, registry, key, action, registration_id)
        SELECT seq, at, registry, key, action, registration_id FROM changes;
      DROP TABLE changes;
      ALTER TABLE changes_next RENAME TO changes;
      CREATE INDEX changes_by_time ON changes (at);

      -- Why a revision was made: the provenance of a seeded one, the reason of a deprecation.
      ALTER TABLE revisions ADD COLUMN note TEXT;
      -- The key that replaces a deprecated entry, if any.
      ALTER TABLE revisions ADD COLUMN replaced_by TEXT;

      CREATE TABLE registrations_next (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('capability', 'response-code')),
        action TEXT NOT NULL CHECK (action IN ('register', 'update', 'deprecate')),
        key TEXT NOT NULL COLLATE NOCASE,
        entry TEXT NOT NULL CHECK (json_valid(entry)),
        warnings TEXT NOT NULL CHECK (json_valid(warnings)),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        submitter TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT,
        change_seq INTEGER REFERENCES changes(seq),
        -- A deprecation's reason and replacement: { reason, replacedBy? }.
        deprecation TEXT CHECK (deprecation IS NULL OR json_valid(deprecation)),
        -- The SHA-256 of the registration as submitted (normalized), to know a repeated body.
        body_sha256 TEXT,
        idempotency_key TEXT
      ) STRICT;
      INSERT INTO registrations_next (id, kind, action, key, entry, warnings, status, submitter, submitted_at,
                                      decided_by, decided_at, reason, change_seq)
        SELECT id, kind, action, key, entry, warnings, status, submitter, submitted_at,
               decided_by, decided_at, reason, change_seq FROM registrations;
      DROP TABLE registrations;
      ALTER TABLE registrations_next RENAME TO registrations;
      CREATE INDEX registrations_by_status ON registrations (status, id);
      CREATE INDEX registrations_by_submitter ON registrations (submitter, id);
      CREATE UNIQUE INDEX registrations_by_idempotency_key ON registrations (submitter, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX registrations_pending_by_body ON registrations (submitter, body_sha256) WHERE status = 'pending';
    `)
  },

  function datedReferences(db) {
    // The day a reference was first cited, for those added after the initial set (NULL for
    // those), so that the registry as of a day lists only the references it cited by then.
    db.exec('ALTER TABLE bibliography ADD COLUMN since TEXT')
  },

  function currentTermsOfEntries(db) {
    // The state and command filters read the terms of each entry's current revision. Probing
    // revision_terms once per entry costs a seek for every entry of the sub-registry; this table
    // holds the current terms alone, keyed so that one filter is one range of its primary key, in
    // registration order. Every publish rewrites an entry's rows in the transaction that moves it.
    db.exec(`
      CREATE TABLE entry_terms (
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        kind TEXT NOT NULL CHECK (kind IN ('state', 'command')),
        term TEXT NOT NULL COLLATE NOCASE,
        registered_seq INTEGER NOT NULL REFERENCES entries(registered_seq),
        PRIMARY KEY (registry, kind, term, registered_seq)
      ) STRICT, WITHOUT ROWID;
      -- An update replaces its entry's rows.
      CREATE INDEX entry_terms_by_entry ON entry_terms (registered_seq);
      INSERT INTO entry_terms (registry, kind, term, registered_seq)
        SELECT e.registry, t.kind, t.term, e.registered_seq
        FROM entries e JOIN revision_terms t ON t.revision_id = e.revision_id;

      -- How many current entries hold each term: a list filtered by one state or command is
      -- counted without walking its range. Triggers keep it in step with entry_terms.
      CREATE TABLE entry_term_counts (
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        kind TEXT NOT NULL CHECK (kind IN ('state', 'command')),
        term TEXT NOT NULL COLLATE NOCASE,
        entries INTEGER NOT NULL CHECK (entries >= 0),
        PRIMARY KEY (registry, kind, term)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO entry_term_counts (registry, kind, term, entries)
        SELECT registry, kind, term, count(*) FROM entry_terms GROUP BY registry, kind, term;
      CREATE TRIGGER entry_terms_counted AFTER INSERT ON entry_terms BEGIN
        INSERT INTO entry_term_counts (registry, kind, term, entries) VALUES (NEW.registry, NEW.kind, NEW.term, 1)
          ON CONFLICT DO UPDATE SET entries = entries + 1;
      END;
      CREATE TRIGGER entry_terms_uncounted AFTER DELETE ON entry_terms BEGIN
        UPDATE entry_term_counts SET entries = entries - 1
          WHERE registry = OLD.registry AND kind = OLD.kind AND term = OLD.term;
      END;
    `)
  },

  function termsCountedByTheirWriter(db) {
    // Publishing an entry wrote its terms through two triggers and an index by entry: a trigger
    // runs as a sub-program and makes its statement keep a statement journal, and the index was one
    // more page to write per entry. The entry store now counts the terms it writes, and removes an
    // updated entry's old terms by their primary keys, which it knows from the old revision.
    db.exec(`
      DROP TRIGGER entry_terms_counted;
      DROP TRIGGER entry_terms_uncounted;
      DROP INDEX entry_terms_by_entry;
    `)
  },

  function fewerPagesPerWrite(db) {
    // Every b-tree a commit touches is at least one more 4 KiB page written to the WAL. Rebuilt
    // with their rows as they are:
    // - entries keyed by their position (registered_seq as the rowid, where it was a unique index
    //   beside the rowid), and revision_id no longer UNIQUE (nothing looks an entry up by it):
    //   two b-trees fewer for each registered entry, one fewer for each update;
    // - changes and registrations without AUTOINCREMENT, whose sqlite_sequence row was one more
    //   page in every approval and every submission. Neither table ever loses a row, so the next
    //   rowid is the largest plus one either way.
    db.exec(`
      CREATE TABLE changes_next (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        key TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('register', 'update', 'deprecate')),
        registration_id TEXT
      ) STRICT;
      INSERT INTO changes_next (seq, at, registry, key, action, registration_id)
        SELECT seq, at, registry, key, action, registration_id FROM changes ORDER BY seq;
      DROP TABLE changes;
      ALTER TABLE changes_next RENAME TO changes;
      CREATE INDEX changes_by_time ON changes (at);

      CREATE TABLE entries_next (
        registered_seq INTEGER PRIMARY KEY REFERENCES changes(seq),
        registry TEXT NOT NULL REFERENCES sub_registries(id),
        key TEXT NOT NULL COLLATE NOCASE,
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        description TEXT NOT NULL DEFAULT '',
        UNIQUE (registry, key)
      ) STRICT;
      INSERT INTO entries_next (registered_seq, registry, key, revision_id, description)
        SELECT registered_seq, registry, key, revision_id, description FROM entries ORDER BY registered_seq;
      DROP TABLE entries;
      ALTER TABLE entries_next RENAME TO entries;
      CREATE INDEX entries_in_order ON entries (registry, registered_seq, key, description, revision_id);

      CREATE TABLE registrations_next (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('capability', 'response-code')),
        action TEXT NOT NULL CHECK (action IN ('register', 'update', 'deprecate')),
        key TEXT NOT NULL COLLATE NOCASE,
        entry TEXT NOT NULL CHECK (json_valid(entry)),
        warnings TEXT NOT NULL CHECK (json_valid(warnings)),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        submitter TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT,
        change_seq INTEGER REFERENCES changes(seq),
        deprecation TEXT CHECK (deprecation IS NULL OR json_valid(deprecation)),
        body_sha256 TEXT,
        idempotency_key TEXT
      ) STRICT;
      INSERT INTO registrations_next (id, kind, action, key, entry, warnings, status, submitter, submitted_at,
                                      decided_by, decided_at, reason, change_seq, deprecation, body_sha256, idempotency_key)
        SELECT id, kind, action, key, entry, warnings, status, submitter, submitted_at,
               decided_by, decided_at, reason, change_seq, deprecation, body_sha256, idempotency_key FROM registrations ORDER BY id;
      DROP TABLE registrations;
      ALTER TABLE registrations_next RENAME TO registrations;
      CREATE INDEX registrations_by_status ON registrations (status, id);
      CREATE INDEX registrations_by_submitter ON registrations (submitter, id);
      CREATE UNIQUE INDEX registrations_by_idempotency_key ON registrations (submitter, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX registrations_pending_by_body ON registrations (submitter, body_sha256) WHERE status = 'pending';
    `)
  },

  function rfcLoadsRecorded(db) {
    // A load of RFC statuses that changed something, with its time: it moves the version the read
    // cache and the downloads are kept for (registry.json carries the statuses) and tells followers
    // to copy them again. What the registry already knows is dated at its latest change, so that no
    // Last-Modified moves on upgrade.
    db.exec(`
      CREATE TABLE rfc_loads (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        changed INTEGER NOT NULL
      ) STRICT;
      INSERT INTO rfc_loads (seq, at, changed)
        SELECT 1, coalesce((SELECT at FROM changes ORDER BY seq DESC LIMIT 1), strftime('%Y-%m-%dT%H:%M:%fZ')), count(*)
        FROM rfcs HAVING count(*) > 0;
    `)
  },

  function fewerPagesPerRegistration(db) {
    // Every b-tree a commit touches is at least one more page written to the WAL.
    // - revision_terms is only ever probed with all three of its columns (the state and command
    //   filters as of a day), so it is keyed by revision first: a new revision's terms are one run
    //   at the end of the b-tree, one page, where keyed by kind and term first they fell on a page
    //   for each kind. Nothing refers to it, so foreign keys may stay on while it is rebuilt.
    // - registrations_by_status cost a page in every submission and every approval. The pending
    //   queue reads the partial index of pending registrations (registrations_pending_by_body),
    //   and a list of another status walks the registrations in order.
    db.exec(`
      DROP INDEX registrations_by_status;
      CREATE TABLE revision_terms_next (
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        kind TEXT NOT NULL CHECK (kind IN ('state', 'command')),
        term TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (revision_id, kind, term)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO revision_terms_next (revision_id, kind, term)
        SELECT revision_id, kind, term FROM revision_terms ORDER BY revision_id, kind, term;
      DROP TABLE revision_terms;
      ALTER TABLE revision_terms_next RENAME TO revision_terms;
    `)
  },
]

/** Steps that rebuild tables, which SQLite asks to run with foreign keys off. */
export const REBUILDS_TABLES: ReadonlySet<number> = new Set([4, 8])

export const LATEST_VERSION = migrations.length
