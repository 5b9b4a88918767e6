import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context.js';
import { formatError } from './errors/formatError.js';
import { createCacheHintPlugins } from './plugins/cacheHints.js';
import { createCostExtensionPlugin } from './plugins/costExtension.js';
import { createErrorLogPlugin } from './plugins/errorLog.js';
import { createLimitsPlugin } from './plugins/limits.js';
import { createRequestLogPlugin } from './plugins/requestLog.js';
import { createResponseCachePlugins } from './plugins/responseCache.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { knownOperationTypesRule } from './plugins/knownOperationTypesRule.js';

/**
 * Apollo Server with our error normalization and plugins. Apollo's own landing page loads from a CDN,
 * so it is off: GraphiQL is served from our own bundle by src/http. `plugins` are the gateway's own
 * instances (metrics, which belong to one gateway).
 */
export function createApolloServer(
  schema: GraphQLSchema,
  config: Config,
  logger: Logger,
  plugins: readonly ApolloServerPlugin<GatewayContext>[] = [],
): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    schema,
    formatError,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: config.allowBatchedRequests,
    csrfPrevention: true,
    validationRules: [knownOperationTypesRule],
    // main.ts owns shutdown (drain, then exit 0); Apollo's own handler would re-raise the signal and kill us mid-drain.
    stopOnTerminationSignals: false,
    logger,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      createLimitsPlugin(config),
      createErrorLogPlugin(),
      createRequestLogPlugin(),
      ...plugins,
      ...createCacheHintPlugins({
        bucketSizeMs: config.bucketSizeMs,
        settleAfterMs: config.cacheSettleAfterMs,
        settledTtlMs: config.cacheSettledTtlMs,
      }),
      ...(config.responseCache ? createResponseCachePlugins() : []),
      ...(config.costExtensions ? [createCostExtensionPlugin()] : []),
    ],
  });
}
