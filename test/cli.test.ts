import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openRegistry } from '../server/registry-file.ts'
import { createStore } from '../server/store/index.ts'
import { createRegistrationWorkflow } from '../server/workflow/registrations.ts'
import { sampleCapability, startRegistry, tempDir } from './helpers.ts'
import { cli, ROOT, runCliProcess, serve as startServer, stop } from './processes.ts'

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

function scratchDb() {
  const dir = tempDir()
  cleanups.push(dir.remove)
  return join(dir.path, 'nested', 'registry.db')
}

const serve = (dbPath: string) => startServer(dbPath, (child) => cleanups.push(() => child.kill('SIGKILL')))

describe('pop3-registry serve', () => {
  it('creates and seeds the database on first start, serves it, stops cleanly on SIGTERM, and on the next start neither reseeds nor duplicates it', async () => {
    const dbPath = scratchDb()
    const server = await serve(dbPath)
    expect(server.logs()).toContain('created the registry database and seeded the initial set')
    const body = await (await fetch(`${server.url}/v1/capabilities`)).json() as { total: number }
    expect(body.total).toBe(10)
    // The process runs the compiled dist/: the files it reads from the project must be found from there.
    for (const [path, type] of [['/', 'text/html'], ['/static/style.css', 'text/css'], ['/openapi.yaml', 'application/yaml'], ['/docs/', 'text/html']]) {
      const response = await fetch(`${server.url}${path!}`)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type'), path).toContain(type)
    }
    expect(await stop(server)).toBe(0)
    expect(server.logs()).toContain('shutting down')

    const second = await serve(dbPath)
    expect(second.logs()).toContain('opened the registry database')
    expect(second.logs()).toContain('"seeded":false')
    const again = await (await fetch(`${second.url}/v1/capabilities`)).json() as { total: number }
    expect(again.total).toBe(10)
    expect(((await (await fetch(`${second.url}/v1/response-codes`)).json()) as { total: number }).total).toBe(2)
    expect(await stop(second)).toBe(0)
  }, 60_000) // two process starts, each up to 20 s on a busy machine

  it('refuses a bad environment value, naming the variable', async () => {
    const result = runCliProcess(['serve'], { PORT: 'eighty', DB_PATH: scratchDb() })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/PORT="eighty"/)
  })
})

