import { registrationKey, type Registration } from '../../../schema/registration.ts'
import { deprecationList, diffTable, entryPage, fieldList } from '../fields.ts'
import { html, type Html } from '../html.ts'
import { layout } from '../layout.ts'
import { REGISTRY_OF } from './register.ts'

export interface RegistrationsData {
  who: { name: string, role: string }
  csrfToken: string
  mine: Registration[]
  /** Pending registrations of everyone, for a reviewer; undefined for a submitter. */
  queue?: Registration[]
  /** The entry as published now, for each update and deprecation in the queue. */
  current: Map<number, object>
  notice?: { good: boolean, text: string }
}


function heading(registration: Registration): Html {
  const kind = registration.kind === 'capability' ? 'capability' : 'response code'
  return html`<h3><a href="#registration-${registration.id}">Registration ${registration.id}</a>:
${registration.action} ${kind} <span class="key">${registrationKey(registration)}</span>
<span class="badge ${registration.status}">${registration.status}</span></h3>`
}

function facts(registration: Registration): Html {
  const registry = REGISTRY_OF[registration.kind]
  return html`<p>Submitted by ${registration.submitter} on <time datetime="${registration.submittedAt}">${registration.submittedAt.slice(0, 10)}</time>${
    registration.decidedBy && html`; ${registration.status} by ${registration.decidedBy} on <time datetime="${registration.decidedAt}">${registration.decidedAt?.slice(0, 10)}</time>`}.
${registration.status === 'approved' && html`<a href="${entryPage(registry, registrationKey(registration))}">See the published entry</a>.`}</p>
${registration.reason && html`<p class="notice bad"><strong>Reason:</strong> ${registration.reason}</p>`}
${registration.warnings.length > 0 && html`<p>Warnings: ${registration.warnings.map((w) => w.message).join('; ')}</p>`}`
}

function ownCard(registration: Registration, csrfToken: string): Html {
  return html`<article class="card" id="registration-${registration.id}">${heading(registration)}${facts(registration)}
${registration.deprecation
    ? deprecationList(REGISTRY_OF[registration.kind], registration.deprecation)
    : html`<details><summary>The entry as submitted</summary>${fieldList(REGISTRY_OF[registration.kind], registration.entry)}</details>`}
${registration.status === 'pending' && html`<form method="post" action="/registrations/${registration.id}/withdraw" class="actions">
<input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="secondary">Withdraw</button></form>`}
</article>`
}

function queueCard(registration: Registration, current: object | undefined, csrfToken: string): Html {
  const registry = REGISTRY_OF[registration.kind]
  const entry = registration.entry
  const reasonId = `reason-${registration.id}`
  return html`<article class="card" id="queue-${registration.id}">${heading(registration)}${facts(registration)}
${registration.deprecation
    ? html`${deprecationList(registry, registration.deprecation)}
${current && html`<details><summary>The entry as published, which stays as it is, marked deprecated</summary>${fieldList(registry, current)}</details>`}`
    : registration.action === 'update' && current
      ? diffTable(registry, current, entry, `What registration ${registration.id} would change in ${registrationKey(registration)}`)
      : fieldList(registry, entry)}
<div class="actions">
<form method="post" action="/registrations/${registration.id}/approve">
<input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit">Approve and publish</button></form>
<form method="post" action="/registrations/${registration.id}/reject">
<input type="hidden" name="_csrf" value="${csrfToken}">
<label for="${reasonId}">Reason for rejecting</label>
<textarea id="${reasonId}" name="reason" rows="2" required></textarea>
<button type="submit" class="danger">Reject</button></form>
</div>
</article>`
}

export function registrationsPage(data: RegistrationsData): Html {
  const main = html`<h1>Registrations</h1>
${data.notice && html`<p class="notice ${data.notice.good ? 'good' : 'bad'}" role="${data.notice.good ? 'status' : 'alert'}">${data.notice.text}</p>`}
${data.queue && html`<h2 id="queue">Waiting for review (${data.queue.length})</h2>
${data.queue.length === 0 ? html`<p>Nothing is waiting for review.</p>` : data.queue.map((r) => queueCard(r, data.current.get(r.id), data.csrfToken))}`}
<h2 id="mine">Your registrations (${data.mine.length})</h2>
${data.mine.length === 0
    ? html`<p>You have not submitted any. <a href="/register">Register a capability or a response code</a>.</p>`
    : data.mine.map((r) => ownCard(r, data.csrfToken))}`
  return layout({ title: 'Registrations', section: '/registrations', who: data.who, main })
}
