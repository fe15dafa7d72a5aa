import type { Violation, Warning } from '../../../schema/problem.ts'
import { registrationKey, type Registration } from '../../../schema/registration.ts'
import type { SubRegistryId } from '../../../schema/registry.ts'
import { deprecationList, FIELD_LABELS, fieldList } from '../fields.ts'
import { html, type Html } from '../html.ts'
import { layout } from '../layout.ts'

export type Kind = 'capability' | 'response-code'
export const REGISTRY_OF: Record<Kind, SubRegistryId> = { 'capability': 'capabilities', 'response-code': 'response-codes' }

type Control = 'text' | 'lines' | 'prose' | 'yes-no' | 'response-types'
interface FieldSpec { name: string, control: Control, optional?: boolean, hint: string, orAll?: boolean, label?: string }

/** The form's fields for each kind, in the order RFC 2449 asks for them. */
const FIELDS: Record<Kind, FieldSpec[]> = {
  'capability': [
    { name: 'tag', control: 'text', hint: 'Printable ASCII without "." or spaces; must not begin with X.' },
    { name: 'arguments', control: 'lines', hint: 'One per line; leave empty for none.' },
    { name: 'addedCommands', control: 'lines', hint: 'Command keywords, one per line; empty for none.' },
    { name: 'affectedCommands', control: 'lines', orAll: true, hint: 'One per line; "all" for every command; empty for none.' },
    { name: 'announcedStates', control: 'lines', hint: 'AUTHORIZATION and/or TRANSACTION, one per line (both = announced before and after login).' },
    { name: 'announcementOptionalIn', control: 'lines', optional: true, hint: 'Optional: announced states in which a server may leave it out.' },
    { name: 'possibleDifferences', control: 'yes-no', hint: 'May its arguments differ between the announced states?' },
    { name: 'validStates', control: 'lines', hint: 'States in which its commands are valid (AUTHORIZATION, TRANSACTION, UPDATE), one per line; empty for n/a.' },
    { name: 'references', control: 'lines', hint: 'RFC2449 or an https URL, one per line.' },
    { name: 'discussion', control: 'prose', hint: 'What it does and why.' },
    { name: 'lengthLimits', control: 'text', optional: true, hint: 'Optional: new command or response length limits.' },
    { name: 'notes', control: 'lines', optional: true, hint: 'Optional footnotes, one per line; "USER: …" is a note on USER.' },
  ],
  'response-code': [
    { name: 'code', control: 'text', hint: 'Levels separated by "/", e.g. SYS/TEMP; no brackets.' },
    { name: 'responseTypes', control: 'response-types', hint: 'The responses that may carry it.' },
    { name: 'commands', control: 'lines', orAll: true, hint: 'Command keywords, one per line, or "all".' },
    { name: 'definition', control: 'prose', hint: 'Its meaning and the expected client behaviour.' },
    { name: 'references', control: 'lines', hint: 'RFC2449 or an https URL, one per line.' },
    { name: 'notes', control: 'lines', optional: true, hint: 'Optional footnotes, one per line.' },
  ],
}

/** A deprecation's fields (design §5): the key alone, why, and what replaces it. */
const DEPRECATION_FIELDS: Record<Kind, FieldSpec[]> = {
  'capability': [
    { name: 'tag', control: 'text', hint: 'The registered tag to deprecate.' },
    { name: 'reason', control: 'prose', label: 'Reason', hint: 'Why it is deprecated; shown in its history.' },
    { name: 'replacedBy', control: 'text', optional: true, label: 'Replaced by', hint: 'Optional: the registered tag that replaces it.' },
  ],
  'response-code': [
    { name: 'code', control: 'text', hint: 'The registered code to deprecate, e.g. SYS/TEMP.' },
    { name: 'reason', control: 'prose', label: 'Reason', hint: 'Why it is deprecated; shown in its history.' },
    { name: 'replacedBy', control: 'text', optional: true, label: 'Replaced by', hint: 'Optional: the registered code that replaces it.' },
  ],
}

const fieldsFor = (kind: Kind, action: string) => (action === 'deprecate' ? DEPRECATION_FIELDS : FIELDS)[kind]

/** What was typed, field by field, kept to fill the form again. */
export type FormValues = Record<string, string | string[] | undefined>

const text = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join('\n') : value ?? '')
const lines = (value: string | string[] | undefined) => text(value).split(/\r?\n/).map((line) => line.trim()).filter(Boolean)

