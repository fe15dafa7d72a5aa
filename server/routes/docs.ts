import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { installNegotiation } from '../http/negotiation.ts'
import { installProblemHandlers } from '../http/problems.ts'
import { installSecurityHeaders } from '../http/security-headers.ts'
import { projectFile } from '../project-files.ts'

const DOCUMENT = projectFile('openapi.yaml')

/**
 * /openapi.yaml: the committed openapi.yaml, which test/openapi.test.ts holds to what the routes
 * generate (`npm run openapi` rewrites it); and its browsable rendering at /docs.
 *
 * Swagger UI (@fastify/swagger-ui, @fastify/static, @fastify/swagger and yaml) lives in an app of
 * its own, made on the first request under /docs and handed every such request whole: loading
 * those modules was a fifth of the server's start-up, which no API request needs.
 */
export async function docsRoutes(app: FastifyInstance) {
  let document: string | undefined
  app.get('/openapi.yaml', {
    config: { lastModified: 'static' },
    schema: { summary: 'This API\'s OpenAPI 3.1 document', operationId: 'getOpenApiDocument',
        tags: ['operations'], produces: ['application/yaml'] },
  }, async (_request, reply) => {
    document ??= readFileSync(DOCUMENT, 'utf8')
    return reply.type('application/yaml; charset=utf-8').send(document)
  })

  let viewer: Promise<FastifyInstance> | undefined
  const toViewer = async (request: FastifyRequest, reply: FastifyReply) => {
    // A viewer that failed to start is not kept: the next request tries again.
    viewer ??= swaggerUi().catch((error: unknown) => { viewer = undefined; throw error })
    const ui = await viewer
    reply.hijack()
    ui.routing(request.raw, reply.raw)
  }
  app.get('/docs', { schema: { hide: true } }, toViewer)
  app.get('/docs/*', { schema: { hide: true } }, toViewer)
  app.addHook('onClose', async () => { await (await viewer?.catch(() => undefined))?.close() })
}

/**
 * Swagger UI at /docs over the committed document, with the main app's security headers (its
 * own CSP for /docs), problem answers and trailing-slash rule.
 */
async function swaggerUi(): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')])
  const ui = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } })
  installSecurityHeaders(ui)
  installProblemHandlers(ui)
  await installNegotiation(ui)
  await ui.register(swagger, { mode: 'static', specification: { path: fileURLToPath(DOCUMENT), baseDir: fileURLToPath(projectFile('.')) } })
  await ui.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: '/openapi.yaml', deepLinking: true } })
  await ui.ready()
  return ui
}
