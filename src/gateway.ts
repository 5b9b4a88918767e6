import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BucketStore } from './cache/bucketStore.js';
import { createFingerprinter, secretMarker } from './cache/fingerprint.js';
import { MemoryTier } from './cache/memoryTier.js';
import { RedisTier } from './cache/redisTier.js';
import { createWindowDecoding } from './decode/decodePool.js';
import type { Config } from './config.js';
import { createGatewayMetrics } from './gatewayMetrics.js';
import { createRequestListener, GRAPHQL_PATH, type RouteHandler } from './http/app.js';
import { createCorsRoute } from './http/cors.js';
import { exampleQuery } from './http/exampleQuery.js';
import { createGraphiQLHandler } from './http/graphiql/handler.js';
import { defaultAssetsDir } from './http/graphiql/paths.js';
import { createHealthRoutes } from './http/health.js';
import { createMetricsRoute } from './http/metrics.js';
import { ResponseDrain } from './http/responseDrain.js';
import { createOriginPolicy } from './http/originPolicy.js';
import { attachWebSocket } from './http/websocket.js';
import { LiveHub } from './live/liveHub.js';
import { RedisFeedRelay } from './live/redisRelay.js';
import type { Logger } from './logger.js';
import { loadPersistedDocuments } from './persistedDocuments.js';
import { createMetricsPlugin } from './plugins/metrics.js';
import { createPersistedDocumentsPlugin } from './plugins/persistedDocuments.js';
import { createTracingPlugin } from './plugins/tracing.js';
import { createSubscriptionCallbackPlugin } from './plugins/subscriptionCallback.js';
import { createWindowRecorder } from './recording/recorder.js';
import { createContextFactory, createSubscriptionContextFactory } from './context.js';
import { createErrorFormatter } from './errors/formatError.js';
import { buildSchema } from './schema.js';
import { createApolloServer } from './server.js';
import { traceHttpRequests } from './tracing/httpServerSpans.js';
import { TRACING_OFF, type Telemetry } from './tracing/telemetry.js';
import { LiveDeflectClient } from './upstream/client.js';

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The upstream actually used: config.upstreamUrl, or the embedded simulator's URL. */
  readonly upstreamUrl: string;
  /** The static credential actually used: config's, or the embedded simulator's own. */
  readonly upstreamAuthorization: string | null;
  /** Extra routes tried before GraphQL, after CORS, health, metrics and GraphiQL. */
  readonly routes?: readonly RouteHandler[];
  /** The upstream client's clock and retry wait (breaker cool-downs, Retry-After); tests pass a fake one. */
  readonly upstreamClock?: { readonly now: () => number; readonly sleep: (ms: number) => Promise<void> };
  /** OpenTelemetry traces (src/tracing/startTracing.ts); default off. */
  readonly telemetry?: Telemetry;
}

export interface Gateway {
  /** http://host:port of the listening server. */
  readonly url: string;
  readonly port: number;
  readonly client: LiveDeflectClient;
  readonly store: BucketStore;
  readonly memory: MemoryTier;
  /**
   * The start of a graceful stop: /readyz answers 503 (so a load balancer stops sending) and every
   * response closes its connection, while the server still accepts and serves. close() follows.
   */
  beginShutdown(): void;
  /** The live feeds of Subscription.callUpdates. */
  readonly live: LiveHub;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT), then releases everything. */
  close(): Promise<void>;
}

