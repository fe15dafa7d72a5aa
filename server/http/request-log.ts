import type { FastifyInstance } from 'fastify'

const WRITES_INFO = new Set(['info', 'debug', 'trace'])

/**
 * One log line a request, written when it is answered, in place of fastify's two ("incoming
 * request" and "request completed"). Nothing is hooked when info lines would not be written.
 */
export function installRequestLog(app: FastifyInstance) {
  if (!WRITES_INFO.has(app.log.level)) return
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request')
    done()
  })
}
