import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { refusalOf } from '../errors/formatError.js';
import { persistedDocumentIdOf } from './persistedDocuments.js';

/**
 * One log line per GraphQL operation: who asked (the request id the client saw in x-request-id),
 * what (the operation's name and type, and the trusted document's id), how long it took, what it cost the upstream and which error
 * codes it answered with. Only names and counts: never the query text, its variables, the
 * credential or any data from the response, so no token, phone number or callerInfo can leak here.
 * A request refused before it was parsed gets a `graphql request refused` line with its code instead.
 */
export function createRequestLogPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async unexpectedErrorProcessingRequest({ requestContext: { contextValue }, error }) {
      const refusal = refusalOf(error);
      if (refusal === null) return;
      const { code, status } = refusal;
      contextValue.logger.info({ requestId: contextValue.requestId, status, errors: 1, errorCodes: [code] }, 'graphql request refused');
    },
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ request, response, contextValue, operation, operationName }) {
          const { cost } = contextValue.operation;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          contextValue.logger.info(
            {
              requestId: contextValue.requestId,
              operationName: operationName ?? null,
              operationType: operation?.operation ?? null,
              documentId: persistedDocumentIdOf(request),
              status: response.http.status ?? 200,
              durationMs: Math.round(performance.now() - started),
              upstreamRequests: cost.upstreamRequests,
              windowsFetched: cost.windowsFetched,
              retries: cost.retries,
              cache: cost.cache,
              errors: errors.length,
              errorCodes: [...new Set(errors.map((error) => codeOf(error.extensions?.code)))],
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

/** A code as the log shows it: formatError gives every error a string code, so anything else is a bug to see as such. */
function codeOf(code: unknown): string {
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