/** Wires the request path together (HTTP -> Apollo -> resolvers -> loaders -> cache -> client) and listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const schema = buildSchema();
  // First, before any thread or connection is opened: a manifest that does not fit the schema stops the start (ConfigError).
  const persistedDocuments = config.persistedDocumentsFile ? await loadPersistedDocuments(config.persistedDocumentsFile, schema) : null;
  const telemetry = options.telemetry ?? TRACING_OFF;
  const metrics = createGatewayMetrics();
  const recorder = config.recordDir ? createWindowRecorder({ dir: config.recordDir, maskPii: config.recordMaskPii, logger }) : null;
  const decoding = createWindowDecoding({
    workers: config.decodeWorkers,
    bucketSizeMs: config.bucketSizeMs,
    maxBucketCalls: config.maxBucketCalls,
    logger,
  });
  const client = new LiveDeflectClient({
    baseUrl: options.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    connectTimeoutMs: config.upstreamConnectTimeoutMs,
    maxBodyBytes: config.upstreamMaxBodyBytes,
    retries: config.upstreamRetries,
    retryAfterMaxMs: config.upstreamRetryAfterMaxMs,
    connections: config.upstreamConnections,
    breakerFailureThreshold: config.breakerFailureThreshold,
    breakerCooldownMs: config.breakerCooldownMs,
    logger,
    onAttempt: metrics.recordUpstreamAttempt,
    onBody: recorder?.record,
    openBody: decoding.open,
    ...options.upstreamClock,
    telemetry,
  });
  const memory = new MemoryTier(config.cacheMaxBytes);
  const redis = config.redisUrl
    ? new RedisTier({ url: config.redisUrl, commandTimeoutMs: config.redisTimeoutMs, leaseTtlMs: config.redisLeaseTtlMs, logger, telemetry })
    : null;
  await redis?.connect();
  if (redis && !config.cacheKeySecret) {
    logger.warn('REDIS_URL is set without CACHE_KEY_SECRET: this replica keys entries with its own secret, so replicas share nothing');
  }
  const secrets = redis && config.cacheKeySecret ? await redis.secretsInUse(secretMarker(config.cacheKeySecret)) : null;
  if (secrets !== null && secrets > 1) {
    logger.warn(
      { secrets },
      'replicas on this Redis started with different CACHE_KEY_SECRETs in the last 7 days: those with another secret share no cache with this one (give every replica the same secret)',
    );
  }
  const store = new BucketStore({
    client,
    upstreamUrl: options.upstreamUrl,
    bucketSizeMs: config.bucketSizeMs,
    maxWindowMs: config.maxWindowMs,
    concurrency: config.upstreamConcurrency,
    memory,
    redis,
    settleAfterMs: config.cacheSettleAfterMs,
    recentTtlMs: config.cacheRecentTtlMs,
    settledTtlMs: config.cacheSettledTtlMs,
    logger,
  });
  // A lease outlives one missed renewal by half an interval: a replica that died is replaced within two intervals.
  const relay = config.redisUrl
    ? new RedisFeedRelay({
        url: config.redisUrl,
        upstreamUrl: options.upstreamUrl,
        commandTimeoutMs: config.redisTimeoutMs,
        leaseTtlMs: Math.round(config.livePollIntervalMs * 1.5),
        logger,
      })
    : null;
  const live = new LiveHub({
    store,
    intervalMs: config.livePollIntervalMs,
    lookbackMs: config.liveLookbackMs,
    bucketSizeMs: config.bucketSizeMs,
    deadlineMs: config.operationDeadlineMs,
    maxSubscriptions: config.maxSubscriptions,
    sendBuffer: config.liveSendBuffer,
    logger,
    onPoll: (result) => metrics.livePolls.inc({ result }),
    relay,
  });
  metrics.watchLive(() => live.stats);
  const formatError = createErrorFormatter({ hideSuggestions: !config.introspection });
  const tracing = telemetry.enabled ? [createTracingPlugin(telemetry.recordDocument)] : [];
  const apollo = createApolloServer(schema, config, logger, formatError, [
    ...(persistedDocuments ? [createPersistedDocumentsPlugin(persistedDocuments, config.persistedDocumentsOnly)] : []),
    createMetricsPlugin(metrics),
    createSubscriptionCallbackPlugin({ allowedUrls: config.liveCallbackUrls, logger, formatError }),
    ...tracing,
  ]);
  await apollo.start();
  const contextOptions = {
    store,
    fingerprint: createFingerprinter(config.cacheKeySecret),
    staticAuthorization: options.upstreamAuthorization,
    operationDeadlineMs: config.operationDeadlineMs,
    maxOperationWindows: config.maxOperationWindows,
    settings: {
      bucketSizeMs: config.bucketSizeMs,
      maxRangeMs: config.maxRangeMs,
      maxTimelinePoints: config.maxTimelinePoints,
      maskPii: config.maskPii,
    },
    logger,
    telemetry,
    live,
  };
  const contextFor = createContextFactory(contextOptions);
  const subscriptionContextFor = createSubscriptionContextFactory(contextOptions);
  const drain = new ResponseDrain();
  const health = createHealthRoutes({
    isReady: () =>
      drain.closing
        ? { ready: false, reason: 'shutting down' }
        : client.breakerState === 'open'
          ? { ready: false, reason: 'the LiveDeflect upstream is failing (circuit breaker open)' }
          : { ready: true },
  });
  const graphiql = config.graphiql
    ? [
        createGraphiQLHandler({
          graphqlPath: GRAPHQL_PATH,
          assetsDir: defaultAssetsDir,
          defaultQuery: () => exampleQuery(config.exampleSiteId),
          defaultHeaders: '{"Authorization": ""}',
          title: 'LiveDeflect GraphQL',
        }),
      ]
    : [];
  const cors = createCorsRoute({ origins: config.corsOrigins, maxAgeSeconds: config.corsMaxAgeSeconds, credentials: config.corsCredentials });
  const routes = [cors, health, createMetricsRoute(metrics.registry), ...graphiql, ...(options.routes ?? [])];
  const listener = createRequestListener({
    apollo,
    contextFor,
    subscriptionContextFor,
    maxBodyBytes: config.maxBodyBytes,
    maxBatchSize: config.allowBatchedRequests ? config.maxBatchSize : null,
    drain,
    logger,
    routes,
  });
  const server = createServer(
    {
      // Node's defaults hold a slow request for 300 s and check only every 30 s.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
    },
    telemetry.enabled ? traceHttpRequests(telemetry, [GRAPHQL_PATH], listener) : listener,
  );
  // Connections past this are closed as they arrive, before a byte is read.
  server.maxConnections = config.maxConnections;
  const websocket = attachWebSocket(server, {
    schema,
    contextFor: subscriptionContextFor,
    limits: config,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    keepAliveMs: config.liveKeepAliveMs,
    maxMessageBytes: config.maxBodyBytes,
    formatError,
    isOriginAllowed: createOriginPolicy(config.corsOrigins),
  });
  await listen(server, config.port, config.host);
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    client,
    store,
    memory,
    live,
    beginShutdown: () => drain.beginClosing(),
    async close() {
      drain.beginClosing();
      // Subscriptions first: each is completed, then its socket closed with 1001, so HTTP drains only requests.
      live.close();
      await websocket.close(config.shutdownTimeoutMs);
      await stopServing(server, config.shutdownTimeoutMs, logger);
      await apollo.stop();
      await client.close();
      await decoding.close();
      await redis?.close();
      await relay?.close();
      await recorder?.flush();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Graceful stop: refuse new connections, close idle keep-alive ones, wait for in-flight requests (whose
 * answers say Connection: close), and cut whatever is still open when the time is up so shutdown always ends.
 */
async function stopServing(server: Server, timeoutMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  logger.info('listener closed: finishing in-flight requests');
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(idleSweep);
    clearTimeout(timer);
  }
}
