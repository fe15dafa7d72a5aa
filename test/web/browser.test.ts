import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalProgram } from '../external.ts'
import { sampleCapability, startRegistry, type TestRegistry } from '../helpers.ts'

// People's journeys through the pages in a real browser: Debian's Chromium, driven by
// playwright-core (nothing downloads a browser). Required in CI (.ci/run installs it); skipped
// elsewhere, saying so, when Chromium is missing. SCREENSHOTS=1 also writes the README's pictures.
// Three browser profiles: a visitor who never signs in, a submitter and a reviewer. Each profile
// costs Chromium a window and a second of CPU, so the journeys share them as people would.
const CHROMIUM = '/usr/bin/chromium'
const program = externalProgram('Chromium', CHROMIUM, ['--version'], 'apt-get install chromium')
const AXE = program.skip ? '' : readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SCREENSHOTS = new URL('../../docs/', import.meta.url).pathname

let registry: TestRegistry
let browser: Browser
let base: string
const contexts: BrowserContext[] = []

beforeAll(async () => {
  if (program.skip) return
  registry = await startRegistry(':memory:', 'initial')
  base = await registry.app.listen({ host: '127.0.0.1', port: 0 })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}, 60_000)

afterAll(async () => {
  for (const context of contexts) await context.close()
  await browser?.close()
  await registry?.close()
})

/** A fresh browser profile (its own cookies) at 1280 px. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } })
  contexts.push(context)
  const page = await context.newPage()
  // A dialog means some value ran as script: never acceptable.
  page.on('dialog', (dialog) => { throw new Error(`a dialog opened: ${dialog.message()}`) })
  return page
}

async function signIn(page: Page, role: 'submitter' | 'reviewer', name: string) {
  await page.goto('/signin')
  await page.getByLabel('API token').fill(registry.store.tokens.create(name, role).token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/registrations')
}

async function screenshot(page: Page, name: string) {
  if (!process.env.SCREENSHOTS) return
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` })
}

/**
 * axe-core's serious and critical findings on the page as it is now. axe is evaluated through the
 * DevTools protocol, which the pages' CSP (no script at all) does not govern, so the page is the
 * one the person sees, signed in or showing a form's errors.
 */
