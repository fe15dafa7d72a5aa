// The command line: a table of commands, each with its own options, arguments, help and run.
// Only node built-ins are imported here; each command imports what it needs when it runs, so that
// `help` and `--version` start as fast as node itself.
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Config } from './config.ts'
import { projectFile } from './project-files.ts'
import type { Store } from './store/index.ts'

/** A mistake in how the program was called (exit code 2). */
class UsageError extends Error {}

/** The POP3 server could not be reached or did not answer as POP3 (exit code 3). */
class CheckFailed extends Error {}

/** Where a command writes, and the environment it reads (the process's own, or a test's). */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
}

type Values = Record<string, string | boolean | undefined>

interface Run {
  values: Values
  args: string[]
  io: CliIo
  /** The configuration, read from the environment (or one given) once, when a command first asks. */
  config: (env?: NodeJS.ProcessEnv) => Promise<Config>
}

interface Command {
  /** Arguments and options, as the help shows them. */
  usage: string
  /** What it does, a line or a few, for the help. */
  about: string
  options?: ParseArgsConfig['options']
  /** Its positional arguments, all required, as the help writes them. */
  args?: string[]
  run: (run: Run) => Promise<number> | number
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const

const COMMANDS: Record<string, Command> = {
  'serve': {
    usage: '[--follow URL]',
    about: 'Serve the registry over HTTP (what npm start runs). The database is created and\n'
      + 'seeded (SEED) on first start. With --follow (or FOLLOW=URL), serve a\n'
      + 'read-only replica of the primary at URL instead: copied into DB_PATH, kept current\n'
      + 'from its change feed; writes answer 307 to the primary.',
    options: { follow: { type: 'string' } },
    run: async ({ values, io, config }) => {
      const { startServer } = await import('./server.ts')
      // --follow is FOLLOW by another name; the option wins.
      await startServer(values.follow === undefined ? await config() : await config({ ...io.env, FOLLOW: values.follow as string }))
      return 0
    },
  },
  'backup': {
    usage: '<file> [--force]',
    about: 'Write a consistent copy of the database to <file>, safe while the server runs.\nRefuses to replace an existing file unless given --force.',
    options: { force: { type: 'boolean' } },
    args: ['<file>'],
    run: async ({ values, args: [target], io, config }) => {
      const { DB_PATH } = await config()
      if (!existsSync(DB_PATH)) throw new UsageError(`there is no database to back up at DB_PATH=${DB_PATH}`)
      if (existsSync(target!)) {
        if (!values.force) throw new UsageError(`${target} exists already; pass --force to replace it, or name another file`)
        rmSync(target!)
      }
      return withStore(await config(), async (store) => {
        const { totalPages } = await store.db.backup(target!)
        io.out(`backed up ${totalPages} pages to ${target}\n`)
        return 0
      })
    },
  },
  'token create': {
    usage: '--role submitter|reviewer|admin --name NAME',
    about: 'Make an API token. It is printed once, alone on the last line, and only its hash is\nkept.',
    options: { role: { type: 'string' }, name: { type: 'string' } },
    run: async ({ values, io, config }) => {
      const { ROLES } = await import('./store/tokens.ts')
      const role = ROLES.find((known) => known === values.role)
      if (!role) throw new UsageError(`token create needs --role ${ROLES.join('|')}`)
      const name = typeof values.name === 'string' ? values.name.trim() : ''
      if (!name) throw new UsageError('token create needs --name NAME: whose token it is')
      return withStore(await config(), (store) => {
        const token = store.tokens.create(name, role)
        io.out(`made ${token.role} token ${token.id} for ${token.name}; it is shown only now:\n${token.token}\n`)
        return 0
      })
    },
  },
  'token list': {
    usage: '',
    about: 'List tokens: id, role, when made, when revoked, name. Never their secrets.',
    run: async ({ io, config }) => withStore(await config(), (store) => {
      const rows = store.tokens.list().map((t) => [t.id, t.role, t.createdAt, t.revokedAt ?? '-', t.name].join('\t'))
      io.out(['id\trole\tcreated\trevoked\tname', ...rows].join('\n') + '\n')
      return 0
    }),
  },
  'token revoke': {
    usage: '<id>',
    about: 'Revoke a token at once (its id as token list shows it).',
    args: ['<id>'],
    run: async ({ args: [id], io, config }) => withStore(await config(), (store) => {
      if (!store.tokens.revoke(id!)) throw new UsageError(`no live token has the id ${id}; token list shows them`)
      io.out(`revoked token ${id}\n`)
      return 0
    }),
  },
  'rfc-index load': {
    usage: '<file>',
    about: 'Load RFC statuses from the RFC Editor\'s rfc-index.xml, adding or refreshing the RFCs\nthe registration warnings consult and registry.json carries (a load that changes one\nmoves the registry\'s version: caches, downloads and followers follow).',
    args: ['<file>'],
    run: async ({ args: [file], io, config }) => {
      const { parseRfcIndex } = await import('./rfc-index.ts')
      const rfcs = parseRfcIndex(readInput(file!))
      return withStore(await config(), (store) => {
        const changed = store.rfcs.load(rfcs)
        io.out(`read ${rfcs.length} RFCs from ${file}, ${changed} of them new or changed; the registry now knows ${store.rfcs.count()}\n`)
        return 0
      })
    },
  },
  'export': {
    usage: '[--out F]',
    about: 'Print the whole registry as JSON (what /v1/registry.json serves), or write it to F,\nindented, streamed entry by entry.',
    options: { out: { type: 'string' } },
    run: async ({ values, io, config }) => {
      const [{ registryJson }, { indentJson }] = await Promise.all([import('./publish/render.ts'), import('./publish/indent-json.ts')])
      const out = values.out as string | undefined
      return withStore(await config(), (store) => {
        // One read transaction: the export is one consistent version of the registry.
        store.db.transaction(() => {
          const chunks = gathered(out ? indentJson(registryJson(store)) : registryJson(store))
          if (!out) {
            for (const chunk of chunks) io.out(chunk)
            io.out('\n')
            return
          }
          const fd = openSync(out, 'w')
          try {
            for (const chunk of chunks) writeSync(fd, chunk)
            writeSync(fd, '\n')
          } finally {
            closeSync(fd)
          }
        })()
        return 0
      })
    },
  },
  'import': {
    usage: '<file>',
    about: 'Rebuild an exported registry, history included, into the empty database at DB_PATH\n(a new file). Refuses a database that holds a registry already.',
    args: ['<file>'],
    run: async ({ args: [file], io, config }) => {
      const text = readInput(file!)
      let document: unknown
      try {
        document = JSON.parse(text)
      } catch (error) {
        throw new UsageError(`${file} is not JSON (${(error as Error).message}); import reads what export writes`)
      }
      const [{ ImportError, importRegistry }, { openRegistryDatabase }, { createStore }] = await Promise.all([
        import('./publish/import.ts'), import('./registry-file.ts'), import('./store/index.ts')])
      const { DB_PATH } = await config()
      const db = openRegistryDatabase(DB_PATH)
      try {
        let counts
        try {
          counts = importRegistry(createStore(db), document)
        } catch (error) {
          throw error instanceof ImportError ? new UsageError(error.message) : error
        }
        io.out(`imported ${counts.capabilities} capabilities and ${counts.responseCodes} response codes (${counts.changes} changes) into ${DB_PATH}\n`)
      } finally {
        db.close()
      }
      return 0
    },
  },
  'check': {
    usage: 'HOST:PORT [--user U --pass-env VAR] [--stls [--insecure]] [--json]\n      [--registry URL] [--timeout MS]',
    about: 'Connect to a POP3 server, read its greeting, ask CAPA, log in if given a user (the\n'
      + 'password is read from the environment variable VAR) and ask CAPA again, then QUIT;\n'
      + 'report what it announces against RFC 2449 and the registry (this database, or the\n'
      + 'registry server at URL). Exits 1 when a finding is an error, 3 when the server could\n'
      + 'not be checked.',
    options: {
      'user': { type: 'string' }, 'pass-env': { type: 'string' }, 'stls': { type: 'boolean' }, 'insecure': { type: 'boolean' },
      'json': { type: 'boolean' }, 'registry': { type: 'string' }, 'timeout': { type: 'string' },
    },
    args: ['HOST:PORT'],
    run: checkCommand,
  },
  'openapi': {
    usage: '[--out F]',
    about: 'Print the API\'s OpenAPI document (YAML), generated from the routes, or write it\nto F (npm run openapi rewrites openapi.yaml, which the server serves).',
    options: { out: { type: 'string' } },
    run: async ({ values, io }) => {
      const { buildApp } = await import('./app.ts')
      const [{ openRegistry }, { writeFileSync }] = await Promise.all([import('./registry-file.ts'), import('node:fs')])
      const { db } = openRegistry(':memory:')
      // Generated from the routes; a running server serves the committed openapi.yaml this rewrites.
      const app = await buildApp({ db, openapi: true })
      await app.ready()
      const document = app.swagger({ yaml: true })
      await app.close()
      db.close()
      if (typeof values.out === 'string') writeFileSync(values.out, document)
      else io.out(document)
      return 0
    },
  },
  'help': {
    usage: '[command]',
    about: 'Show this text, or one command\'s.',
    run: ({ io }) => {
      io.out(HELP)
      return 0
    },
  },
}

const GROUPS = [...new Set(Object.keys(COMMANDS).filter((name) => name.includes(' ')).map((name) => name.split(' ')[0]!))]

function commandHelp(name: string): string {
  const command = COMMANDS[name]!
  return `${`  ${name} ${command.usage.replaceAll('\n', '\n  ')}`.trimEnd()}\n${command.about.replace(/^/gm, '      ')}\n`
}

const HELP = `pop3-registry: the POP3 Extension Mechanism registry (RFC 2449)

Usage: pop3-registry <command> [options]      (pop3-registry <command> --help for one)
       pop3-registry --version

Commands:
${Object.keys(COMMANDS).map(commandHelp).join('')}
Environment:
  HOST       address to listen on            (default 127.0.0.1)
  PORT       port to listen on               (default 8080)
  DB_PATH    the SQLite database file        (default ./data/registry.db)
  LOG_LEVEL  fatal|error|warn|info|debug|trace|silent   (default info)
  CACHE_MAX_AGE, CACHE_STALE_WHILE_REVALIDATE
             seconds in the Cache-Control of reads      (default 0: no-cache)
  FOLLOW     the primary's URL: serve as its follower   (default: none)
  FOLLOW_MAX_LAG  seconds behind before /readyz says no (default 30)
  SHUTDOWN_GRACE  seconds requests get to finish at SIGTERM (default 10)
  TRUST_PROXY  proxies whose X-Forwarded-For/-Proto to believe: true, a hop
             count, or their addresses/CIDRs, comma-separated (default: none)
  SEED       what a new database starts with: current (IANA's registry as it
             stands, with its dated history) or initial (the 2001 set alone);
             a database that has a registry already is never reseeded
                                             (default current)

Exit codes: 0 done, 1 failed, 2 a usage or configuration mistake, 3 (check) not checked.

Examples:
  PORT=9000 pop3-registry serve
  pop3-registry token create --role reviewer --name alice
  pop3-registry backup /var/backups/registry-$(date +%F).db
`

function version(): string {
  return (JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version: string }).version
}

