import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp, type App, type AppOptions } from '../server/app.ts'
import type { SeedName } from '../schema/seed.ts'
import { openRegistry } from '../server/registry-file.ts'
import type { Database } from '../server/store/database.ts'
import { createStore, type Store } from '../server/store/index.ts'

export interface TestRegistry {
  app: App
  db: Database
  store: Store
  close(): Promise<void>
}

/**
 * A server over its own freshly seeded database (in memory unless a path is given), seeded as
 * `seed` says: IANA's registry as it stands ('current', the default) or the 2001 set ('initial').
 */
export async function startRegistry(path = ':memory:', options: SeedName | (Omit<AppOptions, 'db'> & { seed?: SeedName }) = {}): Promise<TestRegistry> {
  const { seed = 'current', ...appOptions } = typeof options === 'string' ? { seed: options } : options
  const { db } = openRegistry(path, seed)
  // Every request of a test comes from one client; the rate limit's own tests turn it on.
  const app = await buildApp({ db, ...appOptions, limits: { RATE_LIMIT: 0, ...appOptions.limits } })
  await app.ready()
  return {
    app,
    db,
    store: createStore(db),
    async close() {
      await app.close()
      db.close()
    },
  }
}

/** A folder that is removed when the returned function is called. */
export function tempDir(): { path: string, remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'pop3-registry-test-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

export function expectProblem(response: LightMyRequestResponse, status: number) {
  const body = response.json() as { type: string, title: string, status: number, detail: string, violations?: unknown[] }
  if (response.statusCode !== status) {
    throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body}`)
  }
  if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${response.headers['content-type']}`)
  }
  if (body.status !== status || !body.type || !body.title || !body.detail) {
    throw new Error(`not a complete problem body: ${response.body}`)
  }
  return body
}

/** A capability that breaks no rule, for tests that publish one. */
export function sampleCapability(tag: string, overrides: Record<string, unknown> = {}) {
  return {
    tag,
    arguments: [],
    addedCommands: [],
    affectedCommands: [],
    announcedStates: ['AUTHORIZATION', 'TRANSACTION'] as ('AUTHORIZATION' | 'TRANSACTION')[],
    possibleDifferences: false,
    validStates: [],
    references: ['RFC2449'],
    discussion: `A test capability ${tag}.`,
    ...overrides,
  }
}

/** A bearer header for a new token of the role. */
export function bearer(store: Store, role: 'submitter' | 'reviewer' | 'admin', name = `${role}-1`) {
  return { authorization: `Bearer ${store.tokens.create(name, role).token}` }
}

/** A sample response code that breaks no rule. */
export function sampleResponseCode(code: string, overrides: Record<string, unknown> = {}) {
  return {
    code,
    responseTypes: ['-ERR'],
    commands: ['PASS'],
    definition: `A test response code ${code}.`,
    references: ['RFC2449'],
    ...overrides,
  }
}

/** A registry answering in process: a TestRegistry, or any app with a store over its database. */
interface InProcess { app: App, store: Store }

/** Submits a registration, by default as a maintainer (sam); the answer as it came. */
export function submitRegistration(registry: InProcess, body: object, headers: Record<string, string> = bearer(registry.store, 'submitter', 'sam')) {
  return registry.app.inject({ method: 'POST', url: '/v1/registrations', headers, payload: body })
}

/** Submits a registration as a maintainer (sam) and approves it as a reviewer (rita); returns the decided registration. */
export async function approveRegistration(registry: InProcess, body: object) {
  const submitted = await submitRegistration(registry, body)
  if (submitted.statusCode !== 201) throw new Error(`submitting: expected 201, got ${submitted.statusCode}: ${submitted.body}`)
  const approved = await registry.app.inject({ method: 'POST', url: `/v1/registrations/${submitted.json().id}/approve`, headers: bearer(registry.store, 'reviewer', 'rita') })
  if (approved.statusCode !== 200) throw new Error(`approving: expected 200, got ${approved.statusCode}: ${approved.body}`)
  return approved.json() as Record<string, unknown>
}
