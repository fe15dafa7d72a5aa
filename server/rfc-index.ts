import { XMLParser } from 'fast-xml-parser'
import { RFC_STATUSES, type Rfc } from '../schema/rfc.ts'

const KNOWN_STATUSES: ReadonlySet<string> = new Set(RFC_STATUSES)

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // Elements that may repeat are always arrays, so one entry and many read alike.
  isArray: (name) => name === 'rfc-entry' || name === 'doc-id',
})

interface RfcEntry {
  'doc-id'?: string[]
  'title'?: string
  'current-status'?: string
  'obsoleted-by'?: { 'doc-id'?: string[] }
}

/**
 * The RFCs of an RFC Editor index in its XML form (rfc-index.xml): number, title, current
 * status and what obsoletes each. Entries other than RFCs (BCP, STD, FYI) are passed over.
 */
export function parseRfcIndex(xml: string): Rfc[] {
  const document = parser.parse(xml) as { 'rfc-index'?: { 'rfc-entry'?: RfcEntry[] } }
  const index = document['rfc-index']
  if (!index) throw new Error('not an RFC index: the document has no <rfc-index> element')
  return (index['rfc-entry'] ?? []).flatMap((entry): Rfc[] => {
    const id = /^RFC0*(\d+)$/.exec(entry['doc-id']?.[0] ?? '')
    if (!id) return []
    const status = (entry['current-status'] ?? 'UNKNOWN').toUpperCase()
    const obsoletedBy = entry['obsoleted-by']?.['doc-id'] ?? []
    return [{
      number: Number(id[1]),
      title: entry.title ?? '',
      status: (KNOWN_STATUSES.has(status) ? status : 'UNKNOWN') as Rfc['status'],
      obsoletedBy: obsoletedBy.length > 0 ? obsoletedBy.map((doc) => doc.replace(/^RFC0*/, 'RFC')).join(', ') : null,
    }]
  })
}
