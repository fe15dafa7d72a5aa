import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { FastifyInstance, RouteOptions } from 'fastify'
import type { z } from 'zod'
import { buildApp } from '../app.ts'
import { openRegistryDatabase } from '../registry-file.ts'

/** Every response schema of the app's routes, as fastify hands them to the serializer compiler. */
export async function responseSchemas(): Promise<Set<z.ZodType>> {
  const schemas = new Set<z.ZodType>()
  // fastify announces each instance it makes, before any route is added to it.
  const onInstance = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const schema of Object.values(route.schema?.response ?? {})) schemas.add(schema as z.ZodType)
    })
  }
  subscribe('fastify.initialization', onInstance)
  const db = openRegistryDatabase(':memory:')
  try {
    const app = await buildApp({ db })
    await app.ready()
    await app.close()
  } finally {
    unsubscribe('fastify.initialization', onInstance)
    db.close()
  }
  return schemas
}
