import type { FastifyInstance, HTTPMethods } from 'fastify'
import { HttpProblem } from './problems.ts'

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Remembers the methods of every route, so that a known path asked with another method gets
 * 405 with an Allow header (RFC 9110 §15.5.6) rather than a 404, and OPTIONS lists them.
 * Call the returned function once every route is registered.
 */
export function trackAllowedMethods(app: FastifyInstance): () => void {
  const methodsByUrl = new Map<string, Set<string>>()
  app.addHook('onRoute', (route) => {
    if (route.config?.answersOtherMethods) return
    const methods = methodsByUrl.get(route.url) ?? new Set<string>()
    for (const method of [route.method].flat()) methods.add(method)
    methodsByUrl.set(route.url, methods)
  })

  return () => {
    for (const [url, methods] of methodsByUrl) {
      const allow = [...methods, 'OPTIONS'].join(', ')
      const others = METHODS.filter((method) => !methods.has(method))
      app.route({
        method: [...others, 'OPTIONS'],
        url,
        schema: { hide: true },
        config: { answersOtherMethods: true },
        handler: async (request, reply) => {
          if (request.method === 'OPTIONS') return reply.code(204).header('allow', allow).send()
          throw new HttpProblem('method-not-allowed', `${url} answers ${allow}, not ${request.method}.`, undefined, { allow })
        },
      })
    }
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    answersOtherMethods?: boolean
  }
}
