import { Socket } from 'node:net'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ProblemSchema } from '../../../schema/problem.ts'
import {
  RegistrationIdParamsSchema,
  RegistrationListQuerySchema,
  SubmissionSchema,
  RegistrationSchema,
  RejectBodySchema,
  ValidationResultSchema,
  registrationKey,
} from '../../../schema/registration.ts'
import { requireRole, tokenOf } from '../../http/auth.ts'
import { decodeCursor, encodeCursor } from '../../http/cursor.ts'
import { idempotencyKeyOf } from '../../http/idempotency-key.ts'
import { HttpProblem, validatorCompiler } from '../../http/problems.ts'
import { ANONYMOUS_POST } from '../../http/rate-limit.ts'
import type { Store } from '../../store/index.ts'
import type { Outcome, Refusal } from '../../workflow/registrations.ts'
import { createRegistrationWorkflow } from '../../workflow/registrations.ts'

const BEARER = [{ bearerAuth: [] }]
const TAGS = ['registrations']
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, ProblemSchema]))

/**
 * A registration body's schema documents the request (openapi.yaml), but the rules parse it, once
 * and whole, so that one answer lists every rule it breaks: fastify passes the body through as it
 * came, typed unknown, for it may be anything until the rules have judged it.
 */
const judgedByTheRules = (route: { schema: unknown, method: string, url: string, httpPart?: string }) =>
  // fastify types a route's compiler as taking the whole route schema; it is given one part's.
  route.httpPart === 'body' ? (value: unknown) => ({ value }) : validatorCompiler({ ...route, schema: route.schema as z.ZodType })
const SubmissionBody: z.ZodType<unknown> = SubmissionSchema

const SUBMIT_DESCRIPTION = [
  'With an `Idempotency-Key` header (the IETF httpapi draft; a quoted string or a bare key of 1-255 visible ASCII characters), a retry is safe:',
  'the same key with the same body answers the first answer again (201, the same registration as it was then), and the same key with another body is refused',
  '(422 `/problems/idempotency-key-reused`). Keys are each submitter\'s own and are kept with their registration; a submission refused for its body stores',
  'nothing, so a retry of it is judged again. Without a key, a body identical to one of your pending registrations answers 200 with that registration.',
].join(' ')

// Loose: the parsed headers replace request.headers, which must keep every other header.
const SubmitHeadersSchema = z.looseObject({
  'idempotency-key': z.string().optional().describe('A key of your choosing, new for each registration you mean to make, so that the request can be retried safely.'),
})

/** The registration id in a path; anything but a whole number names no registration. */
function registrationId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new HttpProblem('not-found', `There is no registration ${JSON.stringify(raw)}.`)
  return Number(raw)
}

function refuse(refusal: Refusal): never {
  if (refusal.refused === 'rule-violations') {
    throw new HttpProblem('rule-violations', refusal.detail, refusal.violations, {}, refusal.warnings)
  }
  throw new HttpProblem(refusal.refused, refusal.detail, 'violations' in refusal ? refusal.violations : undefined)
}

const settled = (outcome: Outcome) => ('registration' in outcome ? outcome.registration : refuse(outcome))

