import type { SubRegistryId } from '../../schema/registry.ts'
import type { EntryKind } from '../store/entry-kinds.ts'
import type { PublishedRow } from '../store/entry-queries.ts'
import { entryLinksJson } from './links.ts'

/**
 * Writes an entry's record (its fields, publication fields and links) as JSON from its row, with
 * the bytes the record schema's serializer (fast-json-stringify) would write of the parsed entry,
 * for a fraction of the CPU: a list page's 100 documents are not parsed nor serialized again.
 *
 * That serializer writes the required properties in the schema's order, then the optional ones in
 * theirs: the entry's required fields, status, registeredAt, updatedAt, links, then the entry's
 * optional fields and replacedBy. A stored document holds the entry's fields alone, in the schema's
 * order (entries.ts publish), so one without optional fields is its own head and is spliced in as
 * it is; one with any is parsed, and its fields are written in that order. In the compact JSON,
 * `"notes":` can only be a key, so `includes` tells which documents have one. Strings are
 * escaped by JSON.stringify, as the serializer does; status and dates are plain words and digits.
 */
export function recordJsonWriter(registry: SubRegistryId, kind: Pick<EntryKind<unknown>, 'fields' | 'optionalFields'>) {
  const optional = kind.optionalFields
  const required = kind.fields.filter((field) => !optional.includes(field))
  const markers = optional.map((field) => `"${field}":`)
  return (row: PublishedRow): string => {
    let head = row.entry.slice(0, -1)
    let tail = ''
    if (markers.some((marker) => row.entry.includes(marker))) {
      const fields = JSON.parse(row.entry) as Record<string, unknown>
      head = JSON.stringify(fields, required).slice(0, -1)
      for (const field of optional) if (fields[field] !== undefined) tail += `,"${field}":${JSON.stringify(fields[field])}`
    }
    if (row.replaced_by !== null) tail += `,"replacedBy":${JSON.stringify(row.replaced_by)}`
    return `${head},"status":"${row.status}","registeredAt":"${row.registered_at}","updatedAt":"${row.updated_at}",`
      + `"links":${entryLinksJson(registry, row.key)}${tail}}`
  }
}
