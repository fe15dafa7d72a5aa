// The ceiling: a bare fastify server that answers each benchmarked request with the very status,
// headers and bytes our server sent for it, doing nothing else. Started by bench/run.ts with a
// fixtures file.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

// requestLength tells apart POSTs to one URL (the two /validate bodies); GETs have none.
interface Fixture { method: 'GET' | 'POST', url: string, ifNoneMatch?: string, requestLength?: number, status: number, headers: Record<string, string>, body: string }

const fixtures = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Fixture[]
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 })

const key = (method: string, url: string, ifNoneMatch: string | undefined, length: number | string | undefined) => `${method} ${url} ${ifNoneMatch ?? ''} ${length ?? ''}`
const answers = new Map(fixtures.map((fixture) => [key(fixture.method, fixture.url, fixture.ifNoneMatch, fixture.requestLength), fixture]))
for (const path of new Set(fixtures.map((fixture) => fixture.url.split('?')[0]!))) {
  app.route({
    method: ['GET', 'POST'],
    url: path,
    handler: async (request, reply) => {
      // POSTs have their JSON body parsed (fastify does it before the handler), as ours must.
      if (request.method === 'POST' && typeof request.body !== 'object') return reply.code(400).send()
      const fixture = answers.get(key(request.method, request.url, request.headers['if-none-match'], request.headers['content-length']))
      if (!fixture) return reply.code(404).send()
      return reply.code(fixture.status).headers(fixture.headers).send(fixture.status === 304 ? undefined : fixture.body)
    },
  })
}

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`)
