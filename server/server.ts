import { buildApp } from './app.ts'
import { cacheControlOf, type Config } from './config.ts'
import { openRegistry } from './registry-file.ts'
import { openDatabase } from './store/database.ts'
import { createStore } from './store/index.ts'

/**
 * Opens the database, starts listening, and on SIGINT or SIGTERM shuts down gracefully: stops
 * accepting, ends long polls, lets requests in flight finish for up to SHUTDOWN_GRACE seconds
 * (then cuts them), and closes the database. A follower (FOLLOW) opens its file without seeding it:
 * its registry comes from the primary.
 */
export async function startServer(config: Config) {
  const { db, seeded } = config.FOLLOW ? { db: openDatabase(config.DB_PATH), seeded: false } : openRegistry(config.DB_PATH, config.SEED)
  // The follower logs through the app's logger, which exists only once the app does.
  const log = {
    info: (object: object, message: string) => app.log.info(object, message),
    warn: (object: object, message: string) => app.log.warn(object, message),
    error: (object: object, message: string) => app.log.error(object, message),
  }
  const follower = config.FOLLOW
    // Loaded only to follow: a primary's start-up need not pay for it.
    ? (await import('./replication/follower.ts')).createFollower({ primary: config.FOLLOW, store: createStore(db), maxLagSeconds: config.FOLLOW_MAX_LAG, log })
    : undefined
  const app = await buildApp({
    db,
    logger: { level: config.LOG_LEVEL },
    sessionSecret: config.SESSION_SECRET,
    cacheControl: cacheControlOf(config),
    follower,
    processMetrics: true,
    limits: config,
    trustProxy: config.TRUST_PROXY,
  })
  if (follower) app.log.info({ dbPath: config.DB_PATH, primary: follower.primary }, 'opened the database of a follower')
  else {
    app.log.info({ dbPath: config.DB_PATH, seeded, seed: seeded ? config.SEED : undefined }, seeded
      ? `created the registry database and seeded ${config.SEED === 'current' ? 'IANA\'s registry as it stands, with its history' : 'the initial set'}`
      : 'opened the registry database')
  }

  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const cut = setTimeout(() => {
      app.log.warn({ graceSeconds: config.SHUTDOWN_GRACE }, 'requests still open after the grace period; closing their connections')
      app.server.closeAllConnections()
    }, config.SHUTDOWN_GRACE * 1000)
    await follower?.stop()
    await app.close()
    clearTimeout(cut)
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
  follower?.start()
  return app
}
