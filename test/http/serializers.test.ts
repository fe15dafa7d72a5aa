import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import fastJsonStringify from 'fast-json-stringify'
import { describe, expect, it } from 'vitest'
import { CapabilityRecordSchema } from '../../schema/capability.ts'
import { responseSchemas } from '../../server/http/response-schemas.ts'
import { jsonSchemaOf, PRECOMPILED, serializerKey, WRITTEN_BY_HAND } from '../../server/http/serializer.ts'
import { startRegistry } from '../helpers.ts'

// npm run build (and test/compile.ts, before the suite) writes them; the compiled server uses them.
const FOLDER = new URL(`../../dist/server/http/${PRECOMPILED}/`, import.meta.url)
const require = createRequire(import.meta.url)
const precompiled = (jsonSchema: object) => new URL(`${serializerKey(jsonSchema)}.cjs`, FOLDER)

describe('the response serializers npm run build compiles', () => {
  it('cover every response schema of every route but those written by hand, so the compiled server compiles none', async () => {
    const schemas = [...await responseSchemas()]
    expect(schemas.length).toBeGreaterThanOrEqual(15)
    const missing = schemas.filter((schema) => !WRITTEN_BY_HAND.has(schema)).map(jsonSchemaOf).filter((jsonSchema) => !existsSync(precompiled(jsonSchema)))
    expect(missing, 'run npm run build').toEqual([])
  })

  it('write what fast-json-stringify compiled at run time writes, a union included', async () => {
    const registry = await startRegistry(':memory:', 'current')
    try {
      const { items } = (await registry.app.inject('/v1/capabilities?limit=100')).json() as { items: Record<string, unknown>[] }
      expect(items.some((item) => item.affectedCommands === 'all')).toBe(true)
      expect(items.some((item) => Array.isArray(item.affectedCommands) && item.affectedCommands.length > 0)).toBe(true)
      const jsonSchema = jsonSchemaOf(CapabilityRecordSchema)
      const ahead = require(precompiled(jsonSchema).pathname) as (data: unknown) => string
      const now = fastJsonStringify(jsonSchema)
      for (const item of items) expect(ahead(item)).toBe(now(item))
    } finally {
      await registry.close()
    }
  })
})
