// `npm run build` runs this, compiled, after tsc: it writes, into a folder beside the compiled
// serializer.ts, a module for each response schema of the routes, named by the digest of its JSON
// Schema: fast-json-stringify's standalone code, its Ajv validators inlined, so that the server
// loads neither fast-json-stringify nor Ajv, and compiles nothing, to answer (a schema it writes by
// hand needs none). See serializer.ts.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import fastJsonStringify from 'fast-json-stringify'
import { responseSchemas } from './response-schemas.ts'
import { jsonSchemaOf, PRECOMPILED, PRECOMPILED_FOLDER, serializerKey, WRITTEN_BY_HAND } from './serializer.ts'

const folder = PRECOMPILED_FOLDER
rmSync(folder, { recursive: true, force: true })
mkdirSync(folder)
const keys = new Set<string>()
for (const schema of await responseSchemas()) {
  if (WRITTEN_BY_HAND.has(schema)) continue
  const jsonSchema = jsonSchemaOf(schema)
  const key = serializerKey(jsonSchema)
  if (keys.has(key)) continue
  keys.add(key)
  const code = fastJsonStringify(jsonSchema, { mode: 'standalone', inlineValidators: true }) as unknown as string
  writeFileSync(new URL(`${key}.cjs`, folder), code)
}
process.stdout.write(`precompiled ${keys.size} response serializers into ${PRECOMPILED}/\n`)
