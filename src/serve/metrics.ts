/**
 * The server's Prometheus metrics (prom-client), every one named orrery_…: fetches by outcome
 * and their duration, entries stored, builds and their duration, the fetch queue, feeds by
 * state, WebSub subscriptions by state, live (SSE) clients, rejected requests; plus Node's own
 * process metrics (CPU, memory, event loop lag) under the same prefix. One registry per server:
 * tests run several in one process.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** Feeds by health state (ok, failing, quiet, retired, …), read at scrape time. */
  feedsByState: () => Promise<Record<string, number>>;
  /** WebSub subscriptions by state, read at scrape time. */
  websubByState: () => Promise<Record<string, number>>;
}

export interface Metrics {
  registry: Registry;
  fetches: Counter<'outcome'>;
  fetchSeconds: Histogram;
  entriesStored: Counter<'via'>;
  builds: Counter<'result'>;
  buildSeconds: Histogram;
  queueDepth: Gauge;
  sseClients: Gauge;
  pushes: Counter<'result'>;
  rejections: Counter<'reason'>;
  hubPings: Counter<'result'>;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'orrery_' });
  const registers = [registry];
  const byLabel = (gauge: Gauge<'state'>, values: Record<string, number>) => {
    gauge.reset();
    for (const [state, n] of Object.entries(values)) gauge.set({ state }, n);
  };
  new Gauge({
    name: 'orrery_feeds',
    help: 'Subscribed feeds by health state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      byLabel(this, await sources.feedsByState());
    },
  });
  new Gauge({
    name: 'orrery_websub_subscriptions',
    help: 'WebSub subscriptions held as a subscriber, by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      byLabel(this, await sources.websubByState());
    },
  });
  return {
    registry,
    fetches: new Counter({
      name: 'orrery_fetches_total',
      help: 'Feed fetches by outcome (ok, not-modified, or the error code)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    fetchSeconds: new Histogram({
      name: 'orrery_fetch_duration_seconds',
      help: 'Time to fetch, read and store one feed',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    entriesStored: new Counter({
      name: 'orrery_entries_stored_total',
      help: 'New entries stored, by how they came (poll or push)',
      labelNames: ['via'] as const,
      registers,
    }),
    builds: new Counter({
      name: 'orrery_builds_total',
      help: 'Site builds by result',
      labelNames: ['result'] as const,
      registers,
    }),
    buildSeconds: new Histogram({
      name: 'orrery_build_duration_seconds',
      help: 'Time to build and publish the site',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'orrery_queue_depth',
      help: 'Feeds picked by the current pass and not settled yet',
      registers,
    }),
    sseClients: new Gauge({
      name: 'orrery_sse_clients',
      help: 'Open live-river (Server-Sent Events) streams',
      registers,
    }),
    pushes: new Counter({
      name: 'orrery_websub_pushes_total',
      help: 'WebSub content distributions by result (stored, rejected)',
      labelNames: ['result'] as const,
      registers,
    }),
    rejections: new Counter({
      name: 'orrery_rejected_requests_total',
      help: 'Requests refused (bad token, bad input, unknown callback, bad signature, too large …)',
      labelNames: ['reason'] as const,
      registers,
    }),
    hubPings: new Counter({
      name: 'orrery_websub_publish_pings_total',
      help: 'Publish pings sent to the configured hub, by result',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}