/** The registration body a filled form stands for; blank fields are left out, for the rules to name. */
export function registrationBody(kind: Kind, action: string, values: FormValues) {
  if (action === 'deprecate') {
    const [key, reason, replacedBy] = DEPRECATION_FIELDS[kind].map((spec) => text(values[spec.name]).trim())
    return {
      kind, action, entry: key ? { [DEPRECATION_FIELDS[kind][0]!.name]: key } : {},
      ...(reason ? { reason } : {}), ...(replacedBy ? { replacedBy } : {}),
    }
  }
  const entry: Record<string, unknown> = {}
  for (const spec of FIELDS[kind]) {
    const value = values[spec.name]
    switch (spec.control) {
      case 'text':
      case 'prose': {
        const typed = text(value).trim()
        if (typed !== '') entry[spec.name] = typed
        break
      }
      case 'lines': {
        const typed = lines(value)
        if (spec.orAll && typed.length === 1 && typed[0]!.toLowerCase() === 'all') entry[spec.name] = 'all'
        else if (!(spec.optional && typed.length === 0)) entry[spec.name] = typed
        break
      }
      case 'yes-no':
        if (value === 'yes' || value === 'no') entry[spec.name] = value === 'yes'
        break
      case 'response-types':
        entry[spec.name] = value === undefined ? [] : [value].flat()
        break
    }
  }
  return { kind, action, entry }
}

/** The form filled with an entry, to propose an update of it. */
export function valuesOf(kind: Kind, entry: Record<string, unknown>): FormValues {
  const values: FormValues = {}
  for (const spec of FIELDS[kind]) {
    const value = entry[spec.name]
    if (value === undefined) continue
    if (typeof value === 'boolean') values[spec.name] = value ? 'yes' : 'no'
    else if (spec.control === 'response-types') values[spec.name] = value as string[]
    else values[spec.name] = Array.isArray(value) ? value.join('\n') : String(value)
  }
  return values
}

/** The field a violation belongs to: /entry/arguments/2 is about arguments, /reason about a deprecation's reason. */
const fieldOf = (violation: Violation | Warning) => /^\/(?:entry\/)?([^/]+)/.exec(violation.path)?.[1]

export interface RegisterForm {
  kind: Kind
  action: string
  values: FormValues
  csrfToken: string
  who: { name: string, role: string }
  violations?: Violation[]
  warnings?: Warning[]
  /** Set after "Check only": whether the rules found nothing. */
  checked?: boolean
}

function control(kind: Kind, spec: FieldSpec, values: FormValues, errors: Violation[]): Html {
  const id = `f-${spec.name}`
  const described = [`${id}-hint`, ...(errors.length > 0 ? [`${id}-error`] : [])].join(' ')
  const invalid = errors.length > 0 ? html` aria-invalid="true"` : ''
  const label = labelOf(kind, spec)
  const hint = html`<span class="hint" id="${id}-hint">${spec.hint}</span>`
  const error = errors.length > 0 && html`<ul class="error" id="${id}-error">${errors.map((e) => html`<li>${e.message}</li>`)}</ul>`
  const value = values[spec.name]
  switch (spec.control) {
    case 'yes-no':
    case 'response-types': {
      const choices = spec.control === 'yes-no' ? [['yes', 'yes'], ['no', 'no']] : [['+OK', '+OK'], ['-ERR', '-ERR']]
      const type = spec.control === 'yes-no' ? 'radio' : 'checkbox'
      const chosen = [value ?? []].flat()
      return html`<fieldset class="field" id="${id}" aria-describedby="${described}"${invalid}><legend>${label}</legend>${hint}
${choices.map(([choice, text], index) => html`<label><input type="${type}" name="${spec.name}" value="${choice}" id="${id}-${index}"${
  chosen.includes(choice!) ? html` checked` : ''}> ${text}</label> `)}${error}</fieldset>`
    }
    case 'text':
      return html`<div class="field"><label for="${id}">${label}</label>${hint}
<input type="text" id="${id}" name="${spec.name}" value="${text(value)}" aria-describedby="${described}"${invalid}${spec.optional ? '' : html` required`}>${error}</div>`
    default:
      return html`<div class="field"><label for="${id}">${label}</label>${hint}
<textarea id="${id}" name="${spec.name}" rows="${spec.control === 'prose' ? 5 : 3}" aria-describedby="${described}"${invalid}${
  spec.control === 'prose' ? html` required` : ''}>${text(value)}</textarea>${error}</div>`
  }
}

