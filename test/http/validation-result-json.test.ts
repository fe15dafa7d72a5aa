import fc from 'fast-check'
import fastJsonStringify from 'fast-json-stringify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_LISTED, ViolationSchema, WarningSchema } from '../../schema/problem.ts'
import { ValidationResultSchema, type ValidationResult } from '../../schema/registration.ts'
import { RULES, WARNINGS } from '../../schema/rules.ts'
import { jsonSchemaOf } from '../../server/http/serializer.ts'
import { validationResultJson } from '../../server/http/validation-result-json.ts'
import { sampleCapability, sampleResponseCode, startRegistry, type TestRegistry } from '../helpers.ts'

// What the route wrote before its answer was written by hand, and what npm run build precompiles
// for any other schema: fast-json-stringify's serializer of the schema.
const serializer = fastJsonStringify(jsonSchemaOf(ValidationResultSchema)) as unknown as (result: ValidationResult) => string

// Strings made mostly of what JSON escapes, or might: quotes, backslashes, controls, lone and
// paired surrogates, U+2028/U+2029, DEL, C1 controls, non-ASCII letters.
const TRICKY = ['"', '\\', '/', '\u0000', '\b', '\t', '\n', '\u001F', '\u007F', '\u0085', '\u2028', '\u2029', '\uD800', '\uDFFF', '\uD83D\uDE00', '§', '…', 'é', 'a', ' ', '{']
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ maxLength: 120 }),
)
const finding = (rules: string[]) => fc.record({ path: text, rule: fc.oneof(fc.constantFrom(...rules), text), message: text })
const result = fc.record({
  valid: fc.boolean(),
  violations: fc.array(finding(Object.keys(RULES)), { maxLength: 6 }),
  warnings: fc.array(finding(Object.keys(WARNINGS)), { maxLength: 4 }),
  violationsNotListed: fc.option(fc.nat(), { nil: undefined }),
  warningsNotListed: fc.option(fc.nat(), { nil: undefined }),
}, { requiredKeys: ['valid', 'violations', 'warnings'] }) as fc.Arbitrary<ValidationResult>

describe('the validation answer written by hand', () => {
  it('is byte for byte what the schema\'s serializer writes, for any findings and counts', () => {
    fc.assert(fc.property(result, (value) => {
      expect(validationResultJson(value)).toBe(serializer(value))
    }), { seed: 20_261_128, numRuns: 3000 })
  })

  it('knows every field the schemas have (a field added to them must be added to the writer)', () => {
    expect(Object.keys(ValidationResultSchema.shape)).toEqual(['valid', 'violations', 'violationsNotListed', 'warnings', 'warningsNotListed'])
    expect(Object.keys(ViolationSchema.shape)).toEqual(['path', 'rule', 'message'])
    expect(Object.keys(WarningSchema.shape)).toEqual(['path', 'rule', 'message'])
  })

  it('keeps the schema\'s order when the object\'s own differs, and leaves out what the schema has not', () => {
    const violation = { message: 'm "q"', rule: 'syntax', path: '/entry/tag', extra: 1 }
    const value = { warningsNotListed: 2, warnings: [], violationsNotListed: 1, violations: [violation], valid: false } as unknown as ValidationResult
    expect(validationResultJson(value)).toBe(serializer(value))
    expect(validationResultJson(value)).toBe('{"valid":false,"violations":[{"path":"/entry/tag","rule":"syntax","message":"m \\"q\\""}],"warnings":[],"violationsNotListed":1,"warningsNotListed":2}')
  })

  describe('as POST /v1/registrations/validate answers', () => {
    let registry: TestRegistry
    beforeAll(async () => { registry = await startRegistry(':memory:', 'current') })
    afterAll(async () => registry.close())

    const bodies: unknown[] = [
      { kind: 'capability', action: 'register', entry: sampleCapability('NEWCAPA') },
      { kind: 'capability', action: 'register', entry: sampleCapability('XBENCH', { addedCommands: ['TOOLONG'], affectedCommands: 'some', announcedStates: ['AUTHENTICATION'], colour: 'red' }) },
      { kind: 'capability', action: 'register', entry: sampleCapability('QUOTE"TAG\\', { discussion: 'line\u0001 \u2028 \uD800 "quoted" é…', references: ['RFC9999', 'ftp://x', 'RFC1939'] }) },
      { kind: 'response-code', action: 'update', entry: sampleResponseCode('NO-SUCH/CODE', { commands: ['AB', 'AB'] }) },
      { kind: 'capability', action: 'register', entry: { ...sampleCapability('MANY'), notes: Array.from({ length: MAX_LISTED + 20 }, () => '\u0007') } },
      { kind: 'capability', action: 'deprecate', entry: { tag: 'STLS' }, reason: '"because"\t\\' },
      [], 'text', null, { kind: '\u2028' },
    ]
    it('are what the schema\'s serializer writes of them, for valid, refused and odd bodies', async () => {
      const valid: boolean[] = []
      let notListed = 0
      for (const payload of bodies) {
        const response = await registry.app.inject({ method: 'POST', url: '/v1/registrations/validate', payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } })
        expect(response.statusCode).toBe(200)
        const answer = response.json() as ValidationResult
        valid.push(answer.valid)
        notListed += answer.violationsNotListed ?? 0
        expect(response.body).toBe(serializer(answer))
      }
      expect(valid).toEqual([true, false, false, false, false, true, false, false, false, false])
      expect(notListed).toBeGreaterThan(0)
    })
  })
})
