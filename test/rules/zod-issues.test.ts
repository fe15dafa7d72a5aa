import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseRequestPart } from '../../server/rules/zod-issues.ts'

describe('parsing a request part', () => {
  it('keeps a compiled schema on its fast path after a parse its fast path refused', () => {
    // A schema with a fast path of our own making (zod's public way to install one), which counts
    // the parses it is asked: zod's runtime answers when it refuses.
    let asked = 0
    const fastPath = (input: unknown) => {
      asked += 1
      const value = (input as { name?: unknown } | null)?.name
      return typeof value === 'string' ? { name: value } : z.core.INVALID
    }
    const schema = z.core.withParser(z.strictObject({ name: z.string() }), fastPath)
    const refused = parseRequestPart(schema, { name: 1 })
    expect(refused.success ? [] : refused.violations.map((v) => [v.path, v.rule])).toEqual([['/name', 'type']])
    expect(asked).toBe(1)
    expect(parseRequestPart(schema, { name: 'a' })).toEqual({ success: true, data: { name: 'a' } })
    expect(asked).toBe(2)
  })
})
