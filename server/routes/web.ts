import { readFileSync } from 'node:fs'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { CapabilityListQuerySchema } from '../../schema/list.ts'
import { registrationKey, RejectBodySchema } from '../../schema/registration.ts'
import type { SubRegistryId } from '../../schema/registry.ts'
import { HttpProblem, PROBLEM_KINDS } from '../http/problems.ts'
import { projectFile } from '../project-files.ts'
import type { Store } from '../store/index.ts'
import { roleAtLeast, type TokenInfo } from '../store/tokens.ts'
import { HTML_TYPE, sendPage } from '../web/layout.ts'
import { entryPageHtml } from '../web/pages/entry.ts'
import { homePage } from '../web/pages/home.ts'
import { registerPage, registrationBody, submittedPage, valuesOf, type FormValues, type Kind } from '../web/pages/register.ts'
import { registrationsPage } from '../web/pages/registrations.ts'
import { signinPage, signoutPage } from '../web/pages/signin.ts'
import { endSession, installSessions, signedIn, startSession } from '../web/session.ts'
import { createRegistrationWorkflow, type Refusal } from '../workflow/registrations.ts'

// Through projectFile: tsc copies no CSS into dist/, so the compiled server reads the source's.
const STYLESHEET = readFileSync(projectFile('server/web/style.css'), 'utf8')
/** Rows a table of the home page shows at most; the downloads hold every entry. */
const TABLE_LIMIT = 500
const LATEST_CHANGES = 10

// A GET form sends empty fields as empty strings: an empty filter is no filter.
const blankless = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema)
const HomeQuerySchema = z.strictObject({
  q: blankless(CapabilityListQuerySchema.shape.q),
  state: blankless(CapabilityListQuerySchema.shape.state),
  command: blankless(CapabilityListQuerySchema.shape.command),
  status: blankless(CapabilityListQuerySchema.shape.status),
})
const KindQuerySchema = z.object({
  kind: z.enum(['capability', 'response-code']).default('capability'),
  update: z.string().max(600).optional(),
  // The key to deprecate; empty for a blank deprecation form.
  deprecate: z.string().max(600).optional(),
})
const NoticeQuerySchema = z.object({
  approved: z.coerce.number().int().optional(),
  rejected: z.coerce.number().int().optional(),
  withdrawn: z.coerce.number().int().optional(),
})
const IdParamsSchema = z.object({ id: z.string().regex(/^[1-9]\d{0,15}$/, { error: 'a registration id is a whole number' }) })
const HIDDEN = { hide: true }

const person = (token: TokenInfo) => ({ name: token.name, role: token.role })

/**
 * Where to go after signing in: a path of this site only, never another origin. Spaces and
 * controls are refused too, since browsers drop a tab or newline and would read "/\t/x" as "//x".
 */
const safeNext = (next: unknown) =>
  (typeof next === 'string' && /^\/(?![/\\])[\x21-\x7E]*$/.test(next) ? next : '/registrations')

/** The key of an entry page's path, each level decoded: /response-codes/SYS/TEMP is SYS/TEMP. */
function keyFromPath(request: FastifyRequest, registry: SubRegistryId): string {
  const raw = request.url.split('?')[0]!.slice(registry.length + 2)
  try {
    return raw.split('/').map(decodeURIComponent).join('/')
  } catch {
    throw new HttpProblem('bad-request', `The path ${JSON.stringify(request.url)} has a %-escape that does not decode.`)
  }
}

/**
 * The registry as web pages (design §5): server-rendered HTML that needs no script. The public
 * pages are the same for everyone, so the read cache keeps them per registry version like any read;
 * pages with forms carry a CSRF token and the signed-in person, and are never kept.
 */
