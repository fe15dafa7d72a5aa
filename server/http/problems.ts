import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler, onResponseHookHandler } from 'fastify'
import type { z } from 'zod'
import { listed, summary, type Problem, type Violation, type Warning } from '../../schema/problem.ts'
import { parseRequestPart, type RequestPart } from '../rules/zod-issues.ts'
import { SECURITY_HEADERS } from './security-headers.ts'
import { sendPage } from '../web/layout.ts'
import { errorPage } from '../web/pages/error.ts'

/** Every kind of problem the API answers with; `type` of a problem is `/problems/<kind>`. */
export const PROBLEM_KINDS = {
  'bad-request': { status: 400, title: 'Bad request', description: 'A query parameter, path segment or cursor is not one the API accepts.' },
  'malformed-json': { status: 400, title: 'Malformed JSON', description: 'The request body could not be parsed as JSON.' },
  'unauthorized': { status: 401, title: 'Unauthorized', description: 'The request needs a valid bearer token.' },
  'forbidden': { status: 403, title: 'Forbidden', description: 'The token\'s role is too weak for this request.' },
  'not-found': { status: 404, title: 'Not found', description: 'No route, entry or registration has that name.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The resource exists but does not answer this method; see the Allow header.' },
  'not-acceptable': { status: 406, title: 'Not acceptable', description: 'No representation of the resource matches the Accept header.' },
  'request-timeout': { status: 408, title: 'Request timeout', description: 'The request was not received in full within the server\'s request timeout.' },
  'conflict': { status: 409, title: 'Conflict', description: 'The request conflicts with the registry as it is now.' },
  'payload-too-large': { status: 413, title: 'Payload too large', description: 'The request body is larger than the API accepts.' },
  'uri-too-long': { status: 414, title: 'URI too long', description: 'A path segment is longer than any key the registry holds.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'The request body is not of a media type the route accepts (JSON).' },
  'expectation-failed': { status: 417, title: 'Expectation failed', description: 'The Expect header asks for something other than 100-continue.' },
  'rule-violations': { status: 422, title: 'The body breaks the registry\'s rules', description: 'The body lists every rule it breaks in `violations`.' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key used for another body', description: 'The submitter sent this Idempotency-Key before with a different body; a key stands for one request, so send a new key with a new body.' },
  'too-many-requests': { status: 429, title: 'Too many requests', description: 'The client sent more requests than the rate limit allows; wait as Retry-After says.' },
  'header-too-large': { status: 431, title: 'Request header fields too large', description: 'The request line and headers are larger than the server reads.' },
  'internal': { status: 500, title: 'Internal server error', description: 'The server failed; the failure is logged with the request id.' },
  'unavailable': { status: 503, title: 'Service unavailable', description: 'The database does not answer.' },
} as const satisfies Record<string, { status: number, title: string, description: string }>

export type ProblemKind = keyof typeof PROBLEM_KINDS

export const problemType = (kind: ProblemKind) => `/problems/${kind}`

/** An error a handler throws to answer with a problem. */
export class HttpProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    detail: string,
    readonly violations?: Violation[],
    readonly headers: Record<string, string> = {},
    readonly warnings?: Warning[],
  ) {
    super(detail)
  }
}

export function problem(kind: ProblemKind, detail: string, instance?: string, violations?: Violation[], warnings?: Warning[]): Problem {
  const { status, title } = PROBLEM_KINDS[kind]
  return {
    type: problemType(kind),
    title,
    status,
    detail,
    ...(instance === undefined ? {} : { instance }),
    ...(violations === undefined ? {} : listed(violations, warnings)),
    ...(violations === undefined && warnings !== undefined ? { warnings: listed([], warnings).warnings } : {}),
  }
}

export function sendProblem(reply: FastifyReply, body: Problem, headers: Record<string, string> = {}) {
  return reply.code(body.status).headers(headers).type('application/problem+json').send(body)
}

const REQUEST_PARTS: Record<string, RequestPart> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' }

