import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { indentJson } from '../../server/publish/indent-json.ts'

describe('indentJson', () => {
  it('lays out any JSON as JSON.stringify(value, null, 2) does, however the text is cut into chunks', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 8 }), (value, cuts) => {
      const text = JSON.stringify(value)
      const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b)
      const chunks = [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length))
      expect([...indentJson(chunks)].join('')).toBe(JSON.stringify(value, null, 2))
    }), { numRuns: 500 })
  })

  it('keeps brackets and quotes inside strings as they are', () => {
    const value = { 'a,b': ['x{"}]:[', '\\', ''], empty: {}, none: [], nested: [[{}]] }
    expect([...indentJson(['{"a,b":["x{\\"}]:[', '","\\\\",""],"empty":{},"none":[],"nested":[[{}]]}'])].join(''))
      .toBe(JSON.stringify(value, null, 2))
  })
})
