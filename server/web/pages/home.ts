import type { Capability } from '../../../schema/capability.ts'
import { EntryStatusSchema, type Published } from '../../../schema/entry.ts'
import { STATES } from '../../../schema/grammar.ts'
import type { RegistryMetadata, SubRegistryId, SubRegistryRules } from '../../../schema/registry.ts'
import type { ResponseCode } from '../../../schema/response-code.ts'
import {
  CAPABILITY_COLUMNS,
  RESPONSE_CODE_COLUMNS,
  capabilityCells,
  createFootnoteCounter,
  responseCodeCells,
  type Footnote,
} from '../../publish/cells.ts'
import type { ChangeRow } from '../../store/changes.ts'
import { entryPage, referenceLinks, rowId } from '../fields.ts'
import { html, type Html } from '../html.ts'
import { layout } from '../layout.ts'

interface HomeFilter { q?: string | undefined, state?: string | undefined, command?: string | undefined, status?: string | undefined }

export interface HomeData {
  metadata: RegistryMetadata
  filter: HomeFilter
  capabilities: { items: Published<Capability>[], total: number, all: number }
  responseCodes: { items: Published<ResponseCode>[], total: number, all: number }
  changes: ChangeRow[]
  /** How many rows a table shows at most. */
  limit: number
}

const DOWNLOADS = [
  { href: '/v1/capabilities.csv', label: 'Capabilities (CSV)' },
  { href: '/v1/response-codes.csv', label: 'Response codes (CSV)' },
  { href: '/v1/registry.xml', label: 'Registry (XML)' },
  { href: '/v1/registry.txt', label: 'Registry (text)' },
  { href: '/v1/registry.json', label: 'Registry with history (JSON)' },
]

function filterForm(filter: HomeFilter): Html {
  return html`<form class="filters" method="get" action="/" role="search" aria-label="Search the registry">
<label>Search <span class="hint">tag, code or text</span><input type="search" name="q" value="${filter.q ?? ''}"></label>
<label>Commands valid in state <span class="hint">the Cmd Valid column</span><select name="state">
<option value="">any state</option>
${STATES.map((state) => html`<option value="${state}"${filter.state === state ? html` selected` : ''}>${state}</option>`)}
</select></label>
<label>Command <span class="hint">e.g. USER</span><input type="text" name="command" value="${filter.command ?? ''}" size="8"></label>
<label>Status <span class="hint">active or deprecated</span><select name="status">
<option value="">any status</option>
${EntryStatusSchema.options.map((status) => html`<option value="${status}"${filter.status === status ? html` selected` : ''}>${status}</option>`)}
</select></label>
<button type="submit">Filter</button>
${(filter.q ?? filter.state ?? filter.command ?? filter.status) !== undefined && html`<a href="/">Clear filters</a>`}
</form>`
}

function rules(sub: SubRegistryRules): Html {
  return html`<p><strong>Registration procedure:</strong> ${sub.registrationProcedure}${sub.policy && html` (${sub.policy})`}</p>
<details><summary>Required information (${sub.requiredFields.length} items)</summary>
<ul>${sub.requiredFields.map((item) => html`<li>${item.label}</li>`)}</ul>
${sub.optionalFields.length > 0 && html`<p>May also be given:</p><ul>${sub.optionalFields.map((item) => html`<li>${item.label}</li>`)}</ul>`}
</details>`
}

/** A key cell: a link to the entry's page, IANA's footnote marks, and the status when not active. */
function keyCell(registry: SubRegistryId, key: string, cell: string, status: string): Html {
  return html`<th scope="row"><a class="key" href="${entryPage(registry, key)}">${key}</a>${cell.slice(key.length)}${
    status !== 'active' && html` <span class="badge ${status}">${status}</span>`}</th>`
}

function footnoteList(registry: SubRegistryId, footnotes: Footnote[]): Html {
  if (footnotes.length === 0) return html``
  return html`<ol class="footnotes" aria-label="Footnotes">${footnotes.map((note) =>
    html`<li id="${registry}-note-${note.anchor}" value="${note.anchor}">${note.on && html`<code>${note.on}</code>: `}${note.text}</li>`)}</ol>`
}

function shownCount(shown: number, total: number, all: number, limit: number, noun: string): string {
  const matching = total === all ? `${all} ${noun}` : `${total} of ${all} ${noun} match`
  return shown < total ? `${matching}; the first ${limit} are shown (the CSV has them all)` : matching
}