const groupCommands = (group: string) => Object.keys(COMMANDS).filter((name) => name.startsWith(`${group} `))

/** Finds the command named by the first one or two words; the rest are its own. */
function findCommand(argv: string[]): { name: string, rest: string[] } {
  const [first = 'help', second] = argv
  if (GROUPS.includes(first)) {
    const name = `${first} ${second}`
    if (!COMMANDS[name]) {
      const verbs = groupCommands(first).map((known) => known.split(' ')[1]!)
      const list = `${verbs.slice(0, -1).join(', ')} or ${verbs.at(-1)}`
      throw new UsageError(`${first} takes ${list}${second === undefined ? '' : `, not "${second}"`}; pop3-registry ${first} --help shows them`)
    }
    return { name, rest: argv.slice(2) }
  }
  if (!COMMANDS[first]) throw new UsageError(`unknown command "${first}"; run pop3-registry help`)
  return { name: first, rest: argv.slice(1) }
}

/** Runs one command line; resolves to the exit code, having written any failure to io.err. */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  // Synchronous writes: a closed pipe throws EPIPE at the write, which ends the command quietly.
  const { out = (text) => void writeSync(1, text), err = (text) => void writeSync(2, text), env = process.env } = io
  const full: CliIo = { out, err, env }
  try {
    if (argv[0] === '--version' || argv[0] === '-v') {
      out(`${version()}\n`)
      return 0
    }
    if (argv[0] === '--help' || argv[0] === '-h') argv = ['help']
    // `token --help` and `help token`: every command of the group.
    const group = argv[0] === 'help' ? argv[1] : argv[0]
    const asksHelp = argv[0] === 'help' ? argv.length === 2 : argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h')
    if (group && GROUPS.includes(group) && asksHelp) {
      out(groupCommands(group).map(commandHelp).join(''))
      return 0
    }
    const { name, rest } = findCommand(argv)
    const command = COMMANDS[name]!
    const { values, positionals } = parseCommandLine(name, command, rest)
    if (values.help) {
      out(commandHelp(name))
      return 0
    }
    if (name === 'help' && positionals.length > 0) {
      const asked = findCommand(positionals).name
      out(commandHelp(asked))
      return 0
    }
    let config: Promise<Config> | undefined
    // A bad value is a configuration mistake, told as a usage error (exit 2).
    const readOnce = (from = env) => (config ??= import('./config.ts').then(({ ConfigError, readConfig }) => {
      try {
        return readConfig(from)
      } catch (error) {
        throw error instanceof ConfigError ? new UsageError(error.message) : error
      }
    }))
    return await command.run({ values, args: positionals, io: full, config: readOnce })
  } catch (error) {
    return failure(error, full)
  }
}

