import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildApp } from './app.ts'
import { ConfigError, readConfig } from './config.ts'
import { openRegistry } from './registry-file.ts'
import { hasErrors } from './check/findings.ts'
import { checkServer, formatReport, localChecker, remoteChecker } from './check/live-check.ts'
import { ImportError, importRegistry } from './publish/import.ts'
import { registryJson } from './publish/render.ts'
import { parseRfcIndex } from './rfc-index.ts'
import { openDatabase } from './store/database.ts'
import { startServer } from './server.ts'
import { createStore } from './store/index.ts'
import { ROLES, type Role } from './store/tokens.ts'

const HELP = `pop3-registry: the POP3 Extension Mechanism registry (RFC 2449)

Usage: pop3-registry <command> [options]

Commands:
  serve [--follow URL]
                      Serve the registry over HTTP (what npm start runs). The database
                      is created and seeded with the initial set on first start.
                      With --follow (or FOLLOW=URL), serve a read-only replica of the
                      primary at URL instead: copied into DB_PATH, kept current from
                      its change feed; writes answer 307 to the primary.
  backup <file>       Write a consistent copy of the database to <file>, safe while
                      the server runs.
  token create --role submitter|reviewer|admin --name NAME
                      Make an API token. It is printed once, alone on the last line,
                      and only its hash is kept.
  token list          List tokens: id, name, role, when made, when revoked.
  token revoke <id>   Revoke a token at once.
  rfc-index load <file>
                      Load RFC statuses from the RFC Editor's rfc-index.xml, adding or
                      refreshing the RFCs the registration warnings consult.
  export [--out F]    Print the whole registry as JSON (what /v1/registry.json serves),
                      or write it to F, streamed entry by entry.
  import <file>       Rebuild an exported registry, history included, into the empty
                      database at DB_PATH (a new file). Refuses a database that holds
                      a registry already.
  check HOST:PORT [--user U --pass-env VAR] [--stls [--insecure]] [--json]
        [--registry URL] [--timeout MS]
                      Connect to a POP3 server, read its greeting, ask CAPA, log in
                      if given a user (the password is read from the environment
                      variable VAR) and ask CAPA again, then QUIT; report what it
                      announces against RFC 2449 and the registry (this database,
                      or the registry server at URL). Exits 1 when a finding is an
                      error, 3 when the server could not be checked.
  openapi [--out F]   Print the API's OpenAPI document (YAML), or write it to F.
  help                Show this text.

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

Examples:
  PORT=9000 pop3-registry serve
  pop3-registry token create --role reviewer --name alice
  pop3-registry backup /var/backups/registry-$(date +%F).db
`

export class UsageError extends Error {}

/** The server could not be reached or did not answer as POP3: exit code 3. */
export class CheckFailed extends Error {}

