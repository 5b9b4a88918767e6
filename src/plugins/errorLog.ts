import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GatewayContext } from '../context.js';
import { isRefusedRequest } from '../errors/formatError.js';
import { isUpstreamError } from '../upstream/errors.js';

/**
 * Clients get a code and a short message (formatError); whoever is paged gets the rest here, under
 * the request id the client saw in x-request-id. Upstream failures were logged by the client already;
 * requests Apollo refused with a 4xx are the client's mistake and page nobody.
 */
export function createErrorLogPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (isUpstreamError(original) || error.extensions.code !== undefined || isRefusedRequest(error)) continue;
            contextValue.logger.error(
              { requestId: contextValue.requestId, operationName, path: error.path, err: original },
              'unexpected error while resolving',
            );
          }
        },
      };
    },
  };
}
