import type { Store } from '../store/index.ts'
import { takeSnapshot, type Snapshot } from './snapshot.ts'

/**
 * Rendered bodies, each built once per registry version. The version is the latest change's
 * sequence number, read on every use, so a change made by any transaction, in this process or
 * another, empties the cache before the next read.
 */
export function createPublicationCache(store: Store) {
  let version = -1
  let snapshot: Snapshot | undefined
  const bodies = new Map<string, string>()

  function current(): Snapshot {
    const latest = store.changes.latestSeq()
    if (latest !== version || !snapshot) {
      bodies.clear()
      snapshot = takeSnapshot(store)
      version = snapshot.version
    }
    return snapshot
  }

  return {
    snapshot: current,
    body(name: string, render: (snapshot: Snapshot) => string): string {
      const at = current()
      let body = bodies.get(name)
      if (body === undefined) {
        body = render(at)
        bodies.set(name, body)
      }
      return body
    },
  }
}

export type PublicationCache = ReturnType<typeof createPublicationCache>
