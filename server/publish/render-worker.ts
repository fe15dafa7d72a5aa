// A worker thread that renders one download of a file database and ends: its heap, where a large
// registry's rendering makes its garbage, is the worker's own, bounded, and freed when it ends.
import { parentPort, workerData } from 'node:worker_threads'
import BetterSqlite3 from 'better-sqlite3'
import { createStore } from '../store/index.ts'
import { RENDERERS } from './downloads.ts'
import type { RenderJob } from './render-in-worker.ts'
import { writeRendering } from './rendering.ts'

const { dbPath, url, asOf, path } = workerData as RenderJob
const db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true })
db.pragma('busy_timeout = 5000')
try {
  // One read transaction: the rendering is a consistent snapshot while the server writes on.
  db.exec('BEGIN')
  parentPort!.postMessage(writeRendering(createStore(db), RENDERERS[url], asOf, path))
  db.exec('COMMIT')
} finally {
  db.close()
}
