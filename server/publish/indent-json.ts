/**
 * Indents JSON text arriving in chunks, as JSON.stringify(value, null, 2) would lay it out, without
 * ever holding the whole document: the export runs to hundreds of megabytes. The input is compact
 * JSON (no whitespace outside strings), as JSON.stringify writes it.
 */
export function* indentJson(chunks: Iterable<string>, indent = '  '): Generator<string> {
  let depth = 0
  let inString = false
  let escaped = false
  // An opening bracket whose contents are not yet known: `[]` and `{}` stay on one line.
  let opened = false
  for (const chunk of chunks) {
    let out = ''
    let from = 0
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (inString) {
        if (escaped) escaped = false
        else if (c === 0x5c) escaped = true
        else if (c === 0x22) inString = false
        continue
      }
      const closing = c === 0x7d || c === 0x5d
      if (opened) {
        opened = false
        if (!closing) out += `\n${indent.repeat(depth)}`
        else {
          depth--
          continue
        }
      }
      if (c === 0x22) {
        inString = true
      } else if (c === 0x7b || c === 0x5b) {
        out += chunk.slice(from, i + 1)
        from = i + 1
        depth++
        opened = true
      } else if (closing) {
        out += `${chunk.slice(from, i)}\n${indent.repeat(--depth)}`
        from = i
      } else if (c === 0x2c) {
        out += `${chunk.slice(from, i + 1)}\n${indent.repeat(depth)}`
        from = i + 1
      } else if (c === 0x3a) {
        out += `${chunk.slice(from, i + 1)} `
        from = i + 1
      }
    }
    yield out + chunk.slice(from)
  }
}
