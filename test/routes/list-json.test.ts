import fastJsonStringify from 'fast-json-stringify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CapabilityRecordSchema, type Capability } from '../../schema/capability.ts'
import { pageSchema } from '../../schema/list.ts'
import { ResponseCodeRecordSchema, type ResponseCode } from '../../schema/response-code.ts'
import { decodeCursor, encodeCursor } from '../../server/http/cursor.ts'
import { capabilityRecord, responseCodeRecord } from '../../server/http/links.ts'
import { jsonSchemaOf } from '../../server/http/serializer.ts'
import type { ListFilter } from '../../server/store/entries.ts'
import { approveRegistration, sampleCapability, sampleResponseCode, startRegistry, type TestRegistry } from '../helpers.ts'

// The list pages' JSON is made by SQLite from the stored documents and sent past the serializer
// (entry-queries.ts SHAPES): every byte must be what the page schema's serializer writes of the
// entries as the store reads them.
const serialize = {
  'capabilities': fastJsonStringify(jsonSchemaOf(pageSchema(CapabilityRecordSchema))) as unknown as (page: unknown) => string,
  'response-codes': fastJsonStringify(jsonSchemaOf(pageSchema(ResponseCodeRecordSchema))) as unknown as (page: unknown) => string,
}

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry(':memory:', 'current')
  const { capabilities, responseCodes } = registry.store
  const at = '2024-05-06T07:08:09.000Z'
  // Published as objects with their keys out of order and a property the schema does not know:
  // stored, they hold the schema's fields alone, in its order.
  const { tag: _tag, ...rest } = sampleCapability('X-Odd+Tag', {
    discussion: 'Quotes " and \\ backslashes, \u2028 a line separator, é, 𝄞 and <b>.',
    notes: ['USER: a note'], lengthLimits: 'none', announcementOptionalIn: ['TRANSACTION'],
  })
  capabilities.publish({ extra: 'dropped', ...rest, tag: 'X-Odd+Tag' } as unknown as Capability, { at, action: 'register' })
  const { code: _code, ...codeRest } = sampleResponseCode('ODD/CODE%1', { notes: ['a note'] })
  responseCodes.publish({ ...codeRest, extra: 1, code: 'ODD/CODE%1' } as unknown as ResponseCode, { at, action: 'register' })
  // A deprecation that names its replacement, through the API.
  await approveRegistration(registry, { kind: 'response-code', action: 'deprecate', entry: { code: 'SYS/TEMP' }, reason: 'Replaced.', replacedBy: 'SYS/PERM' })
})
afterAll(async () => { await registry.close() })

const LISTS = {
  'capabilities': [
    {}, { limit: 3 }, { state: 'TRANSACTION', limit: 4 }, { command: 'user' }, { command: 'RETR', limit: 2 }, { q: 'odd' },
    { q: 's', limit: 5 }, { status: 'active', limit: 7 }, { asOf: '2005-01-01' }, { asOf: '2001-06-29', limit: 3 },
    { asOf: '9999-12-31', state: 'AUTHORIZATION', command: 'AUTH' }, { state: 'update', status: 'active' },
  ],
  'response-codes': [
    {}, { limit: 2 }, { status: 'deprecated' }, { command: 'PASS', limit: 3 }, { q: 'sys/' }, { asOf: '2010-01-01', limit: 4 },
  ],
} as const

describe('a list page', () => {
  for (const [name, queries] of Object.entries(LISTS) as [keyof typeof LISTS, readonly Record<string, string | number>[]][]) {
    it(`of ${name} is, page after page and for every filter, the bytes the page schema's serializer writes`, async () => {
      const store = name === 'capabilities' ? registry.store.capabilities : registry.store.responseCodes
      const toRecord = (name === 'capabilities' ? capabilityRecord : responseCodeRecord) as (entry: unknown) => unknown
      let pages = 0
      for (const query of queries) {
        let cursor: string | null | undefined
        do {
          const search = new URLSearchParams({ ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])), ...(cursor ? { cursor } : {}) })
          const response = await registry.app.inject(`/v1/${name}?${search}`)
          expect(response.statusCode, response.body).toBe(200)
          expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
          const filter = {
            ...query, limit: Number(query.limit ?? 100), after: cursor ? decodeCursor(cursor) : undefined,
            ...(typeof query.state === 'string' ? { state: query.state.toUpperCase() } : {}),
            ...(typeof query.command === 'string' ? { command: query.command.toUpperCase() } : {}),
          } as ListFilter
          const page = store.list(filter)
          const expected = serialize[name]({
            items: page.items.map(toRecord), total: page.total,
            nextCursor: page.lastPosition === undefined ? null : encodeCursor(page.lastPosition),
          })
          expect(response.body).toBe(expected)
          cursor = (JSON.parse(response.body) as { nextCursor: string | null }).nextCursor
          pages++
        } while (cursor)
      }
      // Some lists took more than one page.
      expect(pages).toBeGreaterThan(queries.length)
    })
  }

  it('shows an entry published with its keys out of order in the schema\'s order, without what the schema does not hold', async () => {
    const body = (await registry.app.inject('/v1/capabilities?q=odd%2Btag')).body
    // The serializer writes the required fields, then the optional ones: those of the entry, then replacedBy.
    expect(body).toBe('{"items":[{"tag":"X-Odd+Tag","arguments":[],"addedCommands":[],"affectedCommands":[],'
      + '"announcedStates":["AUTHORIZATION","TRANSACTION"],"possibleDifferences":false,"validStates":[],"references":["RFC2449"],'
      + '"discussion":"Quotes \\" and \\\\ backslashes, \u2028 a line separator, é, 𝄞 and <b>.","status":"active",'
      + '"registeredAt":"2024-05-06","updatedAt":"2024-05-06",'
      + '"links":{"self":"/v1/capabilities/X-Odd%2BTag","history":"/v1/capabilities/X-Odd%2BTag/history"},'
      + '"announcementOptionalIn":["TRANSACTION"],"lengthLimits":"none","notes":["USER: a note"]}],"total":1,"nextCursor":null}')
    expect(body).not.toContain('extra')
    const codes = (await registry.app.inject('/v1/response-codes?q=odd')).body
    expect(codes).toBe('{"items":[{"code":"ODD/CODE%1","responseTypes":["-ERR"],"commands":["PASS"],"definition":"A test response code ODD/CODE%1.",'
      + '"references":["RFC2449"],"status":"active","registeredAt":"2024-05-06","updatedAt":"2024-05-06",'
      + '"links":{"self":"/v1/response-codes/ODD%2FCODE%251","history":"/v1/response-codes/ODD%2FCODE%251/history"},"notes":["a note"]}],"total":1,"nextCursor":null}')
    const deprecated = (await registry.app.inject('/v1/response-codes?status=deprecated')).body
    expect(deprecated).toContain('"links":{"self":"/v1/response-codes/SYS%2FTEMP","history":"/v1/response-codes/SYS%2FTEMP/history"},"replacedBy":"SYS/PERM"}]')
  })
})
