import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectProblem, startRegistry, type TestRegistry } from '../helpers.ts'
import { textOf, visitor } from './visitor.ts'

let registry: TestRegistry
beforeEach(async () => { registry = await startRegistry(':memory:', 'initial') })
afterEach(async () => { await registry.close() })

const token = (role: 'submitter' | 'reviewer', name: string) => registry.store.tokens.create(name, role).token

/** A capability form as a person fills it, every list one per line. */
const capabilityForm = (overrides: Record<string, string | string[]> = {}) => ({
  kind: 'capability',
  action: 'register',
  tag: 'FRESH',
  arguments: '',
  addedCommands: 'FRSH',
  affectedCommands: '',
  announcedStates: 'AUTHORIZATION\r\nTRANSACTION',
  possibleDifferences: 'no',
  validStates: 'TRANSACTION',
  references: 'RFC2449',
  discussion: 'A fresh capability.',
  intent: 'submit',
  ...overrides,
})

describe('signing in', () => {
  it('keeps a signed, HttpOnly, SameSite=Strict session for a valid token, and refuses a wrong one', async () => {
    const browser = visitor(registry.app)
    const wrong = await browser.signIn('p3r_nope_nope')
    expect(wrong.statusCode).toBe(401)
    expect(textOf(wrong.body)).toContain('That token is not valid')
    const signedIn = await browser.signIn(token('submitter', 'sam'))
    expect(signedIn.statusCode).toBe(303)
    expect(signedIn.headers.location).toBe('/registrations')
    const session = [signedIn.headers['set-cookie']].flat().find((cookie) => cookie?.startsWith('session='))
    expect(session).toMatch(/HttpOnly/)
    expect(session).toMatch(/SameSite=Strict/)
    expect(session).not.toMatch(/Secure/) // served over plain HTTP here
    const account = await browser.get('/signin')
    expect(account.headers['cache-control']).toBe('no-store')
    expect(textOf(account.body)).toContain('You are signed in as sam, with the submitter role.')
    // A forged cookie is no session.
    browser.cookies.set('session', browser.cookies.get('session')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))
    expect((await browser.get('/registrations')).statusCode).toBe(303)
  })

  it('sends a signed-out visitor of /registrations to sign in, and back after', async () => {
    const browser = visitor(registry.app)
    const away = await browser.get('/registrations')
    expect(away.statusCode).toBe(303)
    expect(away.headers.location).toBe('/signin?next=%2Fregistrations')
    await browser.get(away.headers.location!)
    const back = await browser.post('/signin', { token: token('submitter', 'sam'), next: '/registrations' })
    expect(back.headers.location).toBe('/registrations')
    const offsite = await browser.post('/signin', { token: token('submitter', 'sue'), next: '//evil.example/' })
    expect(offsite.headers.location).toBe('/registrations')
    for (const next of ['/\t/evil.example/', '/\\evil.example/', 'https://evil.example/']) {
      await browser.get('/signin')
      expect((await browser.post('/signin', { token: token('submitter', `s${next.length}${next.charCodeAt(1)}`), next })).headers.location, next).toBe('/registrations')
    }
    await browser.get('/signin')
    expect((await browser.post('/signin', { token: token('submitter', 'sid'), next: '/register?kind=response-code' })).headers.location).toBe('/register?kind=response-code')
  })

  it('refuses a form POST without its CSRF token, with a page that says why', async () => {
    const browser = visitor(registry.app)
    await browser.get('/signin')
    const refused = await browser.post('/signin', { token: token('submitter', 'sam') }, { csrf: false })
    expect(refused.statusCode).toBe(403)
    expect(refused.headers['content-type']).toMatch(/^text\/html/)
    expect(textOf(refused.body)).toContain('did not carry the anti-forgery token')
    expect(browser.cookies.has('session')).toBe(false)
  })

  it('counts wrong tokens against RATE_LIMIT, and answers 429 as a page', async () => {
    const limited = await startRegistry(':memory:', { limits: { RATE_LIMIT: 2 } })
    try {
      const browser = visitor(limited.app)
      expect((await browser.signIn('p3r_1_wrong')).statusCode).toBe(401)
      expect((await browser.signIn('p3r_1_wrong')).statusCode).toBe(401)
      const refused = await browser.signIn('p3r_1_wrong')
      expect(refused.statusCode).toBe(429)
      expect(refused.headers['retry-after']).toMatch(/^\d+$/)
      expect(refused.headers['content-type']).toMatch(/^text\/html/)
      expect(textOf(refused.body)).toContain('wait a minute')
    } finally {
      await limited.close()
    }
  })

  it('signs out', async () => {
    const browser = visitor(registry.app)
    await browser.signIn(token('submitter', 'sam'))
    await browser.get('/signout')
    const out = await browser.post('/signout', {})
    expect(out.statusCode).toBe(303)
    expect(browser.cookies.has('session')).toBe(false)
    expect((await browser.get('/registrations')).statusCode).toBe(303)
  })
})