/** How one sub-registry's table is made: its columns, its entries' keys and cells, what it calls them. */
interface TableKind<Entry> {
  registry: SubRegistryId
  columns: readonly string[]
  keyOf(entry: Entry): string
  cellsOf(entry: Omit<Entry, 'status'>, footnotes: Footnote[]): string[]
  nouns: { one: string, many: string }
}

function entryTable<Entry extends { status: string, notes?: string[] | undefined, references: string[] }>(
  kind: TableKind<Entry>, listed: { items: Entry[], total: number, all: number }, limit: number,
): Html {
  const { registry, columns } = kind
  const footnotes = createFootnoteCounter()
  const rows = listed.items.map((entry) => {
    const key = kind.keyOf(entry)
    // The page shows a deprecated entry's status as a badge, not as the downloads' mark in the key cell.
    const cells = kind.cellsOf(withoutStatus(entry), footnotes.add(key, entry.notes))
    return html`<tr id="${rowId(registry, key)}">${keyCell(registry, key, cells[0]!, entry.status)}${
      cells.slice(1, -1).map((cell) => html`<td>${cell}</td>`)}<td>${referenceLinks(entry.references)}</td></tr>`
  })
  return html`<div class="table-wrap" role="region" aria-labelledby="${registry}-caption" tabindex="0"><table>
<caption id="${registry}-caption">${shownCount(rows.length, listed.total, listed.all, limit, kind.nouns.many)}</caption>
<thead><tr>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="${columns.length}">No ${kind.nouns.one} matches.</td></tr>`}</tbody>
</table></div>${footnoteList(registry, footnotes.all)}`
}

const CAPABILITY_TABLE: TableKind<Published<Capability>> = {
  registry: 'capabilities',
  columns: CAPABILITY_COLUMNS,
  keyOf: (entry) => entry.tag,
  cellsOf: (entry, footnotes) => capabilityCells(entry, footnotes),
  nouns: { one: 'capability', many: 'capabilities' },
}

const RESPONSE_CODE_TABLE: TableKind<Published<ResponseCode>> = {
  registry: 'response-codes',
  columns: RESPONSE_CODE_COLUMNS,
  keyOf: (entry) => entry.code,
  cellsOf: (entry, footnotes) => responseCodeCells(entry, footnotes),
  nouns: { one: 'response code', many: 'response codes' },
}

function withoutStatus<T extends { status: string }>(entry: T): Omit<T, 'status'> {
  const { status: _status, ...fields } = entry
  return fields
}

function latestChanges(changes: ChangeRow[]): Html {
  return html`<ol class="plain">${changes.map((change) => html`<li><time datetime="${change.at}">${change.at.slice(0, 10)}</time>
${change.action === 'register' ? 'registered' : change.action}
<a href="${entryPage(change.registry, change.key)}" class="key">${change.key}</a>
<span class="muted">(${change.registry === 'capabilities' ? 'capability' : 'response code'}${
  change.registrationId === null ? ', from IANA\'s registry' : html`, registration ${change.registrationId}`})</span></li>`)}</ol>
<p><a href="/v1/changes?since=0">The whole change feed (JSON)</a></p>`
}

export function homePage(data: HomeData): Html {
  const { metadata } = data
  const sub = (id: SubRegistryId) => metadata.subRegistries.find((s) => s.id === id)!
  const main = html`<h1>${metadata.title}</h1>
<p>${metadata.note}</p>
<p>Last updated <time datetime="${metadata.lastUpdated}">${metadata.lastUpdated}</time>.
Registry id <code>${metadata.id}</code>.</p>
<h2 id="downloads">Downloads</h2>
<ul class="downloads">${DOWNLOADS.map((d) => html`<li><a href="${d.href}">${d.label}</a></li>`)}</ul>
${filterForm(data.filter)}
<h2 id="capabilities">${sub('capabilities').title}</h2>
${rules(sub('capabilities'))}
${entryTable(CAPABILITY_TABLE, data.capabilities, data.limit)}
<h2 id="response-codes">${sub('response-codes').title}</h2>
${rules(sub('response-codes'))}
${entryTable(RESPONSE_CODE_TABLE, data.responseCodes, data.limit)}
<h2 id="changes">Latest changes</h2>
${latestChanges(data.changes)}
<h2 id="references">References</h2>
<dl class="fields">${metadata.bibliography.map((ref) => html`<dt id="ref-${ref.id}">${referenceLinks([ref.id])}</dt><dd>${ref.citation}</dd>`)}</dl>`
  return layout({ title: metadata.title, section: '/', main })
}