function parseCommandLine(name: string, command: Command, rest: string[]) {
  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { ...HELP_OPTION, ...command.options } })
  } catch (error) {
    // node's messages end with advice on `--` that does not apply here; keep the first sentence.
    const first = (error as Error).message.split('. ')[0]!.replace(/\.$/, '')
    throw new UsageError(`${name}: ${first}; pop3-registry ${name} --help lists its options`)
  }
  const expected = name === 'help' ? parsed.positionals.length : (command.args ?? []).length
  const values = parsed.values as Values
  if (!values.help && parsed.positionals.length !== expected) {
    const usage = `pop3-registry ${name} ${command.usage.split('\n')[0]}`.trimEnd()
    throw new UsageError(parsed.positionals.length < expected
      ? `${name} needs ${command.args!.slice(parsed.positionals.length).join(' and ')}: ${usage}`
      : `${name} takes ${expected === 0 ? 'no arguments' : expected === 1 ? 'one argument' : `${expected} arguments`}, not "${parsed.positionals.slice(expected).join(' ')}": ${usage}`)
  }
  return { values, positionals: parsed.positionals }
}

function failure(error: unknown, io: CliIo): number {
  const { code } = error as { code?: string }
  // A reader that went away (`export | head`) is not a failure of ours.
  if (code === 'EPIPE') return 0
  io.err(`pop3-registry: ${(error as Error).message}\n`)
  if (error instanceof UsageError) return 2
  if (error instanceof CheckFailed) return 3
  return 1
}

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
}

