import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { HistoryItemSchema } from '../../schema/export.ts'
import { RfcListSchema } from '../../schema/rfc.ts'
import { importRegistry, replayChange } from '../publish/import.ts'
import type { Store } from '../store/index.ts'

export interface FollowerStatus {
  primary: string
  /** Whether this replica holds a registry yet (copied from the primary's export). */
  bootstrapped: boolean
  /** Changes the primary last reported that this replica does not hold. */
  lagChanges: number
  /** Seconds since this replica last knew it held every change of the primary; 0 while it does. */
  lagSeconds: number
  ready: boolean
  /** Why it is not ready. */
  reason?: string
}

interface Log {
  info(object: object, message: string): void
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

export interface FollowerOptions {
  /** The primary's base URL, e.g. http://10.0.0.1:8080 */
  primary: string
  store: Store
  /** Behind for longer than this, the replica reports itself not ready. */
  maxLagSeconds: number
  log: Log
  /** Pause between two attempts while the primary does not answer. */
  retryMs?: number
}

/** What the follower asks the feed for: every change with the entry as it became. */
const FollowedFeedSchema = z.object({ items: z.array(HistoryItemSchema), latest: z.number().int().min(0) })

const BATCH = 1000

/**
 * A read-only replica's link to its primary. It copies the primary's JSON export into an empty
 * database (history and all, checked by the import), then long-polls the primary's change feed
 * with include=entry and replays each change with its own sequence number and date, so that every
 * read of the replica has the primary's bytes and so its ETags; before each poll it asks whether
 * the primary's RFC statuses changed (GET /v1/rfcs with If-None-Match) and copies them if so. Restarted on an old file, it asks
 * for what came after the last change it holds.
 */
// eslint-disable-next-line max-lines-per-function -- a module in closure form: the link's state and the short functions over it
export function createFollower({ primary, store, maxLagSeconds, log, retryMs = 1000 }: FollowerOptions) {
  const base = primary.replace(/\/+$/, '')
  // The primary answers a long poll when a change comes, so a poll still open that began with
  // nothing missing means nothing is missing now. It waits well under the lag allowed, so that a
  // primary that vanishes without closing the connection is noticed in time.
  const waitSeconds = Math.max(1, Math.min(30, Math.floor(maxLagSeconds / 2)))
  const startedAt = Date.now()
  const stopping = new AbortController()
  let primaryLatest = store.changes.latest().seq
  let currentAt: number | undefined
  let pollOpenSince: number | undefined
  let trouble: string | undefined = 'has not reached its primary yet'
  let failing = false
  let running: Promise<void> | undefined
  // The ETag of the primary's RFC statuses last copied: asked again with If-None-Match, a 304 costs the primary little.
  let rfcsEtag: string | undefined

  async function getJson(path: string, timeoutMs: number): Promise<unknown> {
    const response = await fetch(`${base}${path}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]),
    })
    if (!response.ok) throw new Error(`${path} answered ${response.status}`)
    return response.json()
  }

  async function bootstrap() {
    const document = await getJson('/v1/registry.json', 600_000)
    const counts = importRegistry(store, document)
    log.info({ primary: base, ...counts }, 'copied the registry from the primary')
  }

  /**
   * Copies the primary's RFC statuses (which registry.json carries) when they changed, dated at the
   * primary's load, so that this replica's registry.json keeps the primary's bytes and Last-Modified.
   * A load moves no change seq and so does not end a long poll: it is learnt at the next poll.
   */
  async function copyRfcs() {
    const response = await fetch(`${base}/v1/rfcs`, {
      headers: { accept: 'application/json', ...(rfcsEtag === undefined ? {} : { 'if-none-match': rfcsEtag }) },
      signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(60_000)]),
    })
    if (response.status === 304) return
    // A primary older than /v1/rfcs: its statuses stay as the bootstrap copied them.
    if (response.status === 404) {
      await response.body?.cancel()
      return
    }
    if (!response.ok) throw new Error(`/v1/rfcs answered ${response.status}`)
    const list = RfcListSchema.parse(await response.json())
    const changed = store.rfcs.follow(list.items, list.loadedAt)
    if (changed > 0) log.info({ primary: base, changed, loadedAt: list.loadedAt }, 'copied RFC statuses from the primary')
    rfcsEtag = response.headers.get('etag') ?? undefined
  }

  /** Asks for the changes after the last one held, applies them in one transaction, and returns. */
  async function pull() {
    const since = store.changes.latest().seq
    // Until the first answer says how far the primary is, ask without waiting.
    const wait = currentAt === undefined ? 0 : waitSeconds
    // Only a poll that follows an answer without a failure between can vouch for the present.
    pollOpenSince = currentAt !== undefined && !failing && since >= primaryLatest ? Date.now() : undefined
    // Counted in the poll: a change that comes meanwhile is in the poll's answer, at once.
    await copyRfcs()
    const feed = FollowedFeedSchema.parse(await getJson(
      `/v1/changes?since=${since}&limit=${BATCH}&include=entry&wait=${wait}`, (wait + 10) * 1000))
    store.db.transaction(() => {
      for (const change of feed.items) if (change.seq > store.changes.latest().seq) replayChange(store, change)
    }).immediate()
    primaryLatest = feed.latest
    const held = store.changes.latest().seq
    if (held > primaryLatest) {
      throw new Error(`this replica holds change ${held} but the primary's latest is ${primaryLatest}: `
        + 'its file was not copied from this primary, or the primary was restored from an older backup')
    }
    if (held === primaryLatest) currentAt = Date.now()
    pollOpenSince = undefined
  }

