import { announcedCell, capabilityCells, responseCodeCells, type Footnote } from './cells.ts'
import type { Snapshot } from './snapshot.ts'

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' })[c]};`)
const element = (name: string, text: string) => `<${name}>${escape(text)}</${name}>`

/** A reference as IANA's XML cites it: an RFC by number, anything else as a URI. */
function xref(reference: string): string {
  return /^RFC\d+$/.test(reference)
    ? `<xref type="rfc" data="${reference.toLowerCase()}"/>`
    : `<xref type="uri" data="${escape(reference)}"/>`
}

// Both sub-registries were made by RFC 2449 §7, as IANA's own XML cites them.
const DEFINED_BY = 'RFC2449'

const footnotes = (notes: Footnote[]) => notes.map((note) => `    <footnote anchor="${note.anchor}">${escape(note.text)}</footnote>`)

/** The registry in IANA's registry XML shape (http://www.iana.org/assignments). */
export function registryXml(snapshot: Snapshot): string {
  const { metadata } = snapshot
  const rules = Object.fromEntries(metadata.subRegistries.map((sub) => [sub.id, sub]))
  const capabilityNotes = snapshot.footnotes.capabilities
  const codeNotes = snapshot.footnotes['response-codes']
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<registry xmlns="http://www.iana.org/assignments" id="${metadata.id}">`,
    `  ${element('title', metadata.title)}`,
    `  ${element('updated', metadata.lastUpdated)}`,
    `  ${element('note', metadata.note)}`,
    `  <registry id="${metadata.id}-1">`,
    `    ${element('title', rules.capabilities?.title ?? 'POP3 capabilities')}`,
    `    ${xref(DEFINED_BY)}`,
    `    ${element('registration_rule', rules.capabilities?.registrationProcedure ?? '')}`,
    ...snapshot.capabilities.map((entry) => {
      const [tag, args, added, affected, , diffs, valid] = capabilityCells(entry, capabilityNotes)
      return [
        '    <record>',
        `      ${element('capa_tag', tag!)}`,
        `      ${element('capa_args', args!)}`,
        `      ${element('added_cmds', added!)}`,
        `      ${element('cmds_affected', affected!)}`,
        `      ${element('list', announcedCell(entry))}`,
        `      ${element('diffs', diffs!)}`,
        `      ${element('cmd_valid', valid!)}`,
        ...entry.references.map((reference) => `      ${xref(reference)}`),
        '    </record>',
      ].join('\n')
    }),
    ...footnotes(capabilityNotes),
    '  </registry>',
    `  <registry id="${metadata.id}-2">`,
    `    ${element('title', rules['response-codes']?.title ?? 'POP3 Response Codes')}`,
    `    ${xref(DEFINED_BY)}`,
    `    ${element('registration_rule', rules['response-codes']?.registrationProcedure ?? '')}`,
    ...snapshot.responseCodes.map((entry) => {
      const [code, types, commands] = responseCodeCells(entry, codeNotes)
      return [
        '    <record>',
        `      ${element('value', code!)}`,
        `      ${element('response_types', types!)}`,
        `      ${element('commands', commands!)}`,
        ...entry.references.map((reference) => `      ${xref(reference)}`),
        '    </record>',
      ].join('\n')
    }),
    ...footnotes(codeNotes),
    '  </registry>',
    '</registry>',
  ]
  return `${lines.join('\n')}\n`
}