async function seriousViolations(page: Page) {
  await page.evaluate(AXE)
  // Only counts and the findings cross back: axe's full results are large.
  const results = await page.evaluate(async () => {
    type Result = { id: string, impact: string, help: string, nodes: { target: unknown }[] }
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Result[], passes: Result[] }> } }).axe
    const { violations, passes } = await axe.run()
    return { passes: passes.length, violations: violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.map((n) => n.target) })) }
  })
  // axe ran and checked something: a page it could not read would pass nothing.
  expect(results.passes).toBeGreaterThan(10)
  if (process.env.AXE_REPORT) console.log(page.url(), results.violations.map((v) => `${v.id} (${v.impact})`))
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.targets)}`)
}

const tableKeys = (page: Page, registry: string) =>
  page.locator(`tr[id^="${registry}-"] th a`).allTextContents()

describe.skipIf(program.skip)('in Chromium', { timeout: 120_000 }, () => {
  let visitor: Page
  let submitter: Page
  let reviewer: Page
  let registered: number

  it('1. browses the registry: both tables, a state filter, a search, TOP and its RFC link, the CSV', async () => {
    visitor = await newPage()
    const page = visitor
    await page.goto('/')
    await expect.poll(() => tableKeys(page, 'capabilities')).toHaveLength(10)
    expect(await tableKeys(page, 'response-codes')).toEqual(['LOGIN-DELAY', 'IN-USE'])
    await screenshot(page, 'home-1280')

    await page.getByLabel('Commands valid in state').selectOption('AUTHORIZATION')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/state=AUTHORIZATION/)
    expect(await tableKeys(page, 'capabilities')).toEqual(['USER', 'SASL', 'STLS'])

    await page.getByRole('link', { name: 'Clear filters' }).click()
    await page.getByRole('searchbox').fill('pipelin')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/q=pipelin/)
    expect(await tableKeys(page, 'capabilities')).toEqual(['PIPELINING'])

    await page.goto('/')
    await page.locator('#capabilities-TOP a.key').click()
    await page.waitForURL('**/capabilities/TOP')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/Capability\s+TOP/)
    expect(await page.locator('#field-references + dd a').first().getAttribute('href')).toBe('https://www.rfc-editor.org/rfc/rfc2449')
    await screenshot(page, 'entry-1280')

    await page.goto('/')
    const csvHref = await page.getByRole('link', { name: 'Capabilities (CSV)' }).getAttribute('href')
    const csv = await page.request.get(csvHref!)
    expect(csv.status()).toBe(200)
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/)
    expect(await csv.text()).toMatch(/^CAPA Tag,/)
  })

  it('2. a submitter sees three mistakes next to their fields, fixes them and submits', async () => {
    submitter = await newPage()
    await signIn(submitter, 'submitter', 'sam')
    await submitter.goto('/register')
    await submitter.getByLabel('CAPA tag').fill('XBROWSE')
    await submitter.getByLabel('Added commands').fill('BRWS')
    await submitter.getByLabel('Announced in states').fill('AUTHORIZATION\nTRANSACTION')
    await submitter.getByRole('radio', { name: 'no' }).check()
    await submitter.getByLabel('Commands valid in states').fill('transaction')
    await submitter.getByLabel('Specification references').fill('RFC2449')
    await submitter.getByRole('button', { name: 'Submit for review' }).click()
    await submitter.waitForSelector('#problems')
    expect(await submitter.locator('#f-tag-error').textContent()).toMatch(/X/)
    expect(await submitter.locator('#f-discussion-error').textContent()).not.toBe('')
    expect(await submitter.locator('#f-validStates-error').textContent()).not.toBe('')
    expect(await submitter.getByLabel('CAPA tag').inputValue()).toBe('XBROWSE')
    expect(await submitter.locator('[aria-invalid="true"]').count()).toBe(3)
    await screenshot(submitter, 'register-errors-1280')
    expect(await seriousViolations(submitter), '/register with errors').toEqual([])

    await submitter.getByLabel('CAPA tag').fill('BROWSE')
    await submitter.getByLabel('Discussion').fill('Added by a person, in a browser.')
    await submitter.getByLabel('Commands valid in states').fill('TRANSACTION')
    await submitter.getByRole('button', { name: 'Submit for review' }).click()
    const heading = await submitter.getByRole('heading', { level: 1 }).textContent()
    expect(heading).toMatch(/Registration (\d+) is pending/)
    registered = Number(/Registration (\d+)/.exec(heading!)![1])
  })

  it('3. a reviewer in another browser approves it; it shows on /, on its page with one revision, and in the CSV', async () => {
    reviewer = await newPage()
    await signIn(reviewer, 'reviewer', 'rita')
    const card = reviewer.locator(`#queue-${registered}`)
    expect(await card.textContent()).toContain('BROWSE')
    await screenshot(reviewer, 'review-queue-1280')
    await card.getByRole('button', { name: 'Approve and publish' }).click()
    await reviewer.waitForURL(/approved=/)
    expect(await reviewer.getByRole('status').textContent()).toContain(`Registration ${registered} is approved`)
    await reviewer.goto('/')
    expect(await tableKeys(reviewer, 'capabilities')).toContain('BROWSE')
    await reviewer.goto('/capabilities/BROWSE')
    expect(await reviewer.getByRole('heading', { name: /^History/ }).textContent()).toBe('History (1 revision)')
    expect(await (await reviewer.request.get('/v1/capabilities.csv')).text()).toContain('\r\nBROWSE,')
  })

  it('4. an update shows its diff in the queue; a reject needs a reason, and the submitter sees it', async () => {
    await submitter.goto('/register?kind=capability&update=BROWSE')
    await submitter.getByLabel('Discussion').fill('Added by a person, in a browser; now with a better discussion.')
    await submitter.getByRole('button', { name: 'Submit for review' }).click()
    const update = Number(/Registration (\d+)/.exec((await submitter.getByRole('heading', { level: 1 }).textContent())!)![1])

    await reviewer.goto('/registrations')
    const card = reviewer.locator(`#queue-${update}`)
    const diff = card.locator('table')
    expect(await diff.locator('tbody th').allTextContents()).toEqual(['Discussion'])
    expect(await diff.locator('ins').textContent()).toContain('now with a better discussion')
    // The browser will not send the form without a reason (required), and the server would refuse it too.
    await card.getByRole('button', { name: 'Reject' }).click()
    expect(reviewer.url()).toMatch(/\/registrations$/)
    expect(registry.store.registrations.get(update)?.status).toBe('pending')
    await card.getByLabel('Reason for rejecting').fill('The discussion was fine as it was.')
    await card.getByRole('button', { name: 'Reject' }).click()
    await reviewer.waitForURL(/rejected=/)

    await submitter.goto('/registrations')
    expect(await submitter.locator(`#registration-${update}`).textContent()).toContain('Reason: The discussion was fine as it was.')
  })

  it('4b. a submitter deprecates EXPIRE from its page; the reviewer reads why and approves; its page says what replaces it', async () => {
    await submitter.goto('/capabilities/EXPIRE')
    await submitter.getByRole('link', { name: 'its deprecation' }).click()
    expect(await submitter.getByRole('heading', { level: 1 }).textContent()).toBe('Deprecate a capability')
    expect(await submitter.getByLabel('CAPA tag').inputValue()).toBe('EXPIRE')
    await submitter.getByLabel('Reason').fill('Clients no longer act on it.')
    await submitter.getByLabel('Replaced by (optional)').fill('UIDL')
    await submitter.getByRole('button', { name: 'Submit for review' }).click()
    const heading = (await submitter.getByRole('heading', { level: 1 }).textContent())!
    expect(heading).toMatch(/Registration \d+ is pending/)
    const id = Number(/Registration (\d+)/.exec(heading)![1])

    await reviewer.goto('/registrations')
    const card = reviewer.locator(`#queue-${id}`)
    expect(await card.textContent()).toContain('Clients no longer act on it.')
    expect(await card.getByRole('link', { name: 'UIDL' }).getAttribute('href')).toBe('/capabilities/UIDL')
    await card.getByRole('button', { name: 'Approve and publish' }).click()
    await reviewer.waitForURL(/approved=/)
    await reviewer.goto('/capabilities/EXPIRE')
    expect(await reviewer.locator('h1 .badge').textContent()).toBe('deprecated')
    expect(await reviewer.getByText('This capability is deprecated').textContent()).toContain('replaced by UIDL')
  })

  it('5. hostile values render inert; a POST without the CSRF token is refused; a signed-out visitor is sent to sign in', async () => {
    registry.store.capabilities.publish(sampleCapability('HOSTILE', {
      discussion: '<script>alert(1)</script>',
      notes: ['"><img src=x onerror=alert(2)>'],
    }) as never, { at: new Date().toISOString(), action: 'register', registrationId: null })
    const page = visitor
    for (const url of ['/', '/capabilities/HOSTILE']) {
      await page.goto(url)
      expect(await page.locator('main script, main img').count(), url).toBe(0)
    }
    expect(await page.locator('#field-discussion + dd').textContent()).toBe('<script>alert(1)</script>')
    expect(await page.locator('#field-notes + dd').textContent()).toBe('"><img src=x onerror=alert(2)>')

    const forged = await submitter.request.post('/register', {
      headers: { accept: 'text/html' },
      form: { kind: 'capability', action: 'register', tag: 'FORGED', intent: 'submit' },
    })
    expect(forged.status()).toBe(403)
    expect(await forged.text()).toContain('anti-forgery token')

    await visitor.goto('/registrations')
    expect(new URL(visitor.url()).pathname).toBe('/signin')
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in')
  })

  it('6. axe-core finds no serious or critical violation on /, an entry page and /registrations; / reads at 390 px', async () => {
    for (const url of ['/', '/capabilities/TOP', '/response-codes/LOGIN-DELAY']) {
      await visitor.goto(url)
      expect(await seriousViolations(visitor), url).toEqual([])
    }
    await reviewer.goto('/registrations')
    expect(await seriousViolations(reviewer), '/registrations').toEqual([])

    await visitor.setViewportSize({ width: 390, height: 900 })
    try {
      await visitor.goto('/#capabilities')
      // Nothing but the tables' own scrolling regions is wider than the screen.
      // (The page function runs in the browser, where document exists; tsc here knows no DOM.)
      expect(await visitor.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
      await screenshot(visitor, 'home-390')
    } finally {
      await visitor.setViewportSize({ width: 1280, height: 900 })
    }
  })

  it('7. /docs renders every operation and schema with no resolver error, and tries requests on this server', async () => {
    const page = visitor
    await page.goto('/docs/')
    await page.locator('.opblock').first().waitFor()
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(17)
    const operation = page.locator('#operations-capabilities-getCapability')
    await operation.locator('.opblock-summary').click()
    await operation.getByRole('button', { name: 'Try it out' }).click()
    await operation.locator('input[placeholder="tag"]').fill('top')
    await operation.getByRole('button', { name: 'Execute' }).click()
    await operation.locator('.live-responses-table').waitFor()
    expect(await operation.locator('.request-url pre').textContent()).toBe(`${base}/v1/capabilities/top`)
    expect(await operation.locator('.live-responses-table tbody .response-col_status').first().textContent()).toContain('200')
    // Every schema opens to its properties, not a bare "string".
    const capability = page.locator('section.models article[data-json-schema-level="0"]')
      .filter({ has: page.locator('.json-schema-2020-12__title', { hasText: /^Capability$/ }) })
    await capability.getByRole('button', { name: 'Expand all' }).click()
    expect(await capability.textContent()).toContain('affectedCommands')
    expect(await capability.locator('.json-schema-2020-12-head .json-schema-2020-12__attribute--primary').first().textContent()).toBe('object')
    expect(await page.getByText(/Resolver error|Could not resolve reference/).count()).toBe(0)
  })
})
