import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type { Database } from '../store/database.ts'
import { sameVersion, type Store } from '../store/index.ts'
import { RENDERERS, renderingName, type Renderers, type RenderingOf } from './downloads.ts'
import { renderInWorker } from './render-in-worker.ts'
import { writeRendering, type Rendered } from './rendering.ts'

// Renderings kept besides the latest of each download: those of past days (asOf), least
// recently asked for out first, so that asking for many days cannot fill the disk or memory.
export const KEPT_RENDERINGS = 8
// Up to this many changes (the history the JSON download carries; entries are fewer), a rendering
// takes tens of milliseconds: less than starting a worker.
const RENDERED_AT_ONCE = 250

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
 * The downloads (CSV, XML, text, JSON), each rendered once per registry version (its latest change
 * and latest RFC load: registry.json carries the statuses) and kept until that version moves (then
 * every rendering of the older version goes); those of past days are kept KEPT_RENDERINGS at most.
 *
 * A small registry is rendered at once on the main thread, which is a consistent read since
 * nothing else runs meanwhile; so is an in-memory one (tests), which no other connection can open.
 * A larger file database is rendered in a worker thread, on a read-only connection of its own
 * inside one read transaction: a consistent snapshot, while the server goes on answering, and
 * the rendering's garbage stays in the worker's bounded heap instead of swelling the server's.
 * `renderers` are the real ones but in tests.
 */
export function createPublicationFiles(db: Database, store: Store, { renderers = RENDERERS, atOnce = RENDERED_AT_ONCE }: { renderers?: Renderers, atOnce?: number } = {}) {
  removeStaleFolders()
  const dir = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`))
  // In the order they were last asked for, oldest first.
  const current = new Map<string, Rendered>()
  const building = new Map<string, Promise<Rendered>>()
  const workers = new Set<Worker>()
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  function build(of: RenderingOf, name: string): Promise<Rendered> {
    const { seq, rfcLoad } = store.version()
    const path = join(dir, `${name.replace(/\W+/g, '_')}-${seq}-${rfcLoad}`)
    if (db.memory || seq <= atOnce) return Promise.resolve(writeRendering(store, renderers[of.url], of.asOf, path))
    // One rendering at a time, so that their memory does not add up.
    const run = queue.then(() => {
      if (closed) throw new Error(`the server closed before ${name} was rendered`)
      return renderInWorker({ dbPath: db.name, url: of.url, asOf: of.asOf, path }, workers)
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
    async get(of: RenderingOf): Promise<Rendered> {
      const name = renderingName(of)
      const version = store.version()
      const have = current.get(name)
      if (have && sameVersion(have.version, version)) {
        current.delete(name)
        current.set(name, have)
        return have
      }
      const key = `${name}@${version.seq}.${version.rfcLoad}`
      let pending = building.get(key)
      if (!pending) {
        pending = build(of, name).then((rendered) => {
          forget(name, rendered.path)
          current.set(name, rendered)
          let pastDays = 0
          for (const [kept, { version: keptVersion }] of [...current].reverse()) {
            const older = keptVersion.seq < rendered.version.seq || keptVersion.rfcLoad < rendered.version.rfcLoad
            if (older || (kept.includes('?asOf=') && ++pastDays > KEPT_RENDERINGS)) forget(kept)
          }
          return rendered
        }).finally(() => building.delete(key))
        building.set(key, pending)
      }
      return pending
    },

    async close() {
      closed = true
      await Promise.all([...workers].map((worker) => worker.terminate()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type PublicationFiles = ReturnType<typeof createPublicationFiles>
