import type { Capability } from '../../../schema/capability.ts'
import type { Published } from '../../../schema/entry.ts'
import type { SubRegistryId } from '../../../schema/registry.ts'
import type { ResponseCode } from '../../../schema/response-code.ts'
import { entryLinks } from '../../http/links.ts'
import type { HistoryRow } from '../../store/entries.ts'
import { NOUN, diffTable, entryPage, fieldList, rowId } from '../fields.ts'
import { html, type Html } from '../html.ts'
import { layout } from '../layout.ts'


function revision(registry: SubRegistryId, item: HistoryRow, before: HistoryRow | undefined): Html {
  // A seeded revision has no registration; its note names the source (IANA's text, an RFC).
  const made = item.registrationId !== null ? `registration ${item.registrationId}`
    : item.note ? `IANA's registry (${item.note})` : 'the initial set'
  const statusChanged = before && before.status !== item.status
  return html`<li id="revision-${item.revision}">
<h3><a href="#revision-${item.revision}">Revision ${item.revision}</a>: ${item.action === 'register' ? 'registered' : item.action}
on <time datetime="${item.at}">${item.at.slice(0, 10)}</time></h3>
<p>Made by ${made}; change ${item.seq} in the <a href="/v1/changes?since=${item.seq - 1}">change feed</a>.
Status ${item.status}${statusChanged && html` (was ${before.status})`}.</p>
${before
    ? diffTable(registry, before.entry, item.entry, `What revision ${item.revision} changed`)
    : html`<p class="muted">First publication, with the fields as registered.</p>`}
</li>`
}

export function entryPageHtml(registry: SubRegistryId, entry: Published<Capability> | Published<ResponseCode>, history: HistoryRow[]): Html {
  const key = 'tag' in entry ? entry.tag : entry.code
  const noun = NOUN[registry]
  const links = entryLinks(registry, key)
  const main = html`<p><a href="/#${rowId(registry, key)}">← back to the registry</a></p>
<h1>${noun} <span class="key">${key}</span> <span class="badge ${entry.status}">${entry.status}</span></h1>
<p>Registered <time datetime="${entry.registeredAt}">${entry.registeredAt}</time>; last updated
<time datetime="${entry.updatedAt}">${entry.updatedAt}</time>.
As JSON: <a href="${links.self}">the entry</a>, <a href="${links.history}">its history</a>.
<a href="/register?kind=${registry === 'capabilities' ? 'capability' : 'response-code'}&amp;update=${encodeURIComponent(key)}">Propose an update</a>${
  entry.status === 'active' && html` or <a href="/register?kind=${registry === 'capabilities' ? 'capability' : 'response-code'}&amp;deprecate=${encodeURIComponent(key)}">its deprecation</a>`}.</p>
${entry.status === 'deprecated' && html`<p class="notice bad">This ${noun.toLowerCase()} is deprecated${
  entry.replacedBy && html`; it is replaced by <a class="key" href="${entryPage(registry, entry.replacedBy)}">${entry.replacedBy}</a>`}.</p>`}
<h2 id="fields">Fields</h2>
${fieldList(registry, entry)}
<h2 id="history">History (${history.length} revision${history.length === 1 ? '' : 's'})</h2>
<ol class="plain">${history.map((item, index) => revision(registry, item, history[index - 1]))}</ol>`
  return layout({ title: `${noun} ${key}`, main })
}