/** Submitting, reading and deciding registrations (design §3, Registering). */
// eslint-disable-next-line max-lines-per-function -- a route plugin: its routes side by side, each handler a few lines
export function registrationRoutes(store: Store): FastifyPluginAsyncZod {
  const workflow = createRegistrationWorkflow(store)
  const asSubmitter = requireRole(store.tokens, 'submitter')
  const asReviewer = requireRole(store.tokens, 'reviewer')

  // eslint-disable-next-line max-lines-per-function -- as above
  return async (app) => {
    app.post('/v1/registrations/validate', {
      config: ANONYMOUS_POST,
      validatorCompiler: judgedByTheRules,
      schema: {
        summary: 'Check a registration against every rule, storing nothing',
        operationId: 'validateRegistration',
        tags: TAGS,
        body: SubmissionBody,
        response: { 200: ValidationResultSchema, ...problems(400, 413, 415, 429) },
      },
    }, async (request) => workflow.validate(request.body, request.raw.socket instanceof Socket))

    app.post('/v1/registrations', {
      onRequest: asSubmitter,
      validatorCompiler: judgedByTheRules,
      schema: {
        summary: 'Submit a registration for review',
        description: SUBMIT_DESCRIPTION,
        operationId: 'submitRegistration',
        tags: TAGS,
        security: BEARER,
        headers: SubmitHeadersSchema,
        body: SubmissionBody,
        response: {
          201: RegistrationSchema.describe('The new registration, pending; or, for an Idempotency-Key sent before with the same body, the first answer again.'),
          200: RegistrationSchema.describe('Without an Idempotency-Key: your pending registration of the same body, which is not stored twice.'),
          ...problems(400, 401, 403, 413, 415, 422, 429),
        },
      },
    }, async (request, reply) => {
      const token = tokenOf(request)
      const key = idempotencyKeyOf(request.headers['idempotency-key'])
      const outcome = workflow.submit(request.body, token.name, key)
      if ('refused' in outcome) refuse(outcome)
      const { registration, answer } = outcome
      if (answer === 'created') request.log.info({ registration: registration.id, key: registrationKey(registration) }, 'registration submitted')
      return reply.code(answer === 'pending-duplicate' ? 200 : 201)
        .header('location', `/v1/registrations/${registration.id}`).send(registration)
    })

    app.get('/v1/registrations', {
      onRequest: asSubmitter,
      schema: {
        summary: 'List registrations: a submitter\'s own, or all for a reviewer',
        operationId: 'listRegistrations',
        tags: TAGS,
        security: BEARER,
        querystring: RegistrationListQuerySchema,
        response: {
          200: z.object({ items: z.array(RegistrationSchema), nextCursor: z.string().nullable() }),
          ...problems(400, 401, 403, 429),
        },
      },
    }, async (request) => {
      const token = tokenOf(request)
      const { status, limit, cursor } = request.query
      const page = store.registrations.list({
        status,
        limit,
        after: cursor === undefined ? undefined : decodeCursor(cursor),
        submitter: token.role === 'submitter' ? token.name : undefined,
      })
      return { items: page.items, nextCursor: page.lastId === undefined ? null : encodeCursor(page.lastId) }
    })

    app.get('/v1/registrations/:id', {
      onRequest: asSubmitter,
      schema: {
        summary: 'One registration',
        operationId: 'getRegistration',
        tags: TAGS,
        security: BEARER,
        params: RegistrationIdParamsSchema,
        response: { 200: RegistrationSchema, ...problems(401, 403, 404, 429) },
      },
    }, async (request) => {
      const token = tokenOf(request)
      const id = registrationId(request.params.id)
      const registration = store.registrations.get(id)
      // A submitter is not told that others' registrations exist.
      if (!registration || (token.role === 'submitter' && registration.submitter !== token.name)) {
        throw new HttpProblem('not-found', `There is no registration ${id}${token.role === 'submitter' ? ' of yours' : ''}.`)
      }
      return registration
    })

    app.post('/v1/registrations/:id/approve', {
      onRequest: asReviewer,
      schema: {
        summary: 'Approve a pending registration and publish its entry',
        description: 'The rules are checked again against the registry as it is now; a registration that now conflicts (its tag was taken meanwhile) is refused with 409 and nothing changes.',
        operationId: 'approveRegistration',
        tags: TAGS,
        security: BEARER,
        params: RegistrationIdParamsSchema,
        response: { 200: RegistrationSchema, ...problems(401, 403, 404, 409, 429) },
      },
    }, async (request) => {
      const token = tokenOf(request)
      const registration = settled(workflow.approve(registrationId(request.params.id), token.name))
      request.log.info({ registration: registration.id, key: registrationKey(registration), seq: registration.changeSeq }, 'registration approved and published')
      return registration
    })

    app.post('/v1/registrations/:id/reject', {
      onRequest: asReviewer,
      schema: {
        summary: 'Reject a pending registration, saying why',
        operationId: 'rejectRegistration',
        tags: TAGS,
        security: BEARER,
        params: RegistrationIdParamsSchema,
        body: RejectBodySchema,
        response: { 200: RegistrationSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 422, 429) },
      },
    }, async (request) => {
      const token = tokenOf(request)
      const registration = settled(workflow.reject(registrationId(request.params.id), token.name, request.body.reason))
      request.log.info({ registration: registration.id }, 'registration rejected')
      return registration
    })

    app.post('/v1/registrations/:id/withdraw', {
      onRequest: asSubmitter,
      schema: {
        summary: 'Withdraw your own pending registration',
        operationId: 'withdrawRegistration',
        tags: TAGS,
        security: BEARER,
        params: RegistrationIdParamsSchema,
        response: { 200: RegistrationSchema, ...problems(401, 403, 404, 409, 429) },
      },
    }, async (request) => {
      const token = tokenOf(request)
      const registration = settled(workflow.withdraw(registrationId(request.params.id), token.name))
      request.log.info({ registration: registration.id }, 'registration withdrawn')
      return registration
    })
  }
}

