/** How often a waiting long poll looks at the registry's version: another process may have written. */
const LOOK_EVERY_MS = 100

interface Waiter { since: number, timer: NodeJS.Timeout, resolve: () => void }

/**
 * Long polls of the change feed: each waits until the registry's latest change passes the seq it
 * asked after, or until its time runs out. One timer looks at the version for all of them, and only
 * while some wait; the version moves with writes by any process (PRAGMA data_version), so an
 * approval made through another server on the same file ends the wait too.
 */
export function createChangeWaiter(latestSeq: () => number) {
  const waiting = new Set<Waiter>()
  let looking: NodeJS.Timeout | undefined

  function finish(waiter: Waiter) {
    if (!waiting.delete(waiter)) return
    clearTimeout(waiter.timer)
    waiter.resolve()
    if (waiting.size === 0 && looking) {
      clearInterval(looking)
      looking = undefined
    }
  }

  function look() {
    const seq = latestSeq()
    for (const waiter of waiting) if (seq > waiter.since) finish(waiter)
  }

  return {
    /**
     * Resolves once a change after `since` exists, after `ms`, when `gone` fires (the client left),
     * or at shutdown; the caller then reads the feed as it is.
     */
    wait(since: number, ms: number, gone?: { once(event: 'close', listener: () => void): unknown }): Promise<void> {
      if (ms <= 0 || latestSeq() > since) return Promise.resolve()
      return new Promise((resolve) => {
        const waiter: Waiter = { since, resolve, timer: setTimeout(() => finish(waiter), ms) }
        waiting.add(waiter)
        looking ??= setInterval(look, LOOK_EVERY_MS)
        gone?.once('close', () => finish(waiter))
      })
    },
    /** Ends every wait now: at shutdown, so that long polls do not hold the server open. */
    releaseAll() {
      for (const waiter of waiting) finish(waiter)
    },
    get waiting() {
      return waiting.size
    },
  }
}

export type ChangeWaiter = ReturnType<typeof createChangeWaiter>
