import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildApp } from './app.ts'
import { ConfigError, readConfig } from './config.ts'
import { openRegistry } from './registry-file.ts'
import { startServer } from './server.ts'

const HELP = `pop3-registry: the POP3 Extension Mechanism registry (RFC 2449)

Usage: pop3-registry <command> [options]

Commands:
  serve               Serve the registry over HTTP (what npm start runs). The database
                      is created and seeded with the initial set on first start.
  backup <file>       Write a consistent copy of the database to <file>, safe while
                      the server runs.
  openapi [--out F]   Print the API's OpenAPI document (YAML), or write it to F.
  help                Show this text.

Environment:
  HOST       address to listen on            (default 127.0.0.1)
  PORT       port to listen on               (default 8080)
  DB_PATH    the SQLite database file        (default ./data/registry.db)
  LOG_LEVEL  fatal|error|warn|info|debug|trace|silent   (default info)

Examples:
  PORT=9000 pop3-registry serve
  pop3-registry backup /var/backups/registry-$(date +%F).db
`

export class UsageError extends Error {}

/** Runs one CLI command; resolves to the process exit code. */
export async function runCli(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, out: { type: 'string' } },
  })
  const [command = 'help', ...rest] = positionals
  if (values.help || command === 'help') {
    out(HELP)
    return 0
  }

  switch (command) {
    case 'serve': {
      await startServer(readConfig())
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
    default:
      throw new UsageError(`unknown command "${command}"; run pop3-registry help`)
  }
}

export async function main(argv = process.argv.slice(2)) {
  try {
    const code = await runCli(argv)
    if (code !== 0) process.exitCode = code
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`pop3-registry: ${(error as Error).message}\n`)
    process.exitCode = usage ? 2 : 1
  }
}
