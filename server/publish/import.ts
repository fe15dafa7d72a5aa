import { isDeepStrictEqual } from 'node:util'
import { RegistryExportSchema, type HistoryItem } from '../../schema/export.ts'
import type { Capability } from '../../schema/capability.ts'
import type { ResponseCode } from '../../schema/response-code.ts'
import { capabilityRecord, responseCodeRecord } from '../http/links.ts'
import type { Store } from '../store/index.ts'

export class ImportError extends Error {}

/**
 * Rebuilds an exported registry in an empty database: its metadata, its RFC statuses, and every
 * change replayed with its own sequence number and date, in one transaction. The result is checked
 * against the export's entries; any difference undoes the whole import.
 */
export function importRegistry(store: Store, input: unknown): { capabilities: number, responseCodes: number, changes: number } {
  const parsed = RegistryExportSchema.safeParse(input)
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((issue) => `/${issue.path.join('/')}: ${issue.message}`)
    throw new ImportError(`not a pop3-registry export: ${first.join('; ')}`)
  }
  const document = parsed.data
  return store.db.transaction(() => {
    if (store.registry.metadata() || store.changes.latest().seq > 0) {
      throw new ImportError('the database already holds a registry; import into a new DB_PATH')
    }
    store.registry.create(document.registry)
    store.rfcs.load(document.rfcs)
    for (const change of document.history) replayChange(store, change)
    const rebuilt = {
      capabilities: [...store.capabilities.all()].map(capabilityRecord),
      responseCodes: [...store.responseCodes.all()].map(responseCodeRecord),
      registry: store.registry.metadata(),
    }
    const expected = { capabilities: document.capabilities, responseCodes: document.responseCodes, registry: document.registry }
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(rebuilt)), JSON.parse(JSON.stringify(expected)))) {
      throw new ImportError('replaying the export\'s history does not give its entries and metadata; the file is inconsistent')
    }
    return { capabilities: rebuilt.capabilities.length, responseCodes: rebuilt.responseCodes.length, changes: document.history.length }
  }).immediate()
}

/**
 * Writes one change of another registry's history with its own sequence number and date: how an
 * import rebuilds an export and how a follower applies its primary's feed.
 */
export function replayChange(store: Store, change: HistoryItem): void {
  const how = {
    seq: change.seq, at: change.at, action: change.action, registrationId: change.registrationId,
    status: change.status, note: change.note ?? null, replacedBy: change.replacedBy ?? null,
  }
  if (change.registry === 'capabilities') store.capabilities.publish(change.entry as Capability, how)
  else store.responseCodes.publish(change.entry as ResponseCode, how)
}
