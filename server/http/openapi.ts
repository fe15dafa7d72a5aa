import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { PROBLEM_KINDS } from './problems.ts'

const API_VERSION = '1.0.0'

type TransformObject = typeof jsonSchemaTransformObject
interface Response {
  description?: string
  content?: Record<string, { schema?: { $ref?: string } }>
}
interface Document {
  paths?: Record<string, Record<string, { responses?: Record<string, Response> }>>
  components?: { schemas?: Record<string, unknown>, [part: string]: unknown }
}

/** The names of the component schemas that a part of the document refers to. */
function referencedSchemas(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referencedSchemas(item, found)
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        found.add(value.slice('#/components/schemas/'.length))
      } else {
        referencedSchemas(value, found)
      }
    }
  }
  return found
}

const PROBLEM_REF = '#/components/schemas/Problem'
const problemTitle = (status: string) =>
  Object.values(PROBLEM_KINDS).find((kind) => String(kind.status) === status)?.title

/** Problem answers are application/problem+json (RFC 9457), which fastify-swagger cannot say itself. */
function describeProblemResponses(document: Document) {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const problem = Object.values(response.content ?? {}).find((media) => media.schema?.$ref === PROBLEM_REF)
        if (!problem) continue
        response.content = { 'application/problem+json': problem }
        response.description = problemTitle(status) ?? response.description
      }
    }
  }
}

/**
 * zod marks each registered schema as a resource of its own (`$schema`, `$id:
 * "#/components/schemas/X"`). Inside an OpenAPI document that `$id` makes the schema its own base
 * URI, so every `$ref` in it resolves against itself: Swagger UI then shows resolver errors and
 * renders schemas as "string". The names are the component keys already; the markers go.
 */
function withoutResourceMarkers(schemas: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => {
    if (!schema || typeof schema !== 'object') return [name, schema]
    const { $id: _id, $schema: _schema, ...rest } = schema as Record<string, unknown>
    return [name, rest]
  }))
}

/**
 * The zod registry's schemas, as fastify-type-provider-zod emits them, less those no operation
 * reaches (it emits an input and an output variant of every schema with an id, used or not),
 * in the order of their names, without their resource markers, with problem answers given their
 * own media type.
 */
const transformObject: TransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as Document
  const schemas = document.components?.schemas ?? {}
  const used = referencedSchemas(document.paths)
  for (let grew = true; grew;) {
    const before = used.size
    for (const name of [...used]) referencedSchemas(schemas[name], used)
    grew = used.size > before
  }
  document.components = {
    ...document.components,
    // By name: zod's registry holds them in the order their modules were first imported, which
    // differs between the CLI, a server and a test process that imported other modules first.
    schemas: withoutResourceMarkers(Object.fromEntries(Object.entries(schemas)
      .filter(([name]) => used.has(name))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))),
  }
  describeProblemResponses(document)
  return document as ReturnType<TransformObject>
}

/**
 * Makes the app generate its OpenAPI document from the routes added after this (`app.swagger()`).
 * Only the openapi command and its test do: the server serves the committed openapi.yaml, which
 * test/openapi.test.ts holds to what this generates.
 */
export async function installOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'POP3 Extension Mechanism registry',
        version: API_VERSION,
        description: 'The IANA registries of POP3 capabilities and response codes (RFC 2449): read them, and register new values.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: "Try it out" in /docs talks to whichever server served the document.
      servers: [{ url: '/', description: 'The server this document was loaded from' }],
      // Reads are anonymous; operations that need a token say so themselves.
      security: [],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token made with `pop3-registry token create --role submitter|reviewer|admin --name NAME`.',
          },
        },
      },
      tags: [
        { name: 'registry', description: 'The registry as a whole' },
        { name: 'capabilities', description: 'POP3 capabilities (CAPA tags)' },
        { name: 'response-codes', description: 'POP3 extended response codes' },
        { name: 'registrations', description: 'Submitting new values and reviewing them' },
        { name: 'check', description: 'Checking what a POP3 server announces against RFC 2449 and the registry' },
        { name: 'operations', description: 'Health, documentation and problem types' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject,
  })
}