// eslint-disable-next-line max-lines-per-function -- a route plugin: its routes side by side, each handler a few lines
export function webRoutes(store: Store, sessionSecret: string): FastifyPluginAsyncZod {
  const workflow = createRegistrationWorkflow(store)

  // eslint-disable-next-line max-lines-per-function -- as above
  return async (app) => {
    await installSessions(app, sessionSecret)
    // Every page, kept or fresh, carries the security headers (the read cache replays only its own).
    // Public pages carry the read cache's validators; a page with a form or a person on it is never
    // stored. A callback hook: it runs on every page served from the cache, and spares that a promise.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control') && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        reply.header('cache-control', 'no-store')
      }
      done(null, payload)
    })

    /** The signed-in person, or a redirect to /signin that comes back here. */
    const who = (request: FastifyRequest, reply: FastifyReply): TokenInfo | undefined => {
      const token = signedIn(request, store.tokens)
      if (!token) void reply.redirect(`/signin?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/registrations')}`, 303)
      return token
    }

    app.get('/static/style.css', { config: { lastModified: 'static' }, schema: HIDDEN }, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('x-content-type-options', 'nosniff').send(STYLESHEET))

    app.get('/', { config: { lastModified: 'registry' }, schema: { ...HIDDEN, querystring: HomeQuerySchema } }, async (request, reply) => {
      const metadata = store.registry.metadata()
      if (!metadata) throw new HttpProblem('unavailable', 'The registry has not been created in this database yet.')
      const filter = request.query
      const capabilities = store.capabilities.list({ ...filter, limit: TABLE_LIMIT })
      // Response codes have no states: a state filter narrows the capabilities alone.
      const responseCodes = store.responseCodes.list({ q: filter.q, command: filter.command, status: filter.status, limit: TABLE_LIMIT })
      return reply.type(HTML_TYPE).send(homePage({
        metadata,
        filter,
        capabilities: { ...capabilities, all: store.capabilities.count() },
        responseCodes: { ...responseCodes, all: store.responseCodes.count() },
        changes: store.changes.recent(LATEST_CHANGES),
        limit: TABLE_LIMIT,
      }).markup)
    })

    for (const registry of ['capabilities', 'response-codes'] as const) {
      const entries = registry === 'capabilities' ? store.capabilities : store.responseCodes
      app.get(`/${registry}/*`, { config: { lastModified: 'registry' }, schema: HIDDEN }, async (request, reply) => {
        const key = keyFromPath(request, registry)
        const entry = entries.get(key)
        if (!entry) throw new HttpProblem('not-found', `No ${registry === 'capabilities' ? 'capability' : 'response code'} ${JSON.stringify(key)} is registered.`)
        const page = entryPageHtml(registry, entry, entries.history(key))
        return reply.type(HTML_TYPE).send(page.markup)
      })
    }

    app.get('/register', { schema: { ...HIDDEN, querystring: KindQuerySchema } }, async (request, reply) => {
      const token = who(request, reply)
      if (!token) return reply
      const { kind, update, deprecate } = request.query
      const entries = kind === 'capability' ? store.capabilities : store.responseCodes
      const named = update ?? (deprecate || undefined)
      const current = named === undefined ? undefined : entries.get(named)
      if (named !== undefined && !current) throw new HttpProblem('not-found', `There is no ${kind} ${JSON.stringify(named)} to ${update === undefined ? 'deprecate' : 'update'}.`)
      const action = update !== undefined ? 'update' : deprecate !== undefined ? 'deprecate' : 'register'
      return sendPage(reply, 200, registerPage({
        kind,
        action,
        values: !current ? {} : action === 'update' ? valuesOf(kind, current as Record<string, unknown>) : { [kind === 'capability' ? 'tag' : 'code']: 'tag' in current ? current.tag : current.code },
        csrfToken: reply.generateCsrf(),
        who: person(token),
      }))
    })

    app.post('/register', { schema: HIDDEN, preHandler: app.csrfProtection }, async (request, reply) => {
      const token = who(request, reply)
      if (!token) return reply
      const values = (request.body ?? {}) as FormValues
      const kind: Kind = values.kind === 'response-code' ? 'response-code' : 'capability'
      const action = typeof values.action === 'string' ? values.action : 'register'
      const body = registrationBody(kind, action, values)
      const form = { kind, action, values, who: person(token), csrfToken: reply.generateCsrf() }
      if (values.intent === 'check') {
        const { violations, warnings } = workflow.validate(body)
        return sendPage(reply, violations.length > 0 ? 422 : 200, registerPage({ ...form, violations, warnings, checked: true }))
      }
      const outcome = workflow.submit(body, token.name)
      if ('registration' in outcome) {
        if (outcome.answer === 'created') request.log.info({ registration: outcome.registration.id }, 'registration submitted from the web form')
        return sendPage(reply, outcome.answer === 'created' ? 201 : 200, submittedPage(outcome.registration, person(token)))
      }
      const violations = 'violations' in outcome ? outcome.violations ?? [] : []
      const warnings = 'warnings' in outcome ? outcome.warnings : []
      return sendPage(reply, PROBLEM_KINDS[outcome.refused].status, registerPage({ ...form, violations, warnings }))
    })

    const showRegistrations = (reply: FastifyReply, token: TokenInfo, status: number, notice?: { good: boolean, text: string }) => {
      const mine = store.registrations.list({ submitter: token.name, limit: 500 }).items.reverse()
      const queue = roleAtLeast(token.role, 'reviewer') ? store.registrations.list({ status: 'pending', limit: 500 }).items : undefined
      const current = new Map<number, object>()
      for (const registration of queue ?? []) {
        if (registration.action === 'register') continue
        const entries = registration.kind === 'capability' ? store.capabilities : store.responseCodes
        const published = entries.get(registrationKey(registration))
        if (published) current.set(registration.id, published)
      }
      return sendPage(reply, status, registrationsPage({ who: person(token), csrfToken: reply.generateCsrf(), mine, queue, current, notice }))
    }

    app.get('/registrations', { schema: { ...HIDDEN, querystring: NoticeQuerySchema } }, async (request, reply) => {
      const token = who(request, reply)
      if (!token) return reply
      const { approved, rejected, withdrawn } = request.query
      const notice = approved !== undefined ? { good: true, text: `Registration ${approved} is approved and published.` }
        : rejected !== undefined ? { good: true, text: `Registration ${rejected} is rejected; its submitter sees your reason.` }
          : withdrawn !== undefined ? { good: true, text: `Registration ${withdrawn} is withdrawn.` }
            : undefined
      return showRegistrations(reply, token, 200, notice)
    })

    const refused = (reply: FastifyReply, token: TokenInfo, refusal: Refusal) =>
      showRegistrations(reply, token, PROBLEM_KINDS[refusal.refused].status, { good: false, text: refusal.detail })

    app.post('/registrations/:id/approve', { schema: { ...HIDDEN, params: IdParamsSchema }, preHandler: app.csrfProtection }, async (request, reply) => {
      const token = who(request, reply)
      if (!token) return reply
      if (!roleAtLeast(token.role, 'reviewer')) throw new HttpProblem('forbidden', `Approving needs the reviewer role; ${token.name} has ${token.role}.`)
      const outcome = workflow.approve(Number(request.params.id), token.name)
      if ('refused' in outcome) return refused(reply, token, outcome)
      request.log.info({ registration: outcome.registration.id, seq: outcome.registration.changeSeq }, 'registration approved from the web page')
      return reply.redirect(`/registrations?approved=${outcome.registration.id}`, 303)
    })

    app.post('/registrations/:id/reject', { schema: { ...HIDDEN, params: IdParamsSchema }, preHandler: app.csrfProtection }, async (request, reply) => {
      const token = who(request, reply)
      if (!token) return reply
      if (!roleAtLeast(token.role, 'reviewer')) throw new HttpProblem('forbidden', `Rejecting needs the reviewer role; ${token.name} has ${token.role}.`)
      const reason = RejectBodySchema.shape.reason.safeParse((request.body as FormValues | undefined)?.reason)
      if (!reason.success) {
        return showRegistrations(reply, token, 422, { good: false, text: `Registration ${request.params.id} is not rejected: say why, in the reason field.` })
      }
      const outcome = workflow.reject(Number(request.params.id), token.name, reason.data)
      if ('refused' in outcome) return refused(reply, token, outcome)
      return reply.redirect(`/registrations?rejected=${outcome.registration.id}`, 303)
    })

    app.post('/registrations/:id/withdraw', { schema: { ...HIDDEN, params: IdParamsSchema }, preHandler: app.csrfProtection }, async (request, reply) => {
      const token = who(request, reply)
      if (!token) return reply
      const outcome = workflow.withdraw(Number(request.params.id), token.name)
      if ('refused' in outcome) return refused(reply, token, outcome)
      return reply.redirect(`/registrations?withdrawn=${outcome.registration.id}`, 303)
    })

    app.get('/signin', { schema: { ...HIDDEN, querystring: z.object({ next: z.string().max(2000).optional() }) } }, async (request, reply) => {
      const token = signedIn(request, store.tokens)
      return sendPage(reply, 200, signinPage({
        csrfToken: reply.generateCsrf(), who: token && person(token), next: safeNext(request.query.next),
      }))
    })

    app.post('/signin', { schema: HIDDEN, preHandler: app.csrfProtection }, async (request, reply) => {
      // A pasted token is an authentication like a bearer one: failures count against RATE_LIMIT.
      await app.failedAuthentications?.refuseIfOver(request)
      const { token: pasted, next } = (request.body ?? {}) as FormValues
      const token = typeof pasted === 'string' ? store.tokens.verify(pasted.trim()) : undefined
      if (!token) {
        await app.failedAuthentications?.count(request)
        return sendPage(reply, 401, signinPage({
          csrfToken: reply.generateCsrf(), who: undefined, next: safeNext(next),
          error: 'That token is not valid, or has been revoked. Paste the whole token, p3r_… included.',
        }))
      }
      request.log.info({ token: token.id, name: token.name }, 'signed in to the web pages')
      startSession(reply, String(pasted).trim())
      return reply.redirect(safeNext(next), 303)
    })

    app.get('/signout', { schema: HIDDEN }, async (request, reply) => {
      const token = signedIn(request, store.tokens)
      return sendPage(reply, 200, signoutPage(reply.generateCsrf(), token && person(token)))
    })

    app.post('/signout', { schema: HIDDEN, preHandler: app.csrfProtection }, async (_request, reply) => {
      endSession(reply)
      return reply.redirect('/', 303)
    })
  }
}

