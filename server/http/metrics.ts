import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { FollowerStatus } from '../replication/follower.ts'
import type { Store } from '../store/index.ts'

export interface MetricsOptions {
  store: Store
  follower?: (() => FollowerStatus) | undefined
  /** The process's own figures (memory, CPU, event loop): for a served process, not for every test app. */
  processMetrics?: boolean
}

/**
 * The figures GET /metrics serves in Prometheus' text format: every request by route and status
 * with its duration (one histogram, observed in one onResponse hook), and the registry's own
 * gauges, read when scraped.
 */
export function installMetrics(app: FastifyInstance, { store, follower, processMetrics = false }: MetricsOptions): Registry {
  const registry = new Registry()
  if (processMetrics) collectDefaultMetrics({ register: registry })

  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route (its pattern) and status code, with their durations',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  })
  // One series per method, route and status, looked up by a plain key: prom-client's own lookup
  // sorts and joins the labels on every observation, a cost every request would pay.
  const series = new Map<string, { observe(seconds: number): void }>()
  app.addHook('onResponse', (request, reply, done) => {
    // Unknown URLs share one label, so that scanners cannot grow the series without bound.
    const route = request.routeOptions.url ?? '(unmatched)'
    const key = `${request.method} ${reply.statusCode} ${route}`
    let observed = series.get(key)
    if (!observed) {
      observed = requests.labels({ method: request.method, route, status_code: reply.statusCode })
      series.set(key, observed)
    }
    observed.observe(reply.elapsedTime / 1000)
    done()
  })

  new Gauge({
    name: 'pop3_registry_latest_change_seq',
    help: 'The sequence number of the latest change this server holds: the registry\'s version',
    registers: [registry],
    collect() { this.set(store.version().seq) },
  })
  new Gauge({
    name: 'pop3_registry_pending_registrations',
    help: 'Registrations waiting for a decision (a follower holds none: they live on the primary)',
    registers: [registry],
    collect() { this.set(store.registrations.pendingCount()) },
  })
  if (follower) {
    new Gauge({
      name: 'pop3_registry_follower_lag_changes',
      help: 'How many changes the primary last reported that this follower does not hold yet',
      registers: [registry],
      collect() { this.set(follower().lagChanges) },
    })
    new Gauge({
      name: 'pop3_registry_follower_lag_seconds',
      help: 'How long since this follower last knew it held every change of its primary (0 while it does)',
      registers: [registry],
      collect() { this.set(follower().lagSeconds) },
    })
  }
  return registry
}
