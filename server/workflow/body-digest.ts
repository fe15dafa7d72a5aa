import { hash } from 'node:crypto'

/** JSON with every object's keys in code-point order and no spaces: one text per parsed value. */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  let text: string
  if (Array.isArray(value)) {
    text = '['
    for (let index = 0; index < value.length; index++) text += `${index === 0 ? '' : ','}${canonicalJson(value[index])}`
    return `${text}]`
  }
  const keys = Object.keys(value).sort()
  text = '{'
  for (let index = 0; index < keys.length; index++) {
    text += `${index === 0 ? '' : ','}${JSON.stringify(keys[index])}:${canonicalJson((value as Record<string, unknown>)[keys[index]!])}`
  }
  return `${text}}`
}

/**
 * The SHA-256 (hex) of a request body as parsed: two bodies that differ only in the order of
 * their fields or in white space have the same digest. It is taken of the body as sent, not as
 * the rules read it, so that it does not change when the registry does (a retried registration
 * whose tag was approved meanwhile is still the same body).
 */
export const bodyDigest = (body: unknown): string => hash('sha256', canonicalJson(body))
