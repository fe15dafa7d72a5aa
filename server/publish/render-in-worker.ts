import { Worker } from 'node:worker_threads'
import { projectFile } from '../project-files.ts'
import type { DownloadUrl } from './downloads.ts'
import type { Rendered } from './rendering.ts'

/** What a worker is told: which download of which database, and where a large one goes. */
export interface RenderJob {
  dbPath: string
  url: DownloadUrl
  asOf: string | undefined
  path: string
}

const FROM_SOURCES = import.meta.url.endsWith('.ts')
// Found through the project's folder: the server runs from a bundle of dist/, the worker from dist/ itself.
const WORKER = FROM_SOURCES ? new URL('./render-worker.ts', import.meta.url) : projectFile('dist/server/publish/render-worker.js')

// A rendering's own live data is small (it streams entry by entry); these bound the garbage it
// leaves between collections. A registry of 100,000 entries of each kind renders within them.
const LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 16 }

function start(job: RenderJob): Worker {
  const options = { workerData: job, resourceLimits: LIMITS }
  if (!FROM_SOURCES) return new Worker(WORKER, options)
  // Run from the sources (tests, `npm run dev`), the worker compiles them with tsx as its parent does.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}

/**
 * Renders a download in a worker thread of its own. `running` holds the worker while it works,
 * so that a server closing can stop it.
 */
export function renderInWorker(job: RenderJob, running: Set<Worker>): Promise<Rendered> {
  return new Promise((resolve, reject) => {
    const worker = start(job)
    running.add(worker)
    worker.once('message', (rendered: Rendered) => {
      // A Buffer crosses as the bytes of a Uint8Array.
      resolve(rendered.body ? { ...rendered, body: Buffer.from(rendered.body.buffer, rendered.body.byteOffset, rendered.body.byteLength) } : rendered)
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      running.delete(worker)
      reject(new Error(`the rendering of ${job.url} ended without a result (exit code ${code})`))
    })
  })
}
