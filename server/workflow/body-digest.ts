import { createHash } from 'node:crypto'

/** JSON with every object's keys in code-point order and no spaces: one text per parsed value. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * The SHA-256 (hex) of a request body as parsed: two bodies that differ only in the order of
 * their fields or in white space have the same digest. It is taken of the body as sent, not as
 * the rules read it, so that it does not change when the registry does (a retried registration
 * whose tag was approved meanwhile is still the same body).
 */
export const bodyDigest = (body: unknown): string =>
  createHash('sha256').update(canonicalJson(body)).digest('hex')