  async function run() {
    while (!stopping.signal.aborted) {
      try {
        if (!store.ready()) await bootstrap()
        await pull()
        if (failing) log.info({ primary: base }, 'reached the primary again')
        failing = false
        trouble = undefined
      } catch (error) {
        if (stopping.signal.aborted) break
        // Current as of the last answer, no later: the primary may have changed since.
        pollOpenSince = undefined
        trouble = `cannot follow ${base}: ${(error as Error).message}`
        if (!failing) log.warn({ primary: base, err: error }, 'cannot follow the primary; serving what this replica holds')
        failing = true
        await sleep(retryMs, undefined, { signal: stopping.signal }).catch(() => {})
      }
    }
  }

  // Once a registry is copied it stays: remembered, so that each request does not ask the database.
  let copied = false
  const holdsRegistry = () => (copied ||= store.ready())

  return {
    primary: base,
    holdsRegistry,
    status(now = Date.now()): FollowerStatus {
      const bootstrapped = holdsRegistry()
      const lagChanges = Math.max(0, primaryLatest - store.changes.latest().seq)
      const openAndCurrent = pollOpenSince !== undefined && now - pollOpenSince <= (waitSeconds + 2) * 1000
      const lagSeconds = openAndCurrent ? 0 : Math.max(0, now - (currentAt ?? startedAt)) / 1000
      let reason: string | undefined
      if (!bootstrapped) reason = `has not copied the registry from ${base} yet${trouble ? ` (${trouble})` : ''}`
      else if (currentAt === undefined) reason = `has not reached ${base} since it started${trouble ? ` (${trouble})` : ''}`
      else if (lagSeconds > maxLagSeconds) reason = `behind ${base} for ${lagSeconds.toFixed(1)} s, more than FOLLOW_MAX_LAG=${maxLagSeconds}${trouble ? ` (${trouble})` : ''}`
      return { primary: base, bootstrapped, lagChanges, lagSeconds, ready: reason === undefined, ...(reason === undefined ? {} : { reason }) }
    },
    start() {
      running ??= run()
    },
    async stop() {
      stopping.abort()
      await running
    },
  }
}

export type Follower = ReturnType<typeof createFollower>
