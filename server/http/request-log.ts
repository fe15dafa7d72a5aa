import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * One log line a request, written when it is answered, in place of fastify's "incoming request",
 * "request completed" and "Route … not found" lines; every other log line of fastify's is kept.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest() {}

  override routeNotFound() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }
    if (error) request.log.error({ ...line, err: error }, 'request')
    else request.log.info(line, 'request')
  }
}
