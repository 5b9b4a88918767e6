import { availableParallelism } from 'node:os';
import { formatDuration, parseDuration } from './duration.js';
import { readTracingConfig, type TracingConfig } from './tracing/tracingConfig.js';

/**
 * Everything the gateway reads from its environment, validated once at start.
 * Inside the program a Config is trusted: no module checks these values again.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly production: boolean;
  /** Base URL of LiveDeflect; null starts the embedded simulator. */
  readonly upstreamUrl: string | null;
  /** Static upstream credential; null passes the client's Authorization header through. */
  readonly upstreamAuthorization: string | null;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamMaxBodyBytes: number;
  readonly upstreamRetries: number;
  readonly upstreamRetryAfterMaxMs: number;
  readonly upstreamConcurrency: number;
  readonly upstreamConnections: number;
  readonly maxWindowMs: number;
  readonly bucketSizeMs: number;
  /** Calls one bucket may hold: an upstream window with more in a bucket fails (with a message naming BUCKET_SIZE). */
  readonly maxBucketCalls: number;
  readonly maxRangeMs: number;
  /** Most points one Site.timeline answers: 3000 holds 31 days of quarter hours. */
  readonly maxTimelinePoints: number;
  readonly operationDeadlineMs: number;
  readonly breakerFailureThreshold: number;
  readonly breakerCooldownMs: number;
  readonly cacheMaxBytes: number;
  readonly cacheSettleAfterMs: number;
  readonly cacheRecentTtlMs: number;
  readonly cacheSettledTtlMs: number;
  readonly cacheKeySecret: string | null;
  readonly redisUrl: string | null;
  /** Every Redis command gives up after this; a slow or hung Redis is then a miss. */
  readonly redisTimeoutMs: number;
  /** How long a replica's claim on a cold bucket lasts: other replicas wait at most this long for it. */
  readonly redisLeaseTtlMs: number;
  /** Threads that parse and decode upstream bodies; 0 decodes on the main thread. */
  readonly decodeWorkers: number;
  /** Keep whole answers over settled history in memory, per credential (src/plugins/responseCache.ts). */
  readonly responseCache: boolean;
  /** Bound of the whole answers RESPONSE_CACHE keeps, in bytes. */
  readonly responseCacheMaxBytes: number;
  readonly introspection: boolean;
  readonly graphiql: boolean;
  readonly maskPii: boolean;
  readonly costExtensions: boolean;
  readonly logLevel: LogLevel;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
  readonly maxRootFields: number;
  readonly maxTokens: number;
  readonly maxBodyBytes: number;
  /** Longest query text accepted, in UTF-8 bytes: comments are not tokens, so MAX_TOKENS alone misses them. */
  readonly maxQueryBytes: number;
  /** Bound of each per-document store (parsed documents, APQ query texts, remembered verdicts), in bytes. */
  readonly documentCacheBytes: number;
  /** Distinct upstream windows one operation (or one batch) may need, estimated before any request is sent. */
  readonly maxOperationWindows: number;
  readonly allowBatchedRequests: boolean;
  /** Operations one batched HTTP request may hold (with ALLOW_BATCHED_REQUESTS). */
  readonly maxBatchSize: number;
  /** Answer `{ _service { sdl } }`: on outside production, where rover subgraph introspect needs it set. */
  readonly exposeSubgraphSdl: boolean;
  /** Inline federated traces (ftv1) for routers that ask: on outside production. */
  readonly federatedTracing: boolean;
  /** Which queries run compiled by graphql-jit (src/compiledExecution.ts): from their second run, from their first, or none. */
  readonly compiledExecution: CompiledExecutionMode;
  /** Longest a client may take to send a whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** Longest a client may take to send a request's headers. */
  readonly headersTimeoutMs: number;
  /** Concurrent client connections; more are closed as they arrive. */
  readonly maxConnections: number;
  /** After SIGTERM: how long /readyz answers 503 while requests are still served, before the listener closes. */
  readonly shutdownDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly simulatorSeed: string;
  readonly exampleSiteId: string;
  readonly recordDir: string | null;
  /** Mask phone numbers and callerInfo values in recordings, as MASK_PII does in responses. */
  readonly recordMaskPii: boolean;
  readonly replayDir: string | null;
  /** CORS_ORIGINS: browser origins allowed to call the gateway, exactly as a browser sends them, or every origin. */
  readonly corsOrigins: '*' | readonly string[];
  /** How long a browser may reuse a preflight's answer, in whole seconds (Access-Control-Max-Age). */
  readonly corsMaxAgeSeconds: number;
  /** Let browser pages send cookies and HTTP auth (Access-Control-Allow-Credentials); never with every origin. */
  readonly corsCredentials: boolean;
  /** PERSISTED_DOCUMENTS: the trusted-documents manifest file; null without one. */
  readonly persistedDocumentsFile: string | null;
  /** Only documents of the manifest run: free-form query text is refused and APQ registration is off. */
  readonly persistedDocumentsOnly: boolean;
  /** OpenTelemetry traces from the standard OTEL_* variables; null (the default) is off, with no SDK loaded. */
  readonly tracing: TracingConfig | null;
  /** How often each (credential, site) with subscribers is polled. */
  readonly livePollIntervalMs: number;
  /** How far back each live poll reads; defaults to the settle time, after which a call no longer changes. */
  readonly liveLookbackMs: number;
  readonly maxSubscriptions: number;
  readonly maxSubscriptionsPerConnection: number;
  /** Updates one subscriber may have waiting to be sent before it is ended as too slow. */
  readonly liveSendBuffer: number;
  /** WebSocket ping interval; a connection that misses a pong for as long is dropped. */
  readonly liveKeepAliveMs: number;
  /**
   * LIVE_CALLBACK_URLS: where a router's subscription callbacks (Apollo's HTTP callback protocol) may be sent, as URL
   * prefixes. The router names the URL in each request, so the list keeps the gateway from posting anywhere else.
   */
  readonly liveCallbackUrls: readonly string[];
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
type CompiledExecutionMode = 'repeated' | 'always' | 'off';
const COMPILED_EXECUTION_MODES: readonly CompiledExecutionMode[] = ['repeated', 'always', 'off'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A bad setting: main prints the message and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws ConfigError naming the setting and what it accepts. */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const production = env.NODE_ENV === 'production';
  const bucketSizeMs = read.duration('BUCKET_SIZE', '1h');
  const maxWindowMs = read.duration('LIVEDEFLECT_MAX_WINDOW', '24h');
  const maxRangeMs = read.duration('MAX_RANGE', '31d');
  const cacheSettleAfterMs = read.duration('CACHE_SETTLE_AFTER', '2h');
  if (86_400_000 % bucketSizeMs !== 0) {
    throw new ConfigError(`BUCKET_SIZE must divide one day evenly (e.g. 15m, 1h, 6h); got ${formatDuration(bucketSizeMs)}`);
  }
  if (maxWindowMs < bucketSizeMs || maxWindowMs % bucketSizeMs !== 0) {
    throw new ConfigError(
      `LIVEDEFLECT_MAX_WINDOW must be a whole number of buckets (BUCKET_SIZE=${formatDuration(bucketSizeMs)}); got ${formatDuration(maxWindowMs)}`,
    );
  }
  const config: Config = {
    port: read.integer('PORT', 4000, 0, 65535),
    host: read.string('HOST', '0.0.0.0'),
    production,
    upstreamUrl: read.url('LIVEDEFLECT_URL'),
    upstreamAuthorization: read.optionalString('LIVEDEFLECT_AUTHORIZATION'),
    upstreamTimeoutMs: read.duration('LIVEDEFLECT_TIMEOUT', '10s'),
    upstreamConnectTimeoutMs: read.duration('LIVEDEFLECT_CONNECT_TIMEOUT', '5s'),
    upstreamMaxBodyBytes: read.bytes('LIVEDEFLECT_MAX_BODY', 512 * 1024 * 1024),
    upstreamRetries: read.integer('LIVEDEFLECT_RETRIES', 3, 0, 10),
    upstreamRetryAfterMaxMs: read.duration('LIVEDEFLECT_RETRY_AFTER_MAX', '10s'),
    upstreamConcurrency: read.integer('LIVEDEFLECT_CONCURRENCY', 4, 1, 64),
    upstreamConnections: read.integer('LIVEDEFLECT_CONNECTIONS', 16, 1, 1024),
    maxWindowMs,
    bucketSizeMs,
    maxBucketCalls: read.integer('MAX_BUCKET_CALLS', 100_000, 1, 10_000_000),
    maxRangeMs,
    maxTimelinePoints: read.integer('MAX_TIMELINE_POINTS', 3_000, 1, 100_000),
    operationDeadlineMs: read.duration('OPERATION_DEADLINE', '30s'),
    breakerFailureThreshold: read.integer('BREAKER_FAILURES', 5, 1, 1000),
    breakerCooldownMs: read.duration('BREAKER_COOLDOWN', '30s'),
    cacheMaxBytes: read.bytes('CACHE_MAX_BYTES', 256 * 1024 * 1024),
    cacheSettleAfterMs,
    cacheRecentTtlMs: read.duration('CACHE_RECENT_TTL', '15s'),
    cacheSettledTtlMs: read.duration('CACHE_SETTLED_TTL', '7d'),
    cacheKeySecret: read.optionalString('CACHE_KEY_SECRET'),
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    redisTimeoutMs: read.duration('REDIS_TIMEOUT', '500ms'),
    redisLeaseTtlMs: read.duration('REDIS_LEASE_TTL', '10s'),
    decodeWorkers: read.integer('DECODE_WORKERS', Math.min(2, availableParallelism()), 0, 16),
    responseCache: read.boolean('RESPONSE_CACHE', false),
    responseCacheMaxBytes: read.bytes('RESPONSE_CACHE_MAX_BYTES', 32 * 1024 * 1024),
    introspection: read.boolean('INTROSPECTION', !production),
    graphiql: read.boolean('GRAPHIQL', !production),
    maskPii: read.boolean('MASK_PII', false),
    costExtensions: read.boolean('COST_EXTENSIONS', true),
    logLevel: read.choice('LOG_LEVEL', LOG_LEVELS, 'info'),
    maxDepth: read.integer('MAX_DEPTH', 10, 1, 1000),
    maxAliases: read.integer('MAX_ALIASES', 50, 0, 10_000),
    maxCost: read.integer('MAX_COST', 50_000, 1, Number.MAX_SAFE_INTEGER),
    maxRootFields: read.integer('MAX_ROOT_FIELDS', 100, 1, 10_000),
    maxTokens: read.integer('MAX_TOKENS', 5_000, 10, 1_000_000),
    maxBodyBytes: read.bytes('MAX_BODY_BYTES', 1024 * 1024),
    maxQueryBytes: read.bytes('MAX_QUERY_BYTES', 64 * 1024),
    documentCacheBytes: read.bytes('DOCUMENT_CACHE_BYTES', 32 * 1024 * 1024),
    // Three sites' 31-day ranges, each 32 windows of 24h when it does not start at midnight.
    maxOperationWindows: read.integer('MAX_OPERATION_WINDOWS', 96, 1, 100_000),
    allowBatchedRequests: read.boolean('ALLOW_BATCHED_REQUESTS', false),
    maxBatchSize: read.integer('MAX_BATCH_SIZE', 10, 1, 1_000),
    exposeSubgraphSdl: read.boolean('EXPOSE_SUBGRAPH_SDL', !production),
    federatedTracing: read.boolean('FEDERATED_TRACING', !production),
    compiledExecution: read.choice('COMPILED_EXECUTION', COMPILED_EXECUTION_MODES, 'repeated'),
    requestTimeoutMs: read.duration('REQUEST_TIMEOUT', '30s'),
    headersTimeoutMs: read.duration('HEADERS_TIMEOUT', '10s'),
    maxConnections: read.integer('MAX_CONNECTIONS', 1_024, 1, 1_000_000),
    shutdownDelayMs: read.duration('SHUTDOWN_DELAY', '5s', { allowZero: true }),
    shutdownTimeoutMs: read.duration('SHUTDOWN_TIMEOUT', '25s'),
    simulatorSeed: read.string('SIMULATOR_SEED', 'livedeflect'),
    exampleSiteId: read.string('EXAMPLE_SITE_ID', '25508804'),
    recordDir: read.optionalString('LIVEDEFLECT_RECORD'),
    recordMaskPii: read.boolean('LIVEDEFLECT_RECORD_MASK_PII', false),
    replayDir: read.optionalString('LIVEDEFLECT_REPLAY'),
    // Open to every origin while developing; in production none, as a subgraph only a router calls needs no CORS.
    corsOrigins: read.origins('CORS_ORIGINS', production ? [] : '*'),
    corsMaxAgeSeconds: read.wholeSeconds('CORS_MAX_AGE', '2h'),
    corsCredentials: read.boolean('CORS_CREDENTIALS', false),
    persistedDocumentsFile: read.optionalString('PERSISTED_DOCUMENTS'),
    persistedDocumentsOnly: read.boolean('PERSISTED_DOCUMENTS_ONLY', false),
    tracing: readTracingConfig(env, (message) => new ConfigError(message)),
    livePollIntervalMs: read.duration('LIVE_POLL_INTERVAL', '10s'),
    liveLookbackMs: read.duration('LIVE_LOOKBACK', String(cacheSettleAfterMs)),
    maxSubscriptions: read.integer('MAX_SUBSCRIPTIONS', 10_000, 0, 1_000_000),
    maxSubscriptionsPerConnection: read.integer('MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 10_000),
    liveSendBuffer: read.integer('LIVE_SEND_BUFFER', 256, 1, 100_000),
    liveKeepAliveMs: read.duration('LIVE_KEEPALIVE', '12s'),
    // None by default: the callback protocol is off until the router's callback URL is named.
    liveCallbackUrls: read.urlPrefixes('LIVE_CALLBACK_URLS'),
  };
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(
      `HEADERS_TIMEOUT (${formatDuration(config.headersTimeoutMs)}) must not be longer than REQUEST_TIMEOUT (${formatDuration(config.requestTimeoutMs)}), which includes the headers`,
    );
  }
  if (config.recordDir && !config.upstreamUrl) {
    throw new ConfigError('LIVEDEFLECT_RECORD records a real upstream: set LIVEDEFLECT_URL too');
  }
  if (config.replayDir && config.upstreamUrl) {
    throw new ConfigError('LIVEDEFLECT_REPLAY serves recordings from the embedded simulator: unset LIVEDEFLECT_URL');
  }
  if (config.corsCredentials && config.corsOrigins === '*') {
    // Browsers refuse credentials with `Access-Control-Allow-Origin: *`; reflecting every origin instead would let any site act as its visitors.
    throw new ConfigError(
      'CORS_CREDENTIALS=true needs CORS_ORIGINS to list the allowed origins; "*" would let every site send its visitors\' credentials',
    );
  }
  if (config.persistedDocumentsOnly && !config.persistedDocumentsFile) {
    throw new ConfigError('PERSISTED_DOCUMENTS_ONLY=true runs only the documents of a manifest: set PERSISTED_DOCUMENTS to its file');
  }
  return config;
}

