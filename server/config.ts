import { isIP } from 'node:net'
import { z } from 'zod'
import { DEFAULT_CACHE_CONTROL } from './http/read-cache.ts'
import { SeedNameSchema } from '../schema/seed.ts'

/**
 * The environment the server reads, with its defaults (README: Environment). A variable's
 * description says what a right value is: it is what a bad value's message tells the user.
 */
/** Names proxy-addr (fastify's trustProxy) knows for whole ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/** An IPv4 or IPv6 address, alone or as a CIDR (10.0.0.0/8), or one of PROXY_RANGE_NAMES. */
function isProxyAddress(text: string): boolean {
  if (PROXY_RANGE_NAMES.includes(text)) return true
  const [address = '', prefix, ...rest] = text.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))
}

/**
 * Which proxies in front may say who the client is (X-Forwarded-For) and how it connected
 * (X-Forwarded-Proto): fastify's trustProxy. `true` trusts any, a number that many hops, a list
 * only those addresses; off, every client behind a proxy is the proxy.
 */
const TrustProxySchema = z.string().transform((text, context): boolean | number | string[] => {
  const value = text.trim()
  if (value === 'true' || value === 'false') return value === 'true'
  if (/^[1-9]\d{0,2}$/.test(value)) return Number(value)
  const list = value.split(',').map((part) => part.trim())
  if (list.every(isProxyAddress)) return list
  context.addIssue({ code: 'custom', input: text, message: 'not true, false, a hop count or a list of addresses' })
  return z.NEVER
})

const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1').describe('an address to listen on, such as 127.0.0.1 or 0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080).describe('a port number, a whole number from 0 to 65535 (0 picks a free one)'),
  DB_PATH: z.string().min(1).default('./data/registry.db').describe('the path of the SQLite database file'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
    .describe('one of fatal, error, warn, info, debug, trace, silent'),
  SESSION_SECRET: z.string().min(16, { error: 'SESSION_SECRET needs at least 16 characters' }).optional(),
  CACHE_MAX_AGE: z.coerce.number().int().min(0).default(0)
    .describe('seconds a cache may keep a read, a whole number from 0 (0: Cache-Control: public, no-cache)'),
  CACHE_STALE_WHILE_REVALIDATE: z.coerce.number().int().min(0).default(0)
    .describe('seconds a cache may serve a stale read while revalidating, a whole number from 0'),
  FOLLOW: z.url({ protocol: /^https?$/ }).optional()
    .describe('the primary\'s base URL, http:// or https://, such as http://10.0.0.1:8080'),
  FOLLOW_MAX_LAG: z.coerce.number().positive().default(30)
    .describe('seconds a follower may be behind its primary and still be ready, a number above 0'),
  SHUTDOWN_GRACE: z.coerce.number().positive().default(10)
    .describe('seconds requests in flight get to finish after SIGTERM, a number above 0'),
  // Limits (README: Security and limits). Times are in milliseconds.
  /** How long a client may take to send a whole request, headers and body. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** How long a client may take to send the request line and headers. */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /** How long a kept-alive connection may wait for its next request. */
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1).default(5_000),
  /** How long a socket may be silent in either direction; above the longest long poll (60 s). */
  CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1).default(120_000),
  /** Open connections past this many are closed as they arrive. */
  MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1_000),
  /** Anonymous POSTs and failed authentications a client may make per minute; 0 = no limit. */
  RATE_LIMIT: z.coerce.number().int().min(0).default(120),
  TRUST_PROXY: TrustProxySchema.default(false)
    .describe('true, false, the number of proxies in front (1 for nginx alone), or a comma-separated list of their addresses or CIDRs, such as 127.0.0.1,10.0.0.0/8'),
  SEED: SeedNameSchema.default('current'),
})

export type Config = z.infer<typeof ConfigSchema>

/** What the HTTP application takes from the configuration. */
export type Limits = Pick<Config, 'REQUEST_TIMEOUT_MS' | 'HEADERS_TIMEOUT_MS' | 'KEEP_ALIVE_TIMEOUT_MS' | 'CONNECTION_TIMEOUT_MS' | 'MAX_CONNECTIONS' | 'RATE_LIMIT'>

export const DEFAULT_LIMITS: Limits = ConfigSchema.parse({})

export class ConfigError extends Error {}

/** What a right value is, from a zod issue of a variable without a description; undefined if the message says it already. */
function rightValue(issue: z.core.$ZodIssue): string | undefined {
  // A message the schema wrote itself says it best; zod's own are about types.
  if (!/^(Invalid|Too (small|big))/.test(issue.message)) return undefined
  const unit = 'origin' in issue && issue.origin === 'string' ? ' characters' : ''
  if (issue.code === 'invalid_type') return issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`
  if (issue.code === 'too_small') return `${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}${unit}`
  if (issue.code === 'too_big') return `${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}${unit}`
  if (issue.code === 'invalid_value') return `one of ${issue.values.join(', ')}`
  return undefined
}

/** Reads the configuration once; a bad value stops the program with a message naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const result = ConfigSchema.safeParse(present)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0])
    const right = ConfigSchema.shape[name as keyof Config]?.description ?? rightValue(issue)
    return `${name}=${JSON.stringify(env[name])} ${right ? `should be ${right}` : `is wrong: ${issue.message}`}`
  })
  throw new ConfigError(`bad environment: ${problems.join('; ')}`)
}

/** The Cache-Control of reads: revalidate every time unless CACHE_MAX_AGE lets caches keep them. */
export function cacheControlOf(config: Pick<Config, 'CACHE_MAX_AGE' | 'CACHE_STALE_WHILE_REVALIDATE'>): string {
  if (config.CACHE_MAX_AGE === 0 && config.CACHE_STALE_WHILE_REVALIDATE === 0) return DEFAULT_CACHE_CONTROL
  const stale = config.CACHE_STALE_WHILE_REVALIDATE > 0 ? `, stale-while-revalidate=${config.CACHE_STALE_WHILE_REVALIDATE}` : ''
  return `public, max-age=${config.CACHE_MAX_AGE}${stale}`
}
