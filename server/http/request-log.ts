import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'

type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
/** pino's, which every logger of the app is; a logger without it is asked each time. */
type ParentLogger = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }

/**
 * One log line a request, written when it is answered, in place of fastify's "incoming request",
 * "request completed" and "Route … not found" lines; every other log line of fastify's is kept.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest() {}

  override routeNotFound() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    // Asked first: the line (and its clock reading) is not worth making for a level that is off.
    if ((request.log as ParentLogger).isLevelEnabled?.(error ? 'error' : 'info') === false) return
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }
    if (error) request.log.error({ ...line, err: error }, 'request')
    else request.log.info(line, 'request')
  }
}

/**
 * A request's logger when request lines are off (LOG_LEVEL above info): its pino child, which
 * carries the request id, is made only if the request logs something at an enabled level. Making
 * one for every request cost a read answered from the cache about 2 % of its CPU time.
 */
class LazyRequestLogger {
  private made: FastifyBaseLogger | undefined

  constructor(private readonly parent: ParentLogger, private readonly bindings: Bindings, private readonly options: ChildOptions) {}

  private real(): FastifyBaseLogger {
    return this.made ??= this.parent.child(this.bindings, this.options)
  }

  private log(level: Level, args: unknown[]) {
    if (this.parent.isLevelEnabled?.(level) === false) return
    ;(this.real()[level] as (...a: unknown[]) => void)(...args)
  }

  get level() { return this.made?.level ?? this.parent.level }

  isLevelEnabled(level: Level) { return this.parent.isLevelEnabled?.(level) !== false }

  fatal(...args: unknown[]) { this.log('fatal', args) }
  error(...args: unknown[]) { this.log('error', args) }
  warn(...args: unknown[]) { this.log('warn', args) }
  info(...args: unknown[]) { this.log('info', args) }
  debug(...args: unknown[]) { this.log('debug', args) }
  trace(...args: unknown[]) { this.log('trace', args) }
  silent() {}

  child(bindings: Bindings, options?: ChildOptions) {
    return this.real().child(bindings, options)
  }
}

/** fastify's childLoggerFactory: a plain child while request lines are written, a lazy one otherwise. */
export const requestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger: ParentLogger, bindings, options) => {
  if (options.level === undefined && logger.isLevelEnabled?.('info') === false) {
    return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger
  }
  return logger.child(bindings, options)
}
