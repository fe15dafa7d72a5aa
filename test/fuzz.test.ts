import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, sampleCapability, sampleResponseCode, startRegistry, type TestRegistry } from './helpers.ts'

// The attack run, in the suite: thousands of random and mutated requests across every route, from a
// fixed seed (a failure names its seed and path, and repeats), against the real app and store.
// Properties of every answer: no 5xx; every error is a complete problem+json; no POST or error
// answer much larger than its request; a refused request changes nothing (the change feed's latest
// and the registrations stay as they were).
const SEED = 20_261_128
const RUNS = 700
// "Much larger": an answer may reach this whatever the request (a CAPA check of 100 registered
// tags embeds their entries), and beyond it no more than this many times the request.
const FLOOR_BYTES = 256 * 1024
const TIMES_REQUEST = 8

let registry: TestRegistry
let tokens: Record<'submitter' | 'other' | 'reviewer' | 'admin', Record<string, string>>
const statuses = new Map<number, number>()
let sent = 0

beforeAll(async () => {
  registry = await startRegistry()
  tokens = {
    submitter: bearer(registry.store, 'submitter', 'sam'),
    other: bearer(registry.store, 'submitter', 'olga'),
    reviewer: bearer(registry.store, 'reviewer', 'rita'),
    admin: bearer(registry.store, 'admin', 'ada'),
  }
  // Pending registrations for the decisions to find.
  for (let i = 0; i < 6; i++) {
    await registry.app.inject({ method: 'POST', url: '/v1/registrations', headers: i % 2 ? tokens.other : tokens.submitter,
      payload: { kind: 'capability', action: 'register', entry: sampleCapability(`FUZZ${i}`) } })
  }
})
afterAll(async () => {
  await registry.close()
  console.log(`fuzz: ${sent} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
})

interface Request {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS'
  url: string
  headers: Record<string, string>
  payload?: string
}

// ---- pieces of requests ----

const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', '\u200b', '\u007fX-FOO', 'x\r\nFAKE  none', '=1+1', '__proto__', '../../etc', '%ZZ', 'A'.repeat(600), '<a>&', '\ud800', '\ufffe'),
)
const segment = fc.oneof(
  fc.constantFrom('TOP', 'top', 'SASL', 'IN-USE', 'LOGIN-DELAY', 'SYS', 'TEMP', 'history', 'X-FOO', '.', '..', '', 'A'.repeat(2000)),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,20}$/),
  fc.stringMatching(/^(%[0-9A-Fa-f]{2}|%[G-Zg-z]{2}|%[0-9A-F]?)+$/),
)
const queryValue = fc.oneof(fc.constantFrom('0', '1', '-1', '500', '501', '9999-12-31', '2001-06-29', '2001-02-30', 'TRANSACTION', 'USER', 'bogus', ''), fc.string({ maxLength: 12 }).map(encodeURIComponent))
const query = fc.array(fc.tuple(fc.constantFrom('asOf', 'q', 'state', 'command', 'limit', 'cursor', 'since', 'status', 'x', 'asof'), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`))
const token = fc.constantFrom<'none' | 'bad' | keyof typeof tokens>('none', 'bad', 'submitter', 'other', 'reviewer', 'admin')
const authorization = (who: 'none' | 'bad' | keyof typeof tokens): Record<string, string> =>
  who === 'none' ? {} : who === 'bad' ? { authorization: 'Bearer p3r_000000000001_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } : tokens[who]

const reads = fc.record({
  base: fc.constantFrom('/v1/capabilities', '/v1/response-codes', '/v1/changes', '/v1/registry', '/v1/registry.json', '/v1/registry.xml',
    '/v1/registry.txt', '/v1/capabilities.csv', '/v1/response-codes.csv', '/problems', '/healthz', '/v1/registrations', '/openapi.yaml', '/v1'),
  segments: fc.array(segment, { maxLength: 3 }),
  query,
  accept: fc.constantFrom(undefined, 'application/json', 'text/csv', 'application/xml', '*/*', 'text/html;q=0'),
  who: token,
  method: fc.constantFrom<Request['method']>('GET', 'GET', 'GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT'),
}).map(({ base, segments, query, accept, who, method }): Request => ({
  method,
  url: `${[base, ...segments].join('/')}${query}`,
  headers: { ...authorization(who), ...(accept ? { accept } : {}) },
}))

/** A sound registration, then a few mutations of it: the bodies that reach the rules' corners. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), field: fc.constantFrom('tag', 'code', 'arguments', 'addedCommands', 'affectedCommands', 'announcedStates', 'announcementOptionalIn', 'validStates', 'references', 'discussion', 'definition', 'notes', 'lengthLimits', 'possibleDifferences', 'responseTypes', 'commands', 'colour'), value: fc.oneof(hostileText, fc.jsonValue({ maxDepth: 2 }), fc.array(hostileText, { maxLength: 4 })) }),
  fc.record({ op: fc.constant('delete' as const), field: fc.constantFrom('tag', 'code', 'discussion', 'references', 'arguments') }),
  fc.record({ op: fc.constant('top' as const), field: fc.constantFrom('kind', 'action', 'entry', 'extra'), value: fc.oneof(fc.constantFrom('capability', 'response-code', 'register', 'update', 'delete'), fc.jsonValue({ maxDepth: 1 })) }),
  fc.record({ op: fc.constant('many' as const), field: fc.constantFrom('validStates', 'references', 'addedCommands', 'notes'), count: fc.integer({ min: 100, max: 12_000 }) }),
)
const registrationBody = fc.record({
  kind: fc.constantFrom('capability', 'response-code'),
  action: fc.constantFrom('register', 'update'),
  key: fc.oneof(fc.constantFrom('TOP', 'NEWCAP', 'IN-USE', 'SYS/TEMP', 'X-NEW'), fc.stringMatching(/^[A-Z][A-Z0-9-]{2,10}$/)),
  mutations: fc.array(mutation, { maxLength: 3 }),
}).map(({ kind, action, key, mutations }) => {
  const body: Record<string, unknown> = { kind, action, entry: kind === 'capability' ? sampleCapability(key) : sampleResponseCode(key) }
  const entry = body.entry as Record<string, unknown>
  for (const m of mutations) {
    if (m.op === 'set') entry[m.field] = m.value
    else if (m.op === 'delete') delete entry[m.field]
    else if (m.op === 'top') body[m.field] = m.value
    else entry[m.field] = Array.from({ length: m.count }, (_, i) => (m.field === 'validStates' ? 'NO' : `RFC${i}`))
  }
  return JSON.stringify(body)
})

const capaLines = fc.array(fc.oneof(fc.constantFrom('TOP', 'SASL PLAIN LOGIN', 'LOGIN-DELAY900', 'PIPELINNG', 'X-FOO', 'EXPIRE soon', '', '.'), hostileText), { maxLength: 150 })
const checkBody = fc.oneof(
  fc.record({ before: capaLines, after: fc.option(capaLines, { nil: undefined }) })
    .map(({ before, after }) => JSON.stringify({ before: ['+OK', ...before, '.', ''].join('\r\n'), ...(after ? { after: ['+OK', ...after].join('\n') } : {}) })),
  fc.record({ line: hostileText, command: fc.option(hostileText, { nil: undefined }) }).map((body) => JSON.stringify(body)),
)

const contentType = fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', '')
const malformed = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('{', '{"kind":', 'null', '[]', '""', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '1e999999', '{"a":'.repeat(500)))

const writes = fc.record({
  path: fc.oneof(
    fc.constantFrom('/v1/registrations/validate', '/v1/registrations', '/v1/check/capa', '/v1/check/response', '/v1/capabilities'),
    fc.tuple(fc.oneof(fc.integer({ min: 1, max: 9 }).map(String), fc.constantFrom('0', '-1', 'abc', '1e3', '99999999999999999999', '%ZZ')), fc.constantFrom('approve', 'reject', 'withdraw', 'nothing'))
      .map(([id, action]) => `/v1/registrations/${id}/${action}`),
  ),
  body: fc.oneof(registrationBody, registrationBody, checkBody, malformed, fc.record({ reason: hostileText }).map((b) => JSON.stringify(b)), fc.constant(undefined)),
  type: contentType,
  who: token,
}).map(({ path, body, type, who }): Request => ({
  method: 'POST',
  url: path,
  headers: { ...authorization(who), ...(body !== undefined && type ? { 'content-type': type } : {}) },
  ...(body === undefined ? {} : { payload: body }),
}))

// ---- the properties ----

const latestSeq = () => registry.store.changes.latest().seq
const registrationCount = () => (registry.db.prepare('SELECT count(*) AS n, max(coalesce(decided_at, \'\')) AS d FROM registrations').get() as { n: number, d: string })

async function send(request: Request): Promise<void> {
  const before = { seq: latestSeq(), registrations: registrationCount() }
  const response: LightMyRequestResponse = await registry.app.inject({ method: request.method, url: request.url, headers: request.headers, ...(request.payload === undefined ? {} : { payload: request.payload }) })
  sent++
  statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
  const what = `${request.method} ${request.url.slice(0, 120)} → ${response.statusCode}: ${response.body.slice(0, 300)}`
  expect(response.statusCode, what).toBeLessThan(500)
  if (response.statusCode >= 400) {
    expect(String(response.headers['content-type']), what).toMatch(/^application\/problem\+json/)
    // A HEAD answer has the headers of a GET and no body.
    if (request.method !== 'HEAD') {
      const problem = response.json() as Record<string, unknown>
      expect(problem, what).toMatchObject({ type: expect.stringMatching(/^\/problems\//), title: expect.any(String), status: response.statusCode, detail: expect.any(String) })
    }
    expect({ seq: latestSeq(), registrations: registrationCount() }, `a refused request changed something: ${what}`).toEqual(before)
  }
  if (request.method === 'POST' || response.statusCode >= 400) {
    const requestBytes = Buffer.byteLength(request.url) + Buffer.byteLength(request.payload ?? '')
    expect(response.rawPayload.length, what).toBeLessThanOrEqual(Math.max(FLOOR_BYTES, TIMES_REQUEST * requestBytes))
  }
}

const params = (offset: number) => ({ seed: SEED + offset, numRuns: RUNS, endOnFailure: true })

describe('fuzzing every route (fast-check, fixed seed)', () => {
  it('reads: random paths, segments, %-escapes, queries, Accept and methods', async () => {
    await fc.assert(fc.asyncProperty(reads, send), params(0))
  })

  it('writes: mutated registrations, check bodies, malformed JSON, wrong content types, bad and good tokens, decisions', async () => {
    await fc.assert(fc.asyncProperty(writes, send), params(1))
  })

  it('a mix of both, in sequences, so that earlier writes shape later reads', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(reads, writes), { minLength: 1, maxLength: 6 }), async (requests) => {
      for (const request of requests) await send(request)
    }), { ...params(2), numRuns: Math.round(RUNS / 3) })
  })
})
