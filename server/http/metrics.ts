import type { FastifyInstance, onResponseHookHandler, RouteOptions } from 'fastify'
import type { Metric, Registry } from 'prom-client'
import type { FollowerStatus } from '../replication/follower.ts'
import type { Store } from '../store/index.ts'

export interface MetricsOptions {
  store: Store
  follower?: (() => FollowerStatus) | undefined
  /** The process's own figures (memory, CPU, event loop): for a served process, not for every test app. */
  processMetrics?: boolean
}

/** What GET /metrics serves. */
export interface Metrics {
  /** The figures in Prometheus' text format, and its media type. */
  scrape(): Promise<{ contentType: string, text: string }>
}

/**
 * The figures GET /metrics serves in Prometheus' text format: every request by route and status
 * with its duration (one histogram, counted from the start), and the registry's own gauges, read
 * when scraped. prom-client (with the process figures) is loaded on the first scrape: loading it
 * was about a tenth of a start-up, and the histogram is ours. The process's GC and event-loop
 * histograms therefore count from the first scrape.
 *
 * Each route observes its own requests in an onResponse hook added when the route is, which knows
 * the route's pattern: a global hook would have to ask request.routeOptions, which fastify builds
 * afresh on every call (a few µs a request). Requests no route matched are observed by
 * `unmatched`, the onResponse hook of the not-found handler (installProblemHandlers). Install
 * before any route.
 */
export function installMetrics(app: FastifyInstance, options: MetricsOptions): Metrics & { unmatched: onResponseHookHandler } {
  const requests = createRequestHistogram()
  const observer = (route: string): onResponseHookHandler => {
    const observe = requests.observer(route)
    return (request, reply, done) => {
      observe(request.method, reply.statusCode, reply.elapsedTime / 1000)
      done()
    }
  }
  app.addHook('onRoute', (route: RouteOptions) => {
    route.onResponse = [observer(route.url), ...[route.onResponse ?? []].flat()]
  })
  let registry: Promise<Registry> | undefined
  return {
    // Unknown URLs share one label, so that scanners cannot grow the series without bound.
    unmatched: observer('(unmatched)'),
    async scrape() {
      const ready = await (registry ??= createRegistry(options, requests.metric))
      return { contentType: ready.contentType, text: await ready.metrics() }
    },
  }
}

async function createRegistry({ store, follower, processMetrics = false }: MetricsOptions, requests: Metric): Promise<Registry> {
  const { collectDefaultMetrics, Gauge, Registry } = await import('prom-client')
  const registry = new Registry()
  if (processMetrics) collectDefaultMetrics({ register: registry })
  registry.registerMetric(requests)
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

const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60]

interface Series { labels: { method: string, route: string, status_code: number }, counts: number[], sum: number, count: number }

/**
 * http_request_duration_seconds, a Prometheus histogram served through prom-client's registry but
 * kept in plain arrays: a request costs two Map lookups and a bucket scan, about 0.1 µs here against
 * 2.5 µs for prom-client's own Histogram.observe with labels, or with a child from labels() kept
 * per key (either sorts and hashes the label object each time), on a read path kept close to a
 * bare server's.
 */
function createRequestHistogram() {
  const name = 'http_request_duration_seconds'
  const help = 'HTTP requests by method, route (its pattern) and status code, with their durations'
  // In the order they were first observed, and by route, status code and method.
  const series: Series[] = []
  const routes = new Map<string, Map<number, Map<string, Series>>>()
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: series.flatMap(({ labels, counts, sum, count }) => {
        let below = 0
        return [
          ...REQUEST_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: (below += counts[i]!) })),
          { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
          { metricName: `${name}_sum`, labels, value: sum },
          { metricName: `${name}_count`, labels, value: count },
        ]
      }),
    }),
  } as unknown as Metric
  return {
    metric,
    /**
     * What observes one route's requests: its series found by status code and method, each a
     * number or a string the parser made once, rather than by a key string made and hashed for
     * every request (a tenth of the route's own hooks' time).
     */
    observer(route: string) {
      // Routes of one pattern (a GET and its HEAD, say) share it.
      let byStatus = routes.get(route)
      if (!byStatus) routes.set(route, byStatus = new Map())
      return (method: string, status: number, seconds: number) => {
        let byMethod = byStatus.get(status)
        if (!byMethod) byStatus.set(status, byMethod = new Map())
        let one = byMethod.get(method)
        if (!one) {
          one = { labels: { method, route, status_code: status }, counts: REQUEST_BUCKETS.map(() => 0), sum: 0, count: 0 }
          byMethod.set(method, one)
          series.push(one)
        }
        let bucket = 0
        while (bucket < REQUEST_BUCKETS.length && !(seconds <= REQUEST_BUCKETS[bucket]!)) bucket += 1
        if (bucket < REQUEST_BUCKETS.length) one.counts[bucket]! += 1
        one.sum += seconds
        one.count += 1
      }
    },
  }
}
