// The ceiling: a bare fastify server that answers each benchmarked path with the very bytes and
// headers our server sent for it, doing nothing else. Started by bench/run.ts with a fixtures file.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

interface Fixture { method: 'GET' | 'POST', url: string, status: number, headers: Record<string, string>, body: string }

const fixtures = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Fixture[]
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 })

const routes = new Map<string, Fixture>()
for (const fixture of fixtures) routes.set(`${fixture.method} ${fixture.url}`, fixture)
for (const [key, fixture] of routes) {
  const [method, url] = key.split(' ') as ['GET' | 'POST', string]
  app.route({
    method,
    url: url.split('?')[0]!,
    handler: async (request, reply) => {
      // POST routes parse the JSON body as ours must; GET routes honour If-None-Match as ours does.
      if (method === 'POST' && typeof request.body !== 'object') return reply.code(400).send()
      if (fixture.headers.etag && request.headers['if-none-match'] === fixture.headers.etag) {
        return reply.code(304).headers({ etag: fixture.headers.etag, 'last-modified': fixture.headers['last-modified'] ?? '' }).send()
      }
      return reply.code(fixture.status).headers(fixture.headers).send(fixture.body)
    },
  })
}

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`)