/** Runs one CLI command; resolves to the process exit code. */
export async function runCli(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      out: { type: 'string' },
      follow: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      'user': { type: 'string' },
      'pass-env': { type: 'string' },
      'stls': { type: 'boolean' },
      'insecure': { type: 'boolean' },
      'json': { type: 'boolean' },
      'registry': { type: 'string' },
      'timeout': { type: 'string' },
    },
  })
  const [command = 'help', ...rest] = positionals
  if (values.help || command === 'help') {
    out(HELP)
    return 0
  }

  switch (command) {
    case 'serve': {
      // --follow is FOLLOW by another name; the option wins.
      await startServer(readConfig(values.follow === undefined ? process.env : { ...process.env, FOLLOW: values.follow }))
      return 0
    }
    case 'backup': {
      const [target] = rest
      if (!target) throw new UsageError('backup needs a target file: pop3-registry backup <file>')
      const { db } = openRegistry(readConfig().DB_PATH)
      try {
        const { totalPages } = await db.backup(target)
        out(`backed up ${totalPages} pages to ${target}\n`)
      } finally {
        db.close()
      }
      return 0
    }
    case 'export':
      return withStore((store) => {
        // One read transaction: the export is one consistent version of the registry.
        store.db.transaction(() => {
          const fd = values.out ? openSync(values.out, 'w') : 1
          try {
            for (const chunk of registryJson(store)) writeSync(fd, chunk)
            writeSync(fd, '\n')
          } finally {
            if (values.out) closeSync(fd)
          }
        })()
        return 0
      })
    case 'import': {
      const [file] = rest
      if (!file) throw new UsageError('import needs the exported file: pop3-registry import <file>')
      const document = JSON.parse(readFileSync(file, 'utf8')) as unknown
      const db = openDatabase(readConfig().DB_PATH)
      try {
        const counts = importRegistry(createStore(db), document)
        out(`imported ${counts.capabilities} capabilities and ${counts.responseCodes} response codes (${counts.changes} changes) into ${readConfig().DB_PATH}\n`)
      } finally {
        db.close()
      }
      return 0
    }
    case 'check': {
      const target = /^(.+):(\d{1,5})$/.exec(rest[0] ?? '')
      if (!target) throw new UsageError('check needs the server as HOST:PORT, e.g. pop3-registry check 127.0.0.1:110')
      const passEnv = values['pass-env']
      if ((values.user === undefined) !== (passEnv === undefined)) throw new UsageError('check takes --user and --pass-env together')
      const password = passEnv === undefined ? undefined : process.env[passEnv]
      if (passEnv !== undefined && password === undefined) throw new UsageError(`the environment variable ${passEnv} (--pass-env) is not set`)
      const timeoutMs = Number(values.timeout ?? 10_000)
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout is a number of milliseconds')
      const options = {
        host: target[1]!, port: Number(target[2]), user: values.user, password,
        stls: values.stls ?? false, verifyTls: !values.insecure, timeoutMs,
      }
      const run = async (checker: Parameters<typeof checkServer>[1]) => {
        try {
          return await checkServer(options, checker)
        } catch (error) {
          throw new CheckFailed(`could not check ${rest[0]}: ${(error as Error).message}`)
        }
      }
      let report
      if (values.registry) {
        report = await run(remoteChecker(values.registry, timeoutMs))
      } else {
        const { db } = openRegistry(readConfig().DB_PATH)
        try {
          report = await run(localChecker(createStore(db)))
        } finally {
          db.close()
        }
      }
      out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
      return hasErrors(report.findings) ? 1 : 0
    }
    case 'openapi': {
      const { db } = openRegistry(':memory:')
      const app = await buildApp({ db })
      await app.ready()
      const document = app.swagger({ yaml: true })
      await app.close()
      db.close()
      if (values.out) writeFileSync(values.out, document)
      else out(document)
      return 0
    }
    case 'token':
      return withStore((store) => {
        const [verb, id] = rest
        if (verb === 'create') {
          const role = values.role as Role | undefined
          if (!role || !ROLES.includes(role)) throw new UsageError(`token create needs --role ${ROLES.join('|')}`)
          if (!values.name?.trim()) throw new UsageError('token create needs --name NAME: whose token it is')
          const token = store.tokens.create(values.name.trim(), role)
          out(`made ${token.role} token ${token.id} for ${token.name}; it is shown only now:\n${token.token}\n`)
          return 0
        }
        if (verb === 'list') {
          const rows = store.tokens.list().map((t) => [t.id, t.role, t.createdAt, t.revokedAt ?? '-', t.name].join('\t'))
          out(['id\trole\tcreated\trevoked\tname', ...rows].join('\n') + '\n')
          return 0
        }
        if (verb === 'revoke') {
          if (!id) throw new UsageError('token revoke needs the id that token list shows')
          if (!store.tokens.revoke(id)) throw new UsageError(`no live token has the id ${id}`)
          out(`revoked token ${id}\n`)
          return 0
        }
        throw new UsageError('token takes create, list or revoke')
      })
    case 'rfc-index':
      return withStore((store) => {
        const [verb, file] = rest
        if (verb !== 'load' || !file) throw new UsageError('usage: pop3-registry rfc-index load <rfc-index.xml>')
        const rfcs = parseRfcIndex(readFileSync(file, 'utf8'))
        const written = store.rfcs.load(rfcs)
        out(`loaded ${written} RFCs from ${file}; the registry now knows ${store.rfcs.count()}\n`)
        return 0
      })
    default:
      throw new UsageError(`unknown command "${command}"; run pop3-registry help`)
  }
}

/** Runs a command against the database at DB_PATH, closing it after. */
function withStore(command: (store: ReturnType<typeof createStore>) => number): number {
  const { db } = openRegistry(readConfig().DB_PATH)
  try {
    return command(createStore(db))
  } finally {
    db.close()
  }
}

export async function main(argv = process.argv.slice(2)) {
  try {
    const code = await runCli(argv)
    if (code !== 0) process.exitCode = code
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ConfigError || error instanceof ImportError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`pop3-registry: ${(error as Error).message}\n`)
    process.exitCode = usage ? 2 : error instanceof CheckFailed ? 3 : 1
  }
}
