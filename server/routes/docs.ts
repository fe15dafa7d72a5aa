import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/**
 * /openapi.yaml and its browsable rendering at /docs. The document is generated from the routes'
 * zod schemas; test/openapi.test.ts holds the repo's openapi.yaml to the same text.
 */
export async function docsRoutes(app: FastifyInstance) {
  let document: string | undefined
  app.get('/openapi.yaml', {
    config: { lastModified: 'static' },
    schema: { summary: 'This API\'s OpenAPI 3.1 document', operationId: 'getOpenApiDocument',
        tags: ['operations'], produces: ['application/yaml'] },
  }, async (_request, reply) => {
    document ??= app.swagger({ yaml: true })
    return reply.type('application/yaml; charset=utf-8').send(document)
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { url: '/openapi.yaml', deepLinking: true },
  })
}
