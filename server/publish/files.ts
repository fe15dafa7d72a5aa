import { createHash } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../store/database.ts'
import { createStore, type Store } from '../store/index.ts'
import type { Chunks } from './render.ts'

/** A publication rendered at one registry version: in memory when small, in a file when not. */
export interface Rendered {
  version: number
  lastChangedAt: string | undefined
  etag: string
  size: number
  body?: Buffer
  path?: string
}

// Up to this size a rendering stays in memory; past it, it goes to a file and is streamed.
const IN_MEMORY = 1 << 20
// How much is written between two turns of the event loop, so that other requests go on.
const SLICE = 256 * 1024
// Renderings kept besides the latest of each download: those of past days (asOf), least
// recently asked for out first, so that asking for many days cannot fill the disk or memory.
export const KEPT_RENDERINGS = 8

// A server's folder is named after its process, so that one killed (kill -9 closes nothing) can be
// told from one still running: pop3-registry-publications-<pid>-<random>.
const FOLDER_PREFIX = 'pop3-registry-publications-'

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes the folders that servers killed without closing left behind. */
export function removeStaleFolders(root = tmpdir()) {
  for (const name of readdirSync(root)) {
    if (!name.startsWith(FOLDER_PREFIX)) continue
    const pid = Number(/^(\d+)-/.exec(name.slice(FOLDER_PREFIX.length))?.[1])
    if (pid > 0 && pid !== process.pid && !isRunning(pid)) rmSync(join(root, name), { recursive: true, force: true })
  }
}

/**
 * The downloads (CSV, XML, text, JSON), each rendered once per registry version and kept until
 * the registry changes (then every rendering of the older version goes); those of past days are
 * kept KEPT_RENDERINGS at most. A file database is read for them through a read-only connection of their
 * own inside one read transaction: a consistent snapshot, written out slice by slice while the
 * server goes on answering. An in-memory database (tests) is rendered at once on the main connection.
 */
// eslint-disable-next-line max-lines-per-function -- a module in closure form: the files' state and the short functions over it
export function createPublicationFiles(db: Database, store: Store) {
  removeStaleFolders()
  const dir = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`))
  // In the order they were last asked for, oldest first.
  const current = new Map<string, Rendered>()
  const building = new Map<string, Promise<Rendered>>()
  let reader: { db: Database, store: Store } | undefined
  let queue: Promise<unknown> = Promise.resolve()

  function readerStore() {
    if (!reader) {
      const readDb = new BetterSqlite3(db.name, { readonly: true, fileMustExist: true })
      readDb.pragma('busy_timeout = 5000')
      reader = { db: readDb, store: createStore(readDb) }
    }
    return reader
  }

  async function write(name: string, source: Store, render: (store: Store) => Chunks, pause: boolean): Promise<Rendered> {
    const { seq, at } = source.changes.latest()
    const hash = createHash('sha1')
    const held: Buffer[] = []
    let size = 0
    let fd: number | undefined
    const path = join(dir, `${name.replace(/\W+/g, '_')}-${seq}`)
    let sinceTurn = 0
    // Chunks are gathered into slices before they become bytes: far fewer, larger buffers.
    let gathered = ''
    const slices = function* () {
      for (const chunk of render(source)) {
        gathered += chunk
        if (gathered.length >= 64 * 1024) {
          yield gathered
          gathered = ''
        }
      }
      if (gathered) yield gathered
    }
    try {
      for (const chunk of slices()) {
        const bytes = Buffer.from(chunk)
        hash.update(bytes)
        size += bytes.length
        if (fd === undefined) {
          held.push(bytes)
          if (size > IN_MEMORY) {
            fd = openSync(path, 'w')
            for (const part of held.splice(0)) writeSync(fd, part)
          }
        } else {
          writeSync(fd, bytes)
        }
        sinceTurn += bytes.length
        if (pause && sinceTurn > SLICE) {
          sinceTurn = 0
          await nextTurn()
        }
      }
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
    const etag = `"${hash.digest('base64url')}"`
    return fd === undefined
      ? { version: seq, lastChangedAt: at, etag, size, body: Buffer.concat(held) }
      : { version: seq, lastChangedAt: at, etag, size, path }
  }

  async function build(name: string, render: (store: Store) => Chunks): Promise<Rendered> {
    // Nothing else runs while an in-memory database is rendered without pauses: a consistent read.
    if (db.memory) return write(name, store, render, false)
    // One rendering at a time: they share the read connection and its transaction.
    const run = queue.then(async () => {
      const { db: readDb, store: readStore } = readerStore()
      readDb.exec('BEGIN')
      try {
        return await write(name, readStore, render, true)
      } finally {
        readDb.exec('COMMIT')
      }
    })
    queue = run.catch(() => {})
    return run
  }

  // A file being sent stays readable: the response opened it before it was unlinked. Two builds
  // of one name can read the same version and so write the same path: the newer one stays.
  function forget(name: string, keepPath?: string) {
    const old = current.get(name)
    current.delete(name)
    if (old?.path && old.path !== keepPath) unlinkSync(old.path)
  }

  return {
    /** The names of the renderings kept, oldest asked for first (for tests). */
    kept: () => [...current.keys()],

    /** The rendering for the registry as it is now, building it if the registry has changed. */
    async get(name: string, render: (store: Store) => Chunks): Promise<Rendered> {
      const version = store.version().seq
      const have = current.get(name)
      if (have && have.version === version) {
        current.delete(name)
        current.set(name, have)
        return have
      }
      const key = `${name}@${version}`
      let pending = building.get(key)
      if (!pending) {
        pending = build(name, render).then((rendered) => {
          forget(name, rendered.path)
          current.set(name, rendered)
          let pastDays = 0
          for (const [kept, { version: keptVersion }] of [...current].reverse()) {
            if (keptVersion < rendered.version || (kept.includes('?asOf=') && ++pastDays > KEPT_RENDERINGS)) forget(kept)
          }
          return rendered
        }).finally(() => building.delete(key))
        building.set(key, pending)
      }
      return pending
    },

    close() {
      reader?.db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type PublicationFiles = ReturnType<typeof createPublicationFiles>
