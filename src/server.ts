import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context.js';
import type { ErrorFormatter } from './errors/formatError.js';
import { createResultStringifier, type SerializedAnswers } from './errors/stringifyResult.js';
import { createCacheHintPlugins } from './plugins/cacheHints.js';
import { createCostExtensionPlugin } from './plugins/costExtension.js';
import { createErrorLogPlugin } from './plugins/errorLog.js';
import { createLimitsPlugin } from './plugins/limits.js';
import { createOperationBudgetPlugin } from './plugins/operationBudget.js';
import { createRequestLogPlugin } from './plugins/requestLog.js';
import { createResponseCachePlugins } from './plugins/responseCache.js';
import type { Config } from './config.js';
import { createDocumentStore, createPersistedQueryCache } from './documentStores.js';
import type { Logger } from './logger.js';
import { knownOperationTypesRule } from './plugins/knownOperationTypesRule.js';
import { subgraphSdlRule } from './plugins/subgraphSdlRule.js';
import { createCompiledExecution } from './compiledExecution.js';
import { buildSchema } from './schema.js';

/**
 * Apollo Server with our error normalization and plugins. Apollo's own landing page loads from a CDN,
 * so it is off: GraphiQL is served from our own bundle by src/http. `plugins` are the gateway's own
 * instances (metrics, which belong to one gateway).
 */
export function createApolloServer(
  schema: GraphQLSchema,
  config: Config,
  logger: Logger,
  /** The one error format of every path to clients (gateway.ts gives the WebSocket edge the same). */
  formatError: ErrorFormatter,
  plugins: readonly ApolloServerPlugin<GatewayContext>[] = [],
): ApolloServer<GatewayContext> {
  const serialized: SerializedAnswers = new WeakMap();
  return new ApolloServer<GatewayContext>({
    // Apollo's one hook for another executor: queries run compiled by graphql-jit (src/compiledExecution.ts).
    gateway: createCompiledExecution({
      schema,
      compileSchema: config.compiledExecution === 'off' ? null : buildSchema(),
      runsBeforeCompiling: config.compiledExecution === 'always' ? 0 : 1,
      federatedTracing: config.federatedTracing,
      maxBytes: config.documentCacheBytes,
    }),
    formatError,
    stringifyResult: createResultStringifier(logger, serialized),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: config.allowBatchedRequests,
    csrfPrevention: true,
    // Bounded by bytes of source and nodes (src/documentStores.ts), not by Apollo's JSON size that leaves the source out.
    documentStore: createDocumentStore(config.documentCacheBytes),
    // Trusted documents only: a client may not register new documents through automatic persisted queries.
    persistedQueries: config.persistedDocumentsOnly ? false : { cache: createPersistedQueryCache(config.documentCacheBytes) },
    // No "Did you mean ...?" naming fields of a schema that production does not introspect.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    validationRules: [knownOperationTypesRule, ...(config.exposeSubgraphSdl ? [] : [subgraphSdlRule])],
    // main.ts owns shutdown (drain, then exit 0); Apollo's own handler would re-raise the signal and kill us mid-drain.
    stopOnTerminationSignals: false,
    logger,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo installs inline tracing on every subgraph: any client sending the ftv1 header would get field timings.
      ...(config.federatedTracing ? [] : [ApolloServerPluginInlineTraceDisabled()]),
      createLimitsPlugin(config),
      createOperationBudgetPlugin(config),
      createErrorLogPlugin(),
      createRequestLogPlugin(),
      ...plugins,
      ...createCacheHintPlugins({
        bucketSizeMs: config.bucketSizeMs,
        settleAfterMs: config.cacheSettleAfterMs,
        settledTtlMs: config.cacheSettledTtlMs,
      }),
      ...(config.responseCache ? createResponseCachePlugins({ maxBytes: config.responseCacheMaxBytes, serialized }) : []),
      ...(config.costExtensions ? [createCostExtensionPlugin()] : []),
    ],
  });
}
