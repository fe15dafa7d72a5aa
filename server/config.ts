import { z } from 'zod'

/** The environment the server reads, with its defaults (README: Environment). */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DB_PATH: z.string().min(1).default('./data/registry.db'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_SECRET: z.string().min(16, { error: 'SESSION_SECRET needs at least 16 characters' }).optional(),
})

export type Config = z.infer<typeof ConfigSchema>

export class ConfigError extends Error {}

/** Reads the configuration once; a bad value stops the program with a message naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const result = ConfigSchema.safeParse(present)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`)
  throw new ConfigError(`bad environment: ${problems.join('; ')}`)
}