/** A request part that its route's schema refuses, with every violation in the registry's words. */
class RequestViolations extends Error {
  constructor(readonly part: RequestPart, readonly violations: Violation[]) {
    super(summary(violations.map((v) => (v.path === '' ? v.message : `${v.path}: ${v.message}`)), '; '))
  }
}

/**
 * fastify's validator for every route's zod schemas: the one translator (rules/zod-issues.ts)
 * words the issues, so that a bad query and a bad body speak alike.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = REQUEST_PARTS[httpPart ?? 'body'] ?? 'body'
  return (data: unknown) => {
    const parsed = parseRequestPart(schema, data, part)
    return parsed.success ? { value: parsed.data } : { error: new RequestViolations(part, parsed.violations) }
  }
}

function problemOf(error: FastifyError, request: FastifyRequest): Problem {
  if (error instanceof HttpProblem) return problem(error.kind, error.message, request.url, error.violations, error.warnings)
  if (error instanceof RequestViolations) {
    // A body that parses as JSON but has the wrong shape breaks rules (422); a bad URL is a bad request (400).
    return problem(error.part === 'body' ? 'rule-violations' : 'bad-request', error.message, request.url, error.violations)
  }
  if (error.code?.startsWith('FST_CSRF_')) {
    return problem('forbidden', 'This form was refused: it did not carry the anti-forgery token of a page this site served you (or that token is out of date), so it may not have come from you.', request.url)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('malformed-json', error.message, request.url)
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload-too-large', error.message, request.url)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('unsupported-media-type', error.message, request.url)
  }
  if (error instanceof SyntaxError) return problem('malformed-json', error.message, request.url)
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const kind = (Object.keys(PROBLEM_KINDS) as ProblemKind[]).find((k) => PROBLEM_KINDS[k].status === status) ?? 'bad-request'
    return { ...problem(kind, error.message, request.url), status }
  }
  return problem('internal', `The server failed on this request; quote request id ${request.id} when reporting it.`, request.url)
}

/** For errors fastify meets before routing (a path it cannot decode), which skip the error handler. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.headers(SECURITY_HEADERS)
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return sendProblem(reply, problem('bad-request', `The path ${JSON.stringify(request.url)} has a %-escape that does not decode.`, request.url))
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return sendProblem(reply, problem('uri-too-long', `A segment of the path ${JSON.stringify(request.url.slice(0, 200))}… is longer than any key the registry holds.`))
  }
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400
  return sendProblem(reply, { ...problem('bad-request', error.message, request.url), status })
}

/** Whether the client prefers a page to JSON: a browser does; curl (Accept: any type) and API clients do not. */
function wantsHtml(request: FastifyRequest): boolean {
  return request.accepts().type(['application/problem+json', 'application/json', 'text/html']) === 'text/html'
}

/** A problem as problem+json, or as a page when the client asked for HTML. */
function answerProblem(request: FastifyRequest, reply: FastifyReply, body: Problem, headers: Record<string, string> = {}) {
  if (wantsHtml(request)) return sendPage(reply.headers(headers), body.status, errorPage(body))
  return sendProblem(reply, body, headers)
}

/**
 * One handler shapes every error and unknown route as application/problem+json (or a page for a
 * browser). `onUnknownRoute`: the unknown routes' onResponse hook (metrics' `unmatched`).
 */
export function installProblemHandlers(app: FastifyInstance, onUnknownRoute?: onResponseHookHandler) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = problemOf(error, request)
    if (body.status >= 500) request.log.error({ err: error, method: request.method, url: request.url }, 'request failed')
    return answerProblem(request, reply, body, error instanceof HttpProblem ? error.headers : {})
  })
  // fastify's types name only preValidation and preHandler, but it gives the not-found handler every
  // lifecycle hook of these options (four-oh-four.js), onResponse among them.
  const notFoundHooks = (onUnknownRoute ? { onResponse: onUnknownRoute } : {}) as Parameters<typeof app.setNotFoundHandler>[0]
  app.setNotFoundHandler(notFoundHooks, (request, reply) =>
    answerProblem(request, reply.headers(SECURITY_HEADERS), problem('not-found', `No route answers ${request.method} ${request.url.split('?')[0]}.`, request.url)))
}
