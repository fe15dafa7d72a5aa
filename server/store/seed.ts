import { readFileSync } from 'node:fs'
import { RfcStatusSeedSchema } from '../../schema/rfc.ts'
import { LaterRegistrationsSchema, SeedSchema, type LaterRegistrations, type Seed, type SeedName } from '../../schema/seed.ts'
import { projectFile } from '../project-files.ts'
import type { Store } from './index.ts'

const SEED_FILE = projectFile('seed/initial-set.json')
const LATER_FILE = projectFile('seed/later-registrations.json')
const RFC_STATUS_FILE = projectFile('seed/rfc-status.json')

export function loadSeed(): Seed {
  return SeedSchema.parse(JSON.parse(readFileSync(SEED_FILE, 'utf8')))
}

export function loadLaterRegistrations(): LaterRegistrations {
  return LaterRegistrationsSchema.parse(JSON.parse(readFileSync(LATER_FILE, 'utf8')))
}

const startOf = (day: string) => `${day}T00:00:00.000Z`

/**
 * Writes the initial set into an empty registry, every entry as a revision dated the source's
 * last-updated day, then (seed "current") each of IANA's later registrations as a revision on its
 * own day. Does nothing to a registry that already exists, whatever the seed; returns whether it seeded.
 */
export function seedIfEmpty(store: Store, name: SeedName = 'current', given?: Seed): boolean {
  // Most starts open a registry that exists: no write lock and no seed file for them.
  if (store.rfcs.count() > 0 && store.registry.metadata()) return false
  // IMMEDIATE takes the write lock first, so two processes starting at once cannot both seed.
  return store.db.transaction(() => {
    // The RFC statuses came later than the registry (migration 2): a registry may have none yet.
    const rfcs = store.rfcs.count() === 0 ? RfcStatusSeedSchema.parse(JSON.parse(readFileSync(RFC_STATUS_FILE, 'utf8'))).rfcs : []
    // Dated at the registry's latest change: statuses shipped with the program move no Last-Modified.
    const loadRfcs = () => store.rfcs.load(rfcs, store.changes.latest().at ?? new Date().toISOString())
    if (store.registry.metadata()) {
      loadRfcs()
      return false
    }
    const seed = given ?? loadSeed()
    const later = name === 'current' ? loadLaterRegistrations() : undefined
    store.registry.create(later
      ? { ...seed.registry, bibliography: [...seed.registry.bibliography, ...later.bibliography] }
      : seed.registry)
    const change = { at: startOf(seed.registry.lastUpdated), action: 'register' } as const
    for (const { entry } of seed.capabilities) store.capabilities.publish(entry, change)
    for (const { entry } of seed.responseCodes) store.responseCodes.publish(entry, change)
    if (later) {
      for (const revision of later.revisions) {
        const later = { at: startOf(revision.date), action: revision.action, note: revision.note }
        if (revision.kind === 'capability') store.capabilities.publish(revision.entry, later)
        else store.responseCodes.publish(revision.entry, later)
      }
    }
    loadRfcs()
    return true
  }).immediate()
}
