import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptReport } from './upstream/client.js';

/**
 * The Prometheus metrics of one gateway, in a registry of its own rather than prom-client's global
 * default: several gateways in one process (tests, a benchmark) then never share or collide on counters.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly upstreamRequests: Counter<'status'>;
  readonly upstreamDuration: Histogram<'status'>;
  readonly cacheLookups: Counter<'tier' | 'result'>;
  readonly operations: Counter<'operation' | 'document'>;
  readonly operationDuration: Histogram<'operation'>;
  readonly errors: Counter<'code'>;
  /** Live polls (Subscription.callUpdates), by result (ok, error). */
  readonly livePolls: Counter<'result'>;
  /** The client's onAttempt hook: one upstream HTTP request, answered or not. */
  readonly recordUpstreamAttempt: (attempt: AttemptReport) => void;
  /** Reports the live feeds' sizes as gauges, read at each scrape. */
  readonly watchLive: (stats: () => { readonly pollers: number; readonly subscriptions: number }) => void;
}

/** Upstream answers take hundreds of ms to seconds; a whole operation may wait out retries up to its deadline. */
const UPSTREAM_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const OPERATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const upstreamRequests = new Counter({
    name: 'livedeflect_upstream_requests_total',
    help: 'HTTP requests sent to LiveDeflect (retries included), by response status; "none" when no response came (timeout, reset).',
    labelNames: ['status'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'livedeflect_upstream_request_duration_seconds',
    help: 'Time from sending a LiveDeflect request to having its whole body, by response status.',
    labelNames: ['status'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers,
  });
  return {
    registry,
    upstreamRequests,
    upstreamDuration,
    cacheLookups: new Counter({
      name: 'livedeflect_cache_lookups_total',
      help: "Bucket lookups by cache tier (memory, redis, inflight: joined another operation's upstream request) and result (hit, miss).",
      labelNames: ['tier', 'result'] as const,
      registers,
    }),
    operations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by operation name ("(anonymous)" for unnamed ones, "(invalid)" for documents that failed validation) and trusted document id (none for query text).',
      labelNames: ['operation', 'document'] as const,
      registers,
    }),
    operationDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to sending its response, by operation name.',
      labelNames: ['operation'] as const,
      buckets: OPERATION_BUCKETS,
      registers,
    }),
    errors: new Counter({
      name: 'graphql_errors_total',
      help: 'Errors sent to clients in GraphQL responses, by extensions.code.',
      labelNames: ['code'] as const,
      registers,
    }),
    livePolls: new Counter({
      name: 'livedeflect_live_polls_total',
      help: 'Polls of LiveDeflect for subscriptions (one per credential, site and LIVE_POLL_INTERVAL), by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    watchLive: (stats) => {
      new Gauge({
        name: 'livedeflect_live_subscriptions',
        help: 'Open Subscription.callUpdates subscriptions.',
        registers,
        collect() {
          this.set(stats().subscriptions);
        },
      });
      new Gauge({
        name: 'livedeflect_live_pollers',
        help: 'Pollers running: one per (credential, site) with subscribers.',
        registers,
        collect() {
          this.set(stats().pollers);
        },
      });
    },
    recordUpstreamAttempt: (attempt) => {
      const status = attempt.status === null ? 'none' : String(attempt.status);
      upstreamRequests.inc({ status });
      upstreamDuration.observe({ status }, attempt.durationMs / 1000);
    },
  };
}
