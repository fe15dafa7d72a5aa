import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { FastifySerializerCompiler } from 'fastify'
import { z } from 'zod'
import { ValidationResultSchema } from '../../schema/registration.ts'
import { projectFile } from '../project-files.ts'
import { validationResultJson } from './validation-result-json.ts'

type Serialize = (data: unknown) => string
type FastJsonStringify = typeof import('fast-json-stringify').default

const require = createRequire(import.meta.url)

/**
 * The folder of serializers `npm run build` compiles ahead of time (precompile-serializers.ts),
 * beside the compiled serializer.ts in dist/; found through the project's folder, since the
 * server runs from a bundle of dist/ elsewhere. The sources, run through tsx, use none and
 * compile each when first used.
 */
export const PRECOMPILED = 'serializers.generated'
export const PRECOMPILED_FOLDER = projectFile(`dist/server/http/${PRECOMPILED}/`)
const COMPILED = import.meta.url.endsWith('.js')

/**
 * Serializes responses with fastify's compiled serializer (fast-json-stringify), built from the
 * route's zod response schema: far cheaper than validating each response with zod. The schemas
 * still shape the output (unknown properties are left out), and the types keep the handlers
 * honest. Each schema's serializer is made on its first response rather than at start-up: from
 * the code `npm run build` compiled for that very JSON Schema when there is one, which spares the
 * start-up fast-json-stringify and Ajv (loading them, and compiling Ajv's validator of a union,
 * was a fifth of a start-up to the first answer); otherwise compiled then. A schema in
 * WRITTEN_BY_HAND is serialized by its own writer instead, which writes the same bytes.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) => {
  let serialize = serializers.get(schema) ?? WRITTEN_BY_HAND.get(schema)
  if (!serialize) {
    let compiled: Serialize | undefined
    serialize = (data) => (compiled ??= compile(schema))(data)
    serializers.set(schema, serialize)
  }
  return serialize
}

const serializers = new WeakMap<z.ZodType, Serialize>()

/** Answers written on every request of a hot route, whose writer costs a fraction of the serializer's. */
export const WRITTEN_BY_HAND = new Map<z.ZodType, Serialize>([
  [ValidationResultSchema, validationResultJson as Serialize],
])

/** The JSON Schema a response schema is serialized by. */
export const jsonSchemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as Parameters<FastJsonStringify>[0]

/** What a precompiled serializer is found by: its JSON Schema's digest, so a changed schema never finds a stale one. */
export const serializerKey = (jsonSchema: object) => createHash('sha256').update(JSON.stringify(jsonSchema)).digest('base64url')

function precompiledSerializer(jsonSchema: object): Serialize | undefined {
  if (!COMPILED) return undefined
  const name = `${serializerKey(jsonSchema)}.cjs`
  const file = fileURLToPath(new URL(name, PRECOMPILED_FOLDER))
  try {
    return require(file) as Serialize
  } catch (error) {
    const { code, message } = error as { code?: string, message: string }
    if (code !== 'MODULE_NOT_FOUND' || !message.includes(name)) throw error
    return undefined
  }
}

function compile(schema: z.ZodType): Serialize {
  const jsonSchema = jsonSchemaOf(schema)
  const ready = precompiledSerializer(jsonSchema)
  if (ready) return ready
  const fastJsonStringify = require('fast-json-stringify') as FastJsonStringify
  return fastJsonStringify(jsonSchema) as unknown as Serialize
}
