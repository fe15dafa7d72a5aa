import type { Socket } from 'node:net'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { problem, type ProblemKind } from './problems.ts'

const PROBLEM_JSON = 'application/problem+json'

function problemBody(kind: ProblemKind, detail: string): string {
  return JSON.stringify(problem(kind, detail))
}

/**
 * Errors Node's HTTP parser meets before fastify sees a request (a malformed request line, headers
 * too large, a request that did not arrive in time): answered as problems, then the socket closed.
 */
export function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [kind, detail]: [ProblemKind, string] =
    error.code === 'HPE_HEADER_OVERFLOW' ? ['header-too-large', 'The request line and headers are larger than the server reads (16 KiB).']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['request-timeout', 'The request did not arrive in full within the request timeout.']
        : ['bad-request', 'The request is not well-formed HTTP/1.1.']
  const body = problemBody(kind, detail)
  const { status, title } = problem(kind, detail)
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_JSON}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy()
}

/** Node answers an Expect other than 100-continue with a bare 417 unless told otherwise. */
export function answerExpectations(server: Server) {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const body = problemBody('expectation-failed', `This server meets no expectation but 100-continue, not ${JSON.stringify(request.headers.expect)}.`)
    response.writeHead(417, { 'content-type': PROBLEM_JSON, 'content-length': Buffer.byteLength(body), 'connection': 'close' })
    response.end(body)
  })
}