describe('/register', () => {
  it('shows every violation next to its field, keeps what was typed, checks without storing, then submits', async () => {
    const browser = visitor(registry.app)
    await browser.signIn(token('submitter', 'sam'))
    await browser.get('/register')
    const broken = await browser.post('/register', capabilityForm({ tag: 'XFRESH', discussion: '', validStates: 'transaction' }))
    expect(broken.statusCode).toBe(422)
    const fieldError = (field: string) => textOf(/<ul class="error" id="f-FIELD-error">(.*?)<\/ul>/s.exec(broken.body.replace('FIELD', field))?.[1]
      ?? new RegExp(`id="f-${field}-error">(.*?)</ul>`, 's').exec(broken.body)?.[1] ?? '')
    expect(fieldError('tag')).toMatch(/X/)
    expect(fieldError('discussion')).not.toBe('')
    // The form shows the API's own messages: the lower-case state is told to be written in upper case.
    expect(fieldError('validStates')).toContain('write it in upper case, as RFC 1939 does: "TRANSACTION"')
    expect(fieldError('references')).toBe('')
    expect(broken.body).toContain('id="f-tag" name="tag" value="XFRESH"')
    expect(broken.body).toMatch(/<textarea id="f-validStates"[^>]*>transaction<\/textarea>/)
    expect(textOf(broken.body)).toContain('3 rules are broken')
    expect(registry.store.registrations.list({ limit: 10 }).items).toHaveLength(0)

    const checked = await browser.post('/register', capabilityForm({ intent: 'check' }))
    expect(checked.statusCode).toBe(200)
    expect(textOf(checked.body)).toContain('No rule is broken')
    expect(registry.store.registrations.list({ limit: 10 }).items).toHaveLength(0)

    const submitted = await browser.post('/register', capabilityForm())
    expect(submitted.statusCode).toBe(201)
    expect(textOf(submitted.body)).toMatch(/Registration 1 is pending/)
    expect(textOf(submitted.body)).toContain('Announced in states AUTHORIZATION, TRANSACTION')
    expect(registry.store.registrations.get(1)).toMatchObject({ status: 'pending', submitter: 'sam', entry: { tag: 'FRESH', addedCommands: ['FRSH'] } })
  })

  it('registers a response code: checkboxes for the response types, "all" for every command', async () => {
    const browser = visitor(registry.app)
    await browser.signIn(token('submitter', 'sam'))
    const form = await browser.get('/register?kind=response-code')
    expect(form.body).toContain('name="responseTypes" value="-ERR"')
    const none = await browser.post('/register', { kind: 'response-code', action: 'register', code: 'SYS/TEMP', commands: 'all', definition: 'Try later.', references: 'RFC3206', intent: 'check' })
    expect(none.statusCode).toBe(422)
    expect(none.body).toMatch(/<fieldset class="field" id="f-responseTypes"[^>]*aria-invalid="true"/)
    const submitted = await browser.post('/register', {
      kind: 'response-code', action: 'register', code: 'SYS/TEMP', responseTypes: ['+OK', '-ERR'], commands: 'all', definition: 'Try later.', references: 'RFC3206', intent: 'submit',
    })
    expect(submitted.statusCode, textOf(submitted.body)).toBe(201)
    expect(registry.store.registrations.get(1)?.entry).toMatchObject({ code: 'SYS/TEMP', responseTypes: ['+OK', '-ERR'], commands: 'all' })
  })

  it('offers an update of an entry filled with its fields', async () => {
    const browser = visitor(registry.app)
    await browser.signIn(token('submitter', 'sam'))
    const form = await browser.get('/register?kind=capability&update=TOP')
    expect(form.body).toContain('<option value="update" selected>')
    expect(form.body).toContain('value="TOP"')
    expect(form.body).toMatch(/<textarea id="f-references"[^>]*>RFC2449\nRFC1939<\/textarea>/)
  })

  it('leaves the API refusing form bodies: the pages parse them only in their own scope', async () => {
    const response = await registry.app.inject({
      method: 'POST', url: '/v1/registrations/validate', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'kind=capability',
    })
    expectProblem(response, 415)
  })
})

