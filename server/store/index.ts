import type { Database } from 'better-sqlite3'
import { createChangeStore } from './changes.ts'
import { createEntryStore } from './entries.ts'
import { capabilityKind, responseCodeKind } from './entry-kinds.ts'
import { createRegistrationStore } from './registrations.ts'
import { createRegistryStore } from './registry.ts'
import type { RegistryView } from './registry-view.ts'
import { createRfcStore } from './rfcs.ts'
import { generationOf } from './generation.ts'
import { LATEST_VERSION } from './migrations.ts'
import { createTokenStore } from './tokens.ts'
import type { PublishedRegistry } from '../publish/render.ts'

/**
 * The registry's version, which every read is kept for: its latest change (seq, at) and its latest
 * RFC load (registry.json carries the statuses); the read cache and the publication files key on it.
 */
export interface RegistryVersion { seq: number, at: string | undefined, rfcLoad: number, rfcLoadAt: string | undefined }

/** Whether two looks at the version saw the same registry: the same latest change and RFC load. */
export const sameVersion = (a: RegistryVersion, b: RegistryVersion) => a.seq === b.seq && a.rfcLoad === b.rfcLoad

function latestVersion(changes: ReturnType<typeof createChangeStore>, rfcs: ReturnType<typeof createRfcStore>): RegistryVersion {
  const load = rfcs.latestLoad()
  return { ...changes.latest(), rfcLoad: load.seq, rfcLoadAt: load.at }
}

/** Everything the routes read and write, over one database connection. */
export function createStore(db: Database) {
  const selectOne = db.prepare('SELECT 1 AS ok')
  const userVersion = db.prepare<[], number>('PRAGMA user_version').pluck()
  const generation = generationOf(db)
  const capabilities = createEntryStore(db, capabilityKind, generation.changed)
  const responseCodes = createEntryStore(db, responseCodeKind, generation.changed)
  const rfcs = createRfcStore(db, generation.changed)
  const changes = createChangeStore(db)
  const registry = createRegistryStore(db)
  const registryView: RegistryView = {
    hasCapability: (tag) => generation.kept(`c ${tag.toUpperCase()}`, () => capabilities.has(tag)),
    hasResponseCode: (code) => generation.kept(`r ${code.toUpperCase()}`, () => responseCodes.has(code)),
    entryOf: (kind, key) => (kind === 'capability' ? capabilities : responseCodes).history(key).at(-1)?.entry,
    // A key that is not registered is not deprecated: the entry is read only for a registered key
    // (most submissions register a new one, and the rules ask both).
    isDeprecated: (kind, key) => generation.kept(`d ${kind} ${key.toUpperCase()}`, () =>
      (kind === 'capability' ? registryView.hasCapability(key) : registryView.hasResponseCode(key))
      && (kind === 'capability' ? capabilities.get(key) : responseCodes.get(key))?.status === 'deprecated'),
    rfc: (number) => generation.kept(`n ${number}`, () => rfcs.get(number)),
  }
  return {
    db,
    registry,
    changes,
    /** The registry's version (latestVersion), remembered until the database changes. */
    version: (forSocketRead = false) => generation.remembered('version', () => latestVersion(changes, rfcs), forSocketRead),
    capabilities,
    responseCodes,
    rfcs,
    tokens: createTokenStore(db),
    registrations: createRegistrationStore(db),
    /**
     * The registry as the registration rules see it, each answer remembered until the database
     * changes. Whether it changed is asked once, here (or, `forSocketRead`, shared with this turn's
     * other requests read from sockets, as `version` does): use what this returns at once, for one check.
     */
    view(forSocketRead = false): RegistryView {
      generation.refresh(forSocketRead)
      return registryView
    },
    /**
     * The registry as it stood at the end of a day, in the shape the downloads read: its entries
     * then, its history up to then, and that day's last-updated date; undefined before its first change.
     */
    asOf(day: string): PublishedRegistry | undefined {
      const { beforeSeq } = capabilities.boundsAfter(day)
      const last = changes.latestBefore(beforeSeq)
      const metadata = registry.metadata()
      if (!last || !metadata) return undefined
      const dated = {
        ...metadata,
        lastUpdated: last.at.slice(0, 10),
        bibliography: metadata.bibliography.filter((ref) => ref.since === undefined || ref.since <= day),
      }
      return {
        registry: { metadata: () => dated },
        capabilities: { all: () => capabilities.all(day) },
        responseCodes: { all: () => responseCodes.all(day) },
        rfcs,
        changes: { withEntries: () => changes.withEntries(beforeSeq) },
      }
    },
    /** Whether the database answers; for /healthz. */
    ping(): boolean {
      return selectOne.get() !== undefined
    },
    /** Whether the schema is the one this program writes and the registry has been created; for /readyz. */
    ready(): boolean {
      return userVersion.get() === LATEST_VERSION && generation.remembered('created', () => registry.metadata() !== undefined)
    },
  }
}

export type Store = ReturnType<typeof createStore>
