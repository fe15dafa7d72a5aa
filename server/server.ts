import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { openRegistry } from './registry-file.ts'

/** Opens the database, starts listening, and closes both cleanly on SIGINT or SIGTERM. */
export async function startServer(config: Config) {
  const { db, seeded } = openRegistry(config.DB_PATH)
  const app = await buildApp({ db, logger: { level: config.LOG_LEVEL }, sessionSecret: config.SESSION_SECRET })
  app.log.info({ dbPath: config.DB_PATH, seeded }, seeded
    ? 'created the registry database and seeded the initial set'
    : 'opened the registry database')

  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    await app.close()
    db.close()
  }
  process.once('SIGINT', () => void close('SIGINT'))
  process.once('SIGTERM', () => void close('SIGTERM'))

  try {
    await app.listen({ host: config.HOST, port: config.PORT })
  } catch (error) {
    db.close()
    throw error
  }
  return app
}