describe('pop3-registry', () => {
  it('explains its commands and environment with --help', async () => {
    const result = await cli(['--help'])
    expect(result.status).toBe(0)
    for (const word of ['serve', 'backup', 'DB_PATH', 'PORT', 'HOST', 'LOG_LEVEL']) expect(result.stdout).toContain(word)
  })

  it('exits 2 with a pointer to help on an unknown command', async () => {
    const result = await cli(['frobnicate'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('unknown command "frobnicate"')
  })

  it('backs the database up to a file that opens as the same registry', async () => {
    const dbPath = scratchDb()
    openRegistry(dbPath).db.close()
    const target = join(dbPath, '..', 'copy.db')
    const result = await cli(['backup', target], { DB_PATH: dbPath })
    expect(result.status, result.stderr).toBe(0)
    expect(existsSync(target)).toBe(true)
    const { db, seeded } = openRegistry(target, 'initial')
    expect(seeded).toBe(false)
    // The CLI made the database with the default seed, IANA's registry as it stands.
    expect(createStore(db).capabilities.count()).toBe(13)
    db.close()
  })
})

describe('pop3-registry command lines', () => {
  it('prints its version with --version', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
    expect(await cli(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` })
  })

  it('gives each command its own --help, and help <command> the same', async () => {
    const own = await cli(['backup', '--help'])
    expect(own.status).toBe(0)
    expect(own.stdout).toContain('backup <file> [--force]')
    expect(own.stdout).not.toContain('token create')
    expect((await cli(['help', 'backup'])).stdout).toBe(own.stdout)
    const group = await cli(['token', '--help'])
    expect(group.stdout).toContain('token create --role')
    expect(group.stdout).toContain('token revoke <id>')
    expect(group.stdout).not.toContain('backup')
  })

  it('refuses an option or argument its command does not take, exit 2, touching no database', async () => {
    const dbPath = scratchDb()
    const cases: [string[], RegExp][] = [
      [['token', 'list', '--stls', '--out', 'F'], /token list: Unknown option '--stls'/],
      [['token'], /token takes create, list or revoke/],
      [['token', 'frob'], /token takes create, list or revoke, not "frob"/],
      [['token', 'revoke'], /token revoke needs <id>/],
      [['backup', 'a.db', 'b.db'], /backup takes one argument, not "b.db"/],
      [['export', '--out'], /export: Option '--out <value>' argument missing/],
      [['token', 'create', '--role', 'overlord', '--name', 'x'], /--role submitter\|reviewer\|admin/],
      [['check', 'localhost'], /HOST:PORT/],
    ]
    for (const [args, message] of cases) {
      const result = await cli(args, { DB_PATH: dbPath })
      expect(result.status, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toMatch(message)
    }
    expect(existsSync(dbPath)).toBe(false)
  })

  it('backs up only over an existing file given --force, and only a database that exists', async () => {
    const dbPath = scratchDb()
    const target = join(dbPath, '..', '..', 'copy.db')
    const missing = await cli(['backup', target], { DB_PATH: dbPath })
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain(`there is no database to back up at DB_PATH=${dbPath}`)
    expect(existsSync(dbPath)).toBe(false)

    openRegistry(dbPath, 'initial').db.close()
    writeFileSync(target, 'precious')
    const refused = await cli(['backup', target], { DB_PATH: dbPath })
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain(`${target} exists already; pass --force`)
    expect(readFileSync(target, 'utf8')).toBe('precious')

    expect((await cli(['backup', target, '--force'], { DB_PATH: dbPath })).status).toBe(0)
    const { db } = openRegistry(target, 'initial')
    expect(createStore(db).capabilities.count()).toBe(10)
    db.close()
  })

  it('names the database path it cannot open, and the variable and a right value for a bad environment', async () => {
    const dir = tempDir()
    cleanups.push(dir.remove)
    const file = join(dir.path, 'a-file')
    writeFileSync(file, '')
    const unopenable = await cli(['token', 'list'], { DB_PATH: join(file, 'registry.db') })
    expect(unopenable.status).toBe(1)
    expect(unopenable.stderr).toContain(`cannot open the database at DB_PATH=${join(file, 'registry.db')}`)
    expect(unopenable.stderr).toContain('DB_PATH must name a file in a folder this user may write')

    const bad = await cli(['token', 'list'], { PORT: 'eighty', LOG_LEVEL: 'loud', DB_PATH: scratchDb() })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('PORT="eighty" should be a port number, a whole number from 0 to 65535')
    expect(bad.stderr).toContain('LOG_LEVEL="loud" should be one of fatal, error, warn, info, debug, trace, silent')
    expect(bad.stderr).not.toContain('received NaN')
  })

  it('ends quietly when the reader of its output goes away (openapi | head, export | head)', () => {
    const dbPath = scratchDb()
    openRegistry(dbPath).db.close()
    for (const command of ['openapi', 'export']) {
      const result = spawnSync('sh', ['-c', `"${process.execPath}" bin/pop3-registry.js ${command} | head -c 10`],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DB_PATH: dbPath } })
      expect(result.stdout.length, command).toBe(10)
      expect(result.stderr, command).toBe('')
    }
  })
})

describe('pop3-registry token', () => {
  it('makes a token shown once on its last line, lists it, and revokes it', async () => {
    const dbPath = scratchDb()
    const made = await cli(['token', 'create', '--role', 'reviewer', '--name', 'alice'], { DB_PATH: dbPath })
    expect(made.status, made.stderr).toBe(0)
    const token = made.stdout.trim().split('\n').at(-1)!
    expect(token).toMatch(/^p3r_[0-9a-f]{12}_[\w-]{43}$/)
    const id = token.split('_')[1]!

    const listed = await cli(['token', 'list'], { DB_PATH: dbPath })
    expect(listed.stdout).toMatch(new RegExp(`${id}\treviewer\t.*\t-\talice`))
    expect(listed.stdout).not.toContain(token.slice('p3r_'.length + 13))

    const server = await serve(dbPath)
    const asAlice = { headers: { authorization: `Bearer ${token}` } }
    expect((await fetch(`${server.url}/v1/registrations`, asAlice)).status).toBe(200)
    expect((await cli(['token', 'revoke', id], { DB_PATH: dbPath })).status).toBe(0)
    expect((await fetch(`${server.url}/v1/registrations`, asAlice)).status).toBe(401)
    await stop(server)
  })
})

describe('pop3-registry rfc-index load', () => {
  it('loads RFC statuses from an rfc-index.xml file, into the table the registration warnings consult', async () => {
    const dbPath = scratchDb()
    const file = join(dbPath, '..', '..', 'rfc-index.xml')
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<rfc-index xmlns="https://www.rfc-editor.org/rfc-index">
  <bcp-entry><doc-id>BCP0014</doc-id><is-also><doc-id>RFC2119</doc-id></is-also></bcp-entry>
  <rfc-entry>
    <doc-id>RFC2449</doc-id>
    <title>POP3 Extension Mechanism</title>
    <author><name>R. Gellens</name></author>
    <date><month>November</month><year>1998</year></date>
    <updates><doc-id>RFC1939</doc-id></updates>
    <updated-by><doc-id>RFC5034</doc-id></updated-by>
    <current-status>PROPOSED STANDARD</current-status>
    <publication-status>PROPOSED STANDARD</publication-status>
  </rfc-entry>
  <rfc-entry>
    <doc-id>RFC9001</doc-id>
    <title>A POP3 experiment</title>
    <current-status>EXPERIMENTAL</current-status>
  </rfc-entry>
  <rfc-entry>
    <doc-id>RFC9002</doc-id>
    <title>Notes on POP3 &amp; friends</title>
    <obsoleted-by><doc-id>RFC9003</doc-id><doc-id>RFC9004</doc-id></obsoleted-by>
    <current-status>INFORMATIONAL</current-status>
  </rfc-entry>
</rfc-index>
`)
    const result = await cli(['rfc-index', 'load', file], { DB_PATH: dbPath })
    expect(result.status, result.stderr).toBe(0)
    // RFC 2449 is known already, as the index says: only the other two are new.
    expect(result.stdout).toContain(`read 3 RFCs from ${file}, 2 of them new or changed; the registry now knows 10`)
    const { db } = openRegistry(dbPath, 'initial')
    const store = createStore(db)
    expect(store.rfcs.get(9001)).toEqual({ number: 9001, title: 'A POP3 experiment', status: 'EXPERIMENTAL', obsoletedBy: null })
    expect(store.rfcs.get(9002)).toMatchObject({ title: 'Notes on POP3 & friends', obsoletedBy: 'RFC9003, RFC9004' })
    expect(store.rfcs.get(2449)?.status).toBe('PROPOSED STANDARD')
    db.close()
  })

  it('refuses a file that is not an RFC index, changing nothing', async () => {
    const dbPath = scratchDb()
    const file = join(dbPath, '..', '..', 'not-an-index.xml')
    writeFileSync(file, '<html><body>hello</body></html>')
    const result = await cli(['rfc-index', 'load', file], { DB_PATH: dbPath })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('not an RFC index')
    const { db } = openRegistry(dbPath, 'initial')
    expect(createStore(db).rfcs.count()).toBe(8)
    db.close()
  })
})

describe('pop3-registry export and import', () => {
  it('round-trips: importing an export into an empty database reproduces the same registry', async () => {
    const source = scratchDb()
    const { db } = openRegistry(source, 'initial')
    const store = createStore(db)
    const workflow = createRegistrationWorkflow(store)
    const submitted = workflow.submit({ kind: 'capability', action: 'register', entry: sampleCapability('ROUNDTRIP') }, 'alice')
    workflow.approve(('registration' in submitted ? submitted.registration : undefined)!.id, 'rita')
    store.capabilities.publish({ ...sampleCapability('ROUNDTRIP'), discussion: 'Revised.' }, { at: '2030-01-01T00:00:00.000Z', action: 'update' })
    db.close()

    const file = join(source, '..', 'export.json')
    const exported = await cli(['export', '--out', file], { DB_PATH: source })
    expect(exported.status, exported.stderr).toBe(0)
    const target = join(source, '..', 'imported.db')
    const imported = await cli(['import', file], { DB_PATH: target })
    expect(imported.status, imported.stderr).toBe(0)
    expect(imported.stdout).toContain('imported 11 capabilities and 2 response codes (14 changes)')

    const bodies = await Promise.all([source, target].map(async (path) => {
      const registry = await startRegistry(path, 'initial')
      const urls = ['/v1/registry.json', '/v1/registry.xml', '/v1/changes', '/v1/capabilities/ROUNDTRIP/history']
      const answers = await Promise.all(urls.map(async (url) => (await registry.app.inject(url)).body))
      await registry.close()
      return answers
    }))
    expect(bodies[1]).toEqual(bodies[0])
    const written = readFileSync(file, 'utf8')
    expect(JSON.parse(written)).toEqual(JSON.parse(bodies[0]![0]!))
    // Indented, as JSON.stringify would.
    expect(written).toBe(`${JSON.stringify(JSON.parse(written), null, 2)}\n`)
  })

  it('refuses to import into a database that holds a registry, changing nothing', async () => {
    const dbPath = scratchDb()
    const file = join(dbPath, '..', '..', 'export.json')
    expect((await cli(['export', '--out', file], { DB_PATH: dbPath })).status).toBe(0)
    const again = await cli(['import', file], { DB_PATH: dbPath })
    expect(again.status).toBe(2)
    expect(again.stderr).toContain('already holds a registry')
  })

  it('refuses a file that is not an export', async () => {
    const dbPath = scratchDb()
    const file = join(dbPath, '..', '..', 'bad.json')
    writeFileSync(file, JSON.stringify({ format: 'something else' }))
    const result = await cli(['import', file], { DB_PATH: join(dbPath, '..', '..', 'fresh.db') })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('not a pop3-registry export')
  })
})
