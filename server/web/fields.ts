import type { SubRegistryId } from '../../schema/registry.ts'
import { html, safeHref, type Html } from './html.ts'

/** Every field of an entry, in the order RFC 2449 §7 and §10 ask for them, with a label for people. */
export const FIELD_LABELS: Record<SubRegistryId, Record<string, string>> = {
  'capabilities': {
    tag: 'CAPA tag',
    arguments: 'Arguments',
    addedCommands: 'Added commands',
    affectedCommands: 'Standard commands affected',
    announcedStates: 'Announced in states',
    announcementOptionalIn: 'Announcement optional in',
    possibleDifferences: 'Possible differences between states',
    validStates: 'Commands valid in states',
    references: 'Specification references',
    discussion: 'Discussion',
    lengthLimits: 'Command and response length limits',
    notes: 'Notes',
  },
  'response-codes': {
    code: 'Response code',
    responseTypes: 'Valid for responses',
    commands: 'Commands',
    definition: 'Definition and expected client behaviour',
    references: 'References',
    notes: 'Notes',
  },
}

export const NOUN: Record<SubRegistryId, string> = { 'capabilities': 'Capability', 'response-codes': 'Response code' }

/** The page of an entry; each level of a key is encoded, so SYS/TEMP reads /response-codes/SYS/TEMP. */
export function entryPage(registry: SubRegistryId, key: string): string {
  return `/${registry}/${key.split('/').map(encodeURIComponent).join('/')}`
}

/** The anchor of an entry's row in the tables of the home page. */
export const rowId = (registry: SubRegistryId, key: string) => `${registry}-${key}`

/** RFC2449 links to the RFC Editor's page; a URL links to itself. */
function referenceLink(reference: string): Html {
  const rfc = /^RFC(\d+)$/i.exec(reference)
  const href = rfc ? `https://www.rfc-editor.org/rfc/rfc${Number(rfc[1])}` : safeHref(reference)
  return html`<a href="${href}">${reference}</a>`
}

export function referenceLinks(references: readonly string[]): Html {
  return html`${references.map((reference, index) => html`${index > 0 ? ', ' : ''}${referenceLink(reference)}`)}`
}

const list = (values: readonly unknown[], empty: string) => (values.length === 0 ? empty : values.join(', '))

/** A field's value as a person reads it. */
function fieldValue(field: string, value: unknown): Html {
  if (value === undefined) return html`<span class="muted">—</span>`
  if (field === 'references' && Array.isArray(value)) return referenceLinks(value as string[])
  if (typeof value === 'boolean') return html`${value ? 'yes' : 'no'}`
  if (field === 'discussion' || field === 'definition' || field === 'lengthLimits') return html`<span class="prose">${String(value)}</span>`
  if (field === 'notes' && Array.isArray(value)) return html`<ul>${value.map((note) => html`<li>${String(note)}</li>`)}</ul>`
  if (Array.isArray(value)) return html`${list(value, field === 'validStates' ? 'n/a' : 'none')}`
  return html`${String(value)}`
}

/** An entry's fields by name: capabilities and response codes alike, as the labels above name them. */
const fieldsOf = (entry: object) => entry as Record<string, unknown>

/** The fields of an entry as a definition list, one anchor per field. */
export function fieldList(registry: SubRegistryId, entry: object): Html {
  return html`<dl class="fields">${Object.entries(FIELD_LABELS[registry]).map(([field, label]) =>
    html`<dt id="field-${field}">${label}</dt><dd>${fieldValue(field, fieldsOf(entry)[field])}</dd>`)}</dl>`
}

/** The fields that differ between two versions of an entry. */
function changedFields(registry: SubRegistryId, before: object, after: object) {
  return Object.keys(FIELD_LABELS[registry])
    .filter((field) => JSON.stringify(fieldsOf(before)[field]) !== JSON.stringify(fieldsOf(after)[field]))
}

/** A field-by-field table of what changed from one version of an entry to the next. */
export function diffTable(registry: SubRegistryId, before: object, after: object, caption: string): Html {
  const fields = changedFields(registry, before, after)
  if (fields.length === 0) return html`<p class="muted">No field changed.</p>`
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
<tbody>${fields.map((field) => html`<tr><th scope="row">${FIELD_LABELS[registry][field]}</th>
<td><del>${fieldValue(field, fieldsOf(before)[field])}</del></td><td><ins>${fieldValue(field, fieldsOf(after)[field])}</ins></td></tr>`)}</tbody>
</table></div>`
}

/** A deprecation's reason and replacement, the replacement linked to its page. */
export function deprecationList(registry: SubRegistryId, deprecation: { reason: string, replacedBy?: string | undefined }): Html {
  return html`<dl class="fields"><dt>Reason</dt><dd><span class="prose">${deprecation.reason}</span></dd>
<dt>Replaced by</dt><dd>${deprecation.replacedBy
    ? html`<a class="key" href="${entryPage(registry, deprecation.replacedBy)}">${deprecation.replacedBy}</a>`
    : html`<span class="muted">nothing named</span>`}</dd></dl>`
}
