import { describe, expect, it } from 'vitest'
import { parseCapaResponse } from '../../server/check/capa-parser.ts'

const crlf = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join('')
const ids = (raw: string) => parseCapaResponse(raw).findings.map((finding) => finding.id)

describe('parseCapaResponse', () => {
  it('reads a well-formed response: tags, parameters, nothing to report', () => {
    const parsed = parseCapaResponse(crlf('+OK Capability list follows', 'TOP', 'SASL PLAIN LOGIN', 'LOGIN-DELAY 900 USER', '.'))
    expect(parsed.status).toBe('+OK')
    expect(parsed.terminated).toBe(true)
    expect(parsed.capabilities.map(({ tag, params, line }) => ({ tag, params, line }))).toEqual([
      { tag: 'TOP', params: [], line: 1 },
      { tag: 'SASL', params: ['PLAIN', 'LOGIN'], line: 2 },
      { tag: 'LOGIN-DELAY', params: ['900', 'USER'], line: 3 },
    ])
    expect(parsed.findings).toEqual([])
  })

  it('reads bare LF line endings, and reports them', () => {
    const parsed = parseCapaResponse('+OK\nTOP\nUIDL\n.\n')
    expect(parsed.capabilities.map((c) => c.tag)).toEqual(['TOP', 'UIDL'])
    expect(parsed.findings).toEqual([expect.objectContaining({ id: 'capa-bare-lf', severity: 'warning' })])
  })

  it.each([
    ['a missing terminator', crlf('+OK', 'TOP'), 'capa-unterminated', 'error'],
    ['no status line', crlf('TOP', '.'), 'capa-status', 'error'],
    ['a line over 512 octets', crlf('+OK', `X-LONG ${'a'.repeat(520)}`, '.'), 'capa-line-too-long', 'error'],
    ['a tag with a "."', crlf('+OK', 'TOP.X', '.'), 'capa-tag-syntax', 'error'],
    ['an empty line', crlf('+OK', 'TOP', '', '.'), 'capa-empty-line', 'error'],
    ['two spaces between parameters', crlf('+OK', 'SASL PLAIN  LOGIN', '.'), 'capa-param-syntax', 'error'],
    ['a line after the terminator', crlf('+OK', 'TOP', '.', 'UIDL'), 'capa-after-terminator', 'error'],
    ['a tag announced twice, in another case', crlf('+OK', 'TOP', 'top', '.'), 'capa-duplicate-tag', 'warning'],
    ['-ERR: CAPA not supported', crlf('-ERR unknown command'), 'capa-not-supported', 'info'],
  ])('reports %s', (_name, raw, id, severity) => {
    expect(parseCapaResponse(raw).findings).toContainEqual(expect.objectContaining({ id, severity }))
  })

  it('tags each finding with the state and line it is about', () => {
    const [finding] = parseCapaResponse(crlf('+OK', 'TOP', 'A.B', '.'), 'after').findings
    expect(finding).toMatchObject({ id: 'capa-tag-syntax', state: 'after', line: 2, tag: 'A.B', rfc: 'RFC 2449 §3' })
    expect(ids(crlf('+OK', 'TOP', '.'))).toEqual([])
  })
})
