import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { refusalOf } from '../errors/formatError.js';
import type { GatewayMetrics } from '../gatewayMetrics.js';
import { persistedDocumentIdOf } from './persistedDocuments.js';

/**
 * Operation names come from clients: past this many distinct names, new ones count as "(other)", so
 * a client inventing names can't grow the metrics without bound.
 */
const MAX_OPERATION_NAMES = 100;

/**
 * Counts each operation with its duration, the errors its response carries by code, and the cache
 * lookups its buckets made (read off the operation's cost counters, which the bucket store filled in).
 */
export function createMetricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  const names = new Set<string>();
  const labelOf = (name: string): string => {
    if (names.has(name) || names.size < MAX_OPERATION_NAMES) {
      names.add(name);
      return name;
    }
    return '(other)';
  };
  return {
    async unexpectedErrorProcessingRequest({ error }) {
      const refusal = refusalOf(error);
      if (refusal === null) return;
      metrics.operations.inc({ operation: '(invalid)' });
      metrics.errors.inc({ code: refusal.code });
    },
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ request, response, contextValue, operation, operationName }) {
          const label = operation ? labelOf(operationName ?? '(anonymous)') : '(invalid)';
          // Trusted document ids come from the manifest only, so they can't grow the label set either.
          const document = persistedDocumentIdOf(request);
          metrics.operations.inc(document === null ? { operation: label } : { operation: label, document });
          metrics.operationDuration.observe({ operation: label }, (performance.now() - started) / 1000);
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const error of errors) {
            const code = error.extensions?.code;
            metrics.errors.inc({ code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR' });
          }
          const { cache } = contextValue.operation.cost;
          countLookups(metrics, 'memory', cache.memory.hits, cache.memory.misses);
          countLookups(metrics, 'redis', cache.redis.hits, cache.redis.misses);
          countLookups(metrics, 'inflight', cache.shared, 0);
        },
      };
    },
  };
}

function countLookups(metrics: GatewayMetrics, tier: string, hits: number, misses: number): void {
  if (hits > 0) metrics.cacheLookups.inc({ tier, result: 'hit' }, hits);
  if (misses > 0) metrics.cacheLookups.inc({ tier, result: 'miss' }, misses);
}
