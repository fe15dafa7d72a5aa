import type { CapabilityRecord } from '../../schema/capability.ts'
import type { RegistryMetadata } from '../../schema/registry.ts'
import type { ResponseCodeRecord } from '../../schema/response-code.ts'
import type { Store } from '../store/index.ts'
import { footnotesOf, type Footnote } from './cells.ts'

/** The published registry at one version: what every publication form is rendered from. */
export interface Snapshot {
  version: number
  metadata: RegistryMetadata
  capabilities: CapabilityRecord[]
  responseCodes: ResponseCodeRecord[]
  footnotes: { 'capabilities': Footnote[], 'response-codes': Footnote[] }
}

export function takeSnapshot(store: Store): Snapshot {
  return store.db.transaction(() => {
    const metadata = store.registry.metadata()
    if (!metadata) throw new Error('the registry has not been created in this database')
    const capabilities = [...store.capabilities.all()]
    const responseCodes = [...store.responseCodes.all()]
    return {
      version: store.changes.latestSeq(),
      metadata,
      capabilities,
      responseCodes,
      footnotes: {
        'capabilities': footnotesOf(capabilities.map((c) => ({ key: c.tag, notes: c.notes }))),
        'response-codes': footnotesOf(responseCodes.map((r) => ({ key: r.code, notes: r.notes }))),
      },
    }
  })()
}
