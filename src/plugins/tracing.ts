import type { ApolloServerPlugin } from '@apollo/server';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { GatewayContext } from '../context.js';
import { codeOf } from './requestLog.js';

/**
 * Names, attributes and ends the GraphQL operation span (started with the request's context, see
 * src/tracing/operationSpan.ts) by OpenTelemetry's GraphQL conventions: `{type} {name}`,
 * graphql.operation.type and .name, and graphql.document only when OTEL_GRAPHQL_DOCUMENT asks (literals
 * in a document may hold data). What the operation cost the upstream and the cache tiers goes on as
 * livedeflect.* attributes, error codes (never messages) as the status. Only installed when tracing is on.
 */
export function createTracingPlugin(recordDocument: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const span = contextValue.operation.traceContext ? trace.getSpan(contextValue.operation.traceContext) : undefined;
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName, source }) {
          // No such operation in the document: execution answers that, and the span keeps its generic name.
          if (!operation) return;
          span.updateName(operationName ? `${operation.operation} ${operationName}` : operation.operation);
          span.setAttributes({
            'graphql.operation.type': operation.operation,
            ...(operationName ? { 'graphql.operation.name': operationName } : {}),
            ...(recordDocument ? { 'graphql.document': source } : {}),
          });
        },
        async willSendResponse({ response }) {
          const { cost } = contextValue.operation;
          span.setAttributes({
            'livedeflect.upstream_requests': cost.upstreamRequests,
            'livedeflect.windows_fetched': cost.windowsFetched,
            'livedeflect.retries': cost.retries,
            'livedeflect.cache.memory.hits': cost.cache.memory.hits,
            'livedeflect.cache.memory.misses': cost.cache.memory.misses,
            'livedeflect.cache.redis.hits': cost.cache.redis.hits,
            'livedeflect.cache.redis.misses': cost.cache.redis.misses,
            'livedeflect.cache.redis.wait_ms': cost.cache.redis.waitMs,
            'livedeflect.cache.shared': cost.cache.shared,
            'livedeflect.cache.response.hits': cost.cache.response.hits,
          });
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          if (errors.length > 0) {
            const codes = [...new Set(errors.map((error) => codeOf(error.extensions?.code)))];
            span.setAttribute('error.type', codes[0]!);
            span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
          }
          span.end();
        },
      };
    },
  };
}