/** Private: one reader per setting kind, each naming the variable and what it accepts when it throws. */
class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | null {
    return this.raw(name) ?? null;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || value < min || value > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${text}"`);
    }
    return value;
  }

  duration(name: string, fallback: string, { allowZero = false } = {}): number {
    const text = this.raw(name) ?? fallback;
    const value = parseDuration(text);
    if (value === null || value < 0 || (value === 0 && !allowZero)) {
      const kind = allowZero ? 'duration (0 for none)' : 'positive duration';
      throw new ConfigError(`${name} must be a ${kind} like 500ms, 15s, 2h, 31d or plain milliseconds; got "${text}"`);
    }
    return value;
  }

  bytes(name: string, fallback: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const match = /^(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text);
    if (!match) throw new ConfigError(`${name} must be a size like 1048576, 512KiB, 256MB or 1GiB; got "${text}"`);
    const unit = (match[2] ?? 'b').toLowerCase();
    const scale = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
    const value = Number(match[1]) * scale;
    if (value <= 0) throw new ConfigError(`${name} must be greater than 0; got "${text}"`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    throw new ConfigError(`${name} must be true or false; got "${this.raw(name)}"`);
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const found = choices.find((choice) => choice === text.toLowerCase());
    if (!found) throw new ConfigError(`${name} must be one of ${choices.join(', ')}; got "${text}"`);
    return found;
  }

  /** A duration given in whole seconds, as HTTP headers such as Access-Control-Max-Age want it. */
  wholeSeconds(name: string, fallback: string): number {
    const ms = this.duration(name, fallback);
    if (ms % 1000 !== 0) throw new ConfigError(`${name} must be a whole number of seconds, like 600s or 2h; got "${this.raw(name)}"`);
    return ms / 1000;
  }

  /** A comma-separated list of http(s) URLs with no credentials, query or fragment; none when unset. */
  urlPrefixes(name: string): readonly string[] {
    const text = this.raw(name);
    if (text === undefined) return [];
    return text.split(',').map((item) => {
      const prefix = item.trim();
      const parsed = httpUrl(prefix);
      if (parsed && (parsed.username || parsed.password)) {
        // Not echoed: the value holds a credential.
        throw new ConfigError(`${name} must not carry credentials in its URLs (user:password@)`);
      }
      if (!parsed || parsed.search || parsed.hash) {
        throw new ConfigError(
          `${name} must be a comma-separated list of http(s) URLs with no query, like http://router:4000/callback; got "${prefix}"`,
        );
      }
      return parsed.href;
    });
  }

  /** `*`, or a comma-separated list of origins (scheme, host and port, as the Origin header spells them). */
  origins(name: string, fallback: '*' | readonly string[]): '*' | readonly string[] {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (text === '*') return '*';
    return text.split(',').map((item) => {
      const origin = item.trim();
      const parsed = httpUrl(origin);
      if (!parsed || parsed.origin !== origin) {
        const hint = parsed ? ` (did you mean "${parsed.origin}"?)` : '';
        throw new ConfigError(
          `${name} must be "*" or a comma-separated list of origins like https://app.example.com,http://localhost:5173; got "${origin}"${hint}`,
        );
      }
      return origin;
    });
  }

  url(name: string, protocols: readonly string[] = ['http:', 'https:']): string | null {
    const text = this.raw(name);
    if (text === undefined) return null;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      // Without its user:password, should it have one (REDIS_URL's password).
      throw new ConfigError(`${name} must be a URL like ${protocols[0]}//host:port; got "${text.replace(/\/\/[^/]*@/, '//…@')}"`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(`${name} must use ${protocols.join(' or ')}; got "${url.protocol}"`);
    }
    return text.replace(/\/+$/, '');
  }
}

/** The text as an http(s) URL; null when it is not one. */
function httpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