describe('/registrations', () => {
  it('lets a reviewer approve from the queue, and the entry is published', async () => {
    const submitter = visitor(registry.app)
    await submitter.signIn(token('submitter', 'sam'))
    await submitter.get('/register')
    await submitter.post('/register', capabilityForm())
    const mine = await submitter.get('/registrations')
    expect(textOf(mine.body)).toContain('Registration 1: register capability FRESH pending')
    expect(mine.body).not.toContain('Waiting for review')

    const reviewer = visitor(registry.app)
    await reviewer.signIn(token('reviewer', 'rita'))
    const queue = await reviewer.get('/registrations')
    expect(textOf(queue.body)).toContain('Waiting for review (1)')
    const approved = await reviewer.post('/registrations/1/approve', {})
    expect(approved.statusCode).toBe(303)
    expect(textOf((await reviewer.get(approved.headers.location!)).body)).toContain('Registration 1 is approved and published.')
    expect((await reviewer.get('/capabilities/FRESH')).statusCode).toBe(200)
    expect(textOf((await submitter.get('/registrations')).body)).toContain('approved by rita')
  })

  it('shows an update\'s diff in the queue; a reject needs a reason, which the submitter then sees', async () => {
    const submitter = visitor(registry.app)
    await submitter.signIn(token('submitter', 'sam'))
    await submitter.get('/register?kind=capability&update=TOP')
    const form = Object.fromEntries([...submitter.page.matchAll(/name="(\w+)" value="([^"]*)"/g)].filter((m) => m[1] !== '_csrf').map((m) => [m[1]!, m[2]!]))
    const textareas = Object.fromEntries([...submitter.page.matchAll(/<textarea id="f-\w+" name="(\w+)"[^>]*>([^<]*)<\/textarea>/g)].map((m) => [m[1]!, m[2]!.replace(/&#39;/g, '\'')]))
    const sent = await submitter.post('/register', { ...form, ...textareas, action: 'update', possibleDifferences: 'no', addedCommands: 'TOP\nTOPX', intent: 'submit' })
    expect(sent.statusCode, textOf(sent.body)).toBe(201)
    expect(registry.store.registrations.get(1)).toMatchObject({ action: 'update', entry: { tag: 'TOP', addedCommands: ['TOP', 'TOPX'] } })

    const reviewer = visitor(registry.app)
    await reviewer.signIn(token('reviewer', 'rita'))
    const queue = await reviewer.get('/registrations')
    const card = textOf(/<article class="card" id="queue-1">(.*?)<\/article>/s.exec(queue.body)?.[1] ?? '')
    expect(card).toMatch(/Added commands TOP TOP, TOPX/)
    expect(card).not.toContain('Discussion')
    const noReason = await reviewer.post('/registrations/1/reject', { reason: '  ' })
    expect(noReason.statusCode).toBe(422)
    expect(textOf(noReason.body)).toContain('say why')
    expect(registry.store.registrations.get(1)?.status).toBe('pending')
    const rejected = await reviewer.post('/registrations/1/reject', { reason: 'TOPX is <not> a command.' })
    expect(rejected.statusCode).toBe(303)
    const seen = await submitter.get('/registrations')
    expect(textOf(seen.body)).toContain('Reason: TOPX is <not> a command.')
    expect(seen.body).toContain('TOPX is &lt;not&gt; a command.')
  })

  it('deprecates from the form: the entry page offers it, the queue shows why and what replaces it, approval marks it', async () => {
    const submitter = visitor(registry.app)
    await submitter.signIn(token('submitter', 'sam'))
    const entry = await submitter.get('/capabilities/EXPIRE')
    expect(entry.body).toContain('href="/register?kind=capability&amp;deprecate=EXPIRE"')
    const form = await submitter.get('/register?kind=capability&deprecate=expire')
    expect(textOf(form.body)).toContain('Deprecate a capability')
    expect(form.body).toContain('name="action" value="deprecate"')
    expect(form.body).toContain('id="f-tag" name="tag" value="EXPIRE"')
    expect(form.body).not.toContain('id="f-discussion"')

    // No reason: the rule is named next to the reason field, and nothing is stored.
    const noReason = await submitter.post('/register', { kind: 'capability', action: 'deprecate', tag: 'EXPIRE', reason: ' ', replacedBy: 'UIDL', intent: 'submit' })
    expect(noReason.statusCode).toBe(422)
    expect(noReason.body).toMatch(/<ul class="error" id="f-reason-error">/)
    expect(noReason.body).toContain('id="f-replacedBy" name="replacedBy" value="UIDL"')
    expect(registry.store.registrations.list({ limit: 10 }).items).toHaveLength(0)

    const sent = await submitter.post('/register', { kind: 'capability', action: 'deprecate', tag: 'EXPIRE', reason: 'Servers <never> expire mail now.', replacedBy: 'UIDL', intent: 'submit' })
    expect(sent.statusCode, textOf(sent.body)).toBe(201)
    expect(textOf(sent.body)).toContain('A deprecation of capability EXPIRE: Reason Servers <never> expire mail now. Replaced by UIDL')
    expect(registry.store.registrations.get(1)).toMatchObject({
      action: 'deprecate', entry: { tag: 'EXPIRE' }, deprecation: { reason: 'Servers <never> expire mail now.', replacedBy: 'UIDL' },
    })
    // The same form sent again (back, then submit): the same registration, not a second one.
    await submitter.get('/register?kind=capability&deprecate=EXPIRE')
    const again = await submitter.post('/register', { kind: 'capability', action: 'deprecate', tag: 'EXPIRE', reason: 'Servers <never> expire mail now.', replacedBy: 'UIDL', intent: 'submit' })
    expect(again.statusCode).toBe(200)
    expect(textOf(again.body)).toMatch(/Registration 1 is pending/)

    const reviewer = visitor(registry.app)
    await reviewer.signIn(token('reviewer', 'rita'))
    const queue = await reviewer.get('/registrations')
    const card = /<article class="card" id="queue-1">(.*?)<\/article>/s.exec(queue.body)?.[1] ?? ''
    expect(textOf(card)).toContain('Registration 1: deprecate capability EXPIRE pending')
    expect(textOf(card)).toContain('Reason Servers <never> expire mail now. Replaced by UIDL')
    expect(card).toContain('Servers &lt;never&gt; expire mail now.')
    expect(card).toContain('<a class="key" href="/capabilities/UIDL">UIDL</a>')
    expect(textOf(card)).toContain('The entry as published')
    expect((await reviewer.post('/registrations/1/approve', {})).statusCode).toBe(303)
    const deprecated = await reviewer.get('/capabilities/EXPIRE')
    expect(textOf(deprecated.body)).toContain('This capability is deprecated; it is replaced by UIDL.')
    expect(deprecated.body).not.toContain('deprecate=EXPIRE')
  })

  it('offers a blank deprecation form, and answers 404 for a key that is not registered', async () => {
    const browser = visitor(registry.app)
    await browser.signIn(token('submitter', 'sam'))
    const blank = await browser.get('/register?kind=response-code&deprecate=')
    expect(blank.statusCode).toBe(200)
    expect(blank.body).toContain('id="f-code" name="code" value=""')
    expect((await browser.get('/register?kind=capability&deprecate=NOSUCH')).statusCode).toBe(404)
  })

  it('does not let a submitter approve', async () => {
    const browser = visitor(registry.app)
    await browser.signIn(token('submitter', 'sam'))
    await browser.get('/registrations')
    const response = await browser.post('/registrations/1/approve', {})
    expect(response.statusCode).toBe(403)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
  })
})
