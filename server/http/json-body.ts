import type { FastifyInstance } from 'fastify'
import { pointerSegment } from '../../schema/problem.ts'
import { HttpProblem } from './problems.ts'

// Cheap to test for, and present in every body that could carry a poisoning key.
const MAYBE_POISON = /proto|constructor|\\u/

/** A key through which a merge of the parsed body could reach Object.prototype. */
function poisonedKey(value: unknown, path = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    const here = `${path}/${pointerSegment(key)}`
    if (key === '__proto__') return here
    if (key === 'constructor' && item !== null && typeof item === 'object' && Object.hasOwn(item, 'prototype')) return here
    const deeper = poisonedKey(item, here)
    if (deeper) return deeper
  }
  return undefined
}

/**
 * JSON bodies, told apart as they fail: not JSON at all (400 malformed-json, with the parser's
 * reason), or JSON with a "__proto__" key (422, a field no request takes). Only JSON is read: any
 * other media type, text/plain included, is 415.
 */
export function installJsonBodies(app: FastifyInstance) {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    if (text.trim() === '') return done(new HttpProblem('malformed-json', 'The body is empty; send a JSON document.'), undefined)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      return done(new HttpProblem('malformed-json', `The body is not JSON: ${(error as Error).message}.`), undefined)
    }
    const poisoned = MAYBE_POISON.test(text) ? poisonedKey(value) : undefined
    if (poisoned !== undefined) {
      const message = `"${poisoned.split('/').pop()}" is not a field any request takes`
      return done(new HttpProblem('rule-violations', `${poisoned}: ${message}.`, [{ path: poisoned, rule: 'unknown-field', message }]), undefined)
    }
    done(null, value)
  })
}
