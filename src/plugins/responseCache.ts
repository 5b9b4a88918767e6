import type { ApolloServerPlugin } from '@apollo/server';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import type { GatewayContext } from '../context.js';

/**
 * RESPONSE_CACHE=true: whole answers kept in memory for as long as their cache hints allow
 * (cacheHints.ts: settled history only, never an answer with errors), with Apollo's response cache
 * plugin in Apollo Server's own bounded cache (~30 MiB by default).
 *
 * Every answer is `private`: it is stored under the credential's fingerprint, so one credential is
 * never answered from another's entry, and an answer without a credential is never stored. A hit
 * skips execution altogether: the dashboard a team reloads all day costs a lookup. The hit shows in
 * extensions.livedeflect as cache.response.hits.
 */
export function createResponseCachePlugins(): ApolloServerPlugin<GatewayContext>[] {
  const countHits: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ metrics, contextValue }) {
          if (metrics.responseCacheHit) contextValue.operation.cost.cache.response.hits++;
        },
      };
    },
  };
  return [
    ApolloServerPluginResponseCache<GatewayContext>({
      sessionId: async ({ contextValue }) => contextValue.scope?.fingerprint ?? null,
    }),
    countHits,
  ];
}