/** Runs a command against the registry at DB_PATH (seeded with SEED if it is new), closing it after. */
async function withStore<T>(config: Config, command: (store: Store) => Promise<T> | T): Promise<T> {
  const [{ openRegistry }, { createStore }] = await Promise.all([import('./registry-file.ts'), import('./store/index.ts')])
  const { db } = openRegistry(config.DB_PATH, config.SEED)
  try {
    return await command(createStore(db))
  } finally {
    db.close()
  }
}

/** Joins small chunks into writes of about 64 KiB: one system call per entry is slow. */
function* gathered(chunks: Iterable<string>): Generator<string> {
  let buffer = ''
  for (const chunk of chunks) {
    buffer += chunk
    if (buffer.length >= 65_536) {
      yield buffer
      buffer = ''
    }
  }
  if (buffer) yield buffer
}

async function checkCommand({ values, args: [server], io, config }: Run): Promise<number> {
  const target = /^(.+):(\d{1,5})$/.exec(server!)
  if (!target) throw new UsageError('check needs the server as HOST:PORT, e.g. pop3-registry check 127.0.0.1:110')
  const user = values.user as string | undefined
  const passEnv = values['pass-env'] as string | undefined
  if ((user === undefined) !== (passEnv === undefined)) throw new UsageError('check takes --user and --pass-env together')
  const password = passEnv === undefined ? undefined : io.env[passEnv]
  if (passEnv !== undefined && password === undefined) throw new UsageError(`the environment variable ${passEnv} (--pass-env) is not set`)
  const timeoutMs = Number(values.timeout ?? 10_000)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout is a whole number of milliseconds, not "${values.timeout}"`)
  const registry = values.registry as string | undefined
  if (registry !== undefined && !URL.canParse(registry)) throw new UsageError(`--registry is the registry server's URL, e.g. http://127.0.0.1:8080, not "${registry}"`)

  const [{ checkServer, formatReport, localChecker, remoteChecker }, { hasErrors }] = await Promise.all([
    import('./check/live-check.ts'), import('./check/findings.ts')])
  const options = {
    host: target[1]!, port: Number(target[2]), user, password,
    stls: values.stls === true, verifyTls: values.insecure !== true, timeoutMs,
  }
  const run = async (checker: Parameters<typeof checkServer>[1]) => {
    try {
      return await checkServer(options, checker)
    } catch (error) {
      throw new CheckFailed(`could not check ${server}: ${(error as Error).message}`)
    }
  }
  const report = registry === undefined
    ? await withStore(await config(), (store) => run(localChecker(store)))
    : await run(remoteChecker(registry, timeoutMs))
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
  return hasErrors(report.findings) ? 1 : 0
}

/** The program: runs the command line of this process and sets its exit code. */
export async function main(argv = process.argv.slice(2)) {
  process.exitCode = await runCli(argv)
}
