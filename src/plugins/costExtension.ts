import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * extensions.livedeflect on every response: what the operation cost the upstream and which cache tier
 * answered. A person in GraphiQL sees at once that a query is expensive, before a dashboard ships it.
 */
export function createCostExtensionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, livedeflect: contextValue.operation.cost };
        },
      };
    },
  };
}
