import type { Capability, CapabilityRecord } from '../../schema/capability.ts'
import type { EntryLinks, Published } from '../../schema/entry.ts'
import type { SubRegistryId } from '../../schema/registry.ts'
import type { ResponseCode, ResponseCodeRecord } from '../../schema/response-code.ts'

// The API's own URLs. The store returns data; what the API serves (the routes, the checks' reports,
// the JSON export) adds an entry's links here.

/** The API path of an entry; the key is encoded whole, so a "/" inside a response code stays part of it. */
function entryPath(registry: SubRegistryId, key: string): string {
  return `/v1/${registry}/${encodeURIComponent(key)}`
}

export function entryLinks(registry: SubRegistryId, key: string): EntryLinks {
  const self = entryPath(registry, key)
  return { self, history: `${self}/history` }
}

/** An entry's links as the JSON the API sends: an encoded path holds no character JSON escapes. */
export function entryLinksJson(registry: SubRegistryId, key: string): string {
  const self = entryPath(registry, key)
  return `{"self":"${self}","history":"${self}/history"}`
}

/** A capability as the API shows it: as published, with its links. */
export const capabilityRecord = (entry: Published<Capability>): CapabilityRecord =>
  ({ ...entry, links: entryLinks('capabilities', entry.tag) })

/** A response code as the API shows it: as published, with its links. */
export const responseCodeRecord = (entry: Published<ResponseCode>): ResponseCodeRecord =>
  ({ ...entry, links: entryLinks('response-codes', entry.code) })