const labelOf = (kind: Kind, spec: FieldSpec) => `${spec.label ?? FIELD_LABELS[REGISTRY_OF[kind]][spec.name]}${spec.optional ? ' (optional)' : ''}`

function violationList(violations: (Violation | Warning)[], kind: Kind, action: string): Html {
  return html`<ul>${violations.map((v) => {
    const field = fieldOf(v)
    const spec = fieldsFor(kind, action).find((s) => s.name === field)
    return spec
      ? html`<li><a href="#f-${spec.name}">${labelOf(kind, spec)}</a>: ${v.message}</li>`
      : html`<li><code>${v.path}</code>: ${v.message}</li>`
  })}</ul>`
}

export function registerPage(form: RegisterForm): Html {
  const { kind, values, violations = [], warnings = [] } = form
  const noun = kind === 'capability' ? 'capability' : 'response code'
  const other: Kind = kind === 'capability' ? 'response-code' : 'capability'
  const errorsOf = (name: string) => violations.filter((v) => fieldOf(v) === name)
  const deprecating = form.action === 'deprecate'
  const title = deprecating ? `Deprecate a ${noun}` : `Register a ${noun}`
  const main = html`<h1>${title}</h1>
<p>${deprecating
    ? html`Or <a href="/register?kind=${kind}">register or update a ${noun}</a>.`
    : html`Or <a href="/register?kind=${other}">register a ${other === 'capability' ? 'capability' : 'response code'}</a>, or
<a href="/register?kind=${kind}&amp;deprecate=">deprecate a registered ${noun}</a>.`}
Every field is checked by the same rules as <code>POST /v1/registrations</code>; a reviewer approves the registration before it is published.</p>
${violations.length > 0 && html`<div class="notice bad" id="problems" role="alert"><h2>${violations.length} ${violations.length === 1 ? 'rule is' : 'rules are'} broken</h2>
${violationList(violations, kind, form.action)}</div>`}
${form.checked === true && violations.length === 0 && html`<p class="notice good" role="status">No rule is broken: this registration can be submitted.</p>`}
${warnings.length > 0 && html`<div class="notice"><h2>Warnings (they do not block)</h2>${violationList(warnings, kind, form.action)}</div>`}
<form method="post" action="/register" novalidate>
<input type="hidden" name="_csrf" value="${form.csrfToken}">
<input type="hidden" name="kind" value="${kind}">
${deprecating
    ? html`<input type="hidden" name="action" value="deprecate">`
    : html`<div class="field"><label for="f-action">Action</label>
<select id="f-action" name="action"${violations.some((v) => v.path === '/action') ? html` aria-invalid="true"` : ''}>
<option value="register"${form.action !== 'update' ? html` selected` : ''}>register a new ${noun}</option>
<option value="update"${form.action === 'update' ? html` selected` : ''}>update a registered ${noun}</option>
</select></div>`}
${fieldsFor(kind, form.action).map((spec) => control(kind, spec, values, errorsOf(spec.name)))}
<div class="actions">
<button type="submit" name="intent" value="submit">Submit for review</button>
<button type="submit" name="intent" value="check" class="secondary">Check only</button>
</div>
</form>`
  return layout({ title, section: '/register', who: form.who, main })
}

export function submittedPage(registration: Registration, who: { name: string, role: string }): Html {
  const registry = REGISTRY_OF[registration.kind]
  const main = html`<h1>Registration ${registration.id} is <span class="badge pending">${registration.status}</span></h1>
<p class="notice good" role="status">Submitted on <time datetime="${registration.submittedAt}">${registration.submittedAt.slice(0, 10)}</time>:
a reviewer will approve or reject it. Follow it on <a href="/registrations#registration-${registration.id}">your registrations</a>.</p>
${registration.deprecation
    ? html`<p>A deprecation of ${registration.kind === 'capability' ? 'capability' : 'response code'} <span class="key">${registrationKey(registration)}</span>:</p>
${deprecationList(registry, registration.deprecation)}`
    : html`<p>${registration.action === 'update' ? 'An update of' : 'A new'} ${registration.kind === 'capability' ? 'capability' : 'response code'}:</p>
${fieldList(registry, registration.entry)}`}
${registration.warnings.length > 0 && html`<div class="notice"><h2>Warnings</h2><ul>${registration.warnings.map((w) => html`<li>${w.message}</li>`)}</ul></div>`}`
  return layout({ title: `Registration ${registration.id}`, section: '/register', who, main })
}

