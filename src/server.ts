import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context.js';
import { formatError } from './errors/formatError.js';
import { createCostExtensionPlugin } from './plugins/costExtension.js';
import { createErrorLogPlugin } from './plugins/errorLog.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/**
 * Apollo Server with our error normalization and plugins. Apollo's own landing page loads from a CDN,
 * so it is off: GraphiQL is served from our own bundle by src/http.
 */
export function createApolloServer(schema: GraphQLSchema, config: Config, logger: Logger): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    schema,
    formatError,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: config.allowBatchedRequests,
    csrfPrevention: true,
    // main.ts owns shutdown (drain, then exit 0); Apollo's own handler would re-raise the signal and kill us mid-drain.
    stopOnTerminationSignals: false,
    logger,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      createErrorLogPlugin(),
      ...(config.costExtensions ? [createCostExtensionPlugin()] : []),
    ],
  });
}
