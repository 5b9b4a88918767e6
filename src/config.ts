import { availableParallelism } from 'node:os';
import { formatDuration, parseDuration } from './duration.js';

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
  readonly maxRangeMs: number;
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
  /** Keep whole answers over settled history in memory, per credential (Apollo's response cache). */
  readonly responseCache: boolean;
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
  readonly allowBatchedRequests: boolean;
  readonly shutdownTimeoutMs: number;
  readonly simulatorSeed: string;
  readonly exampleSiteId: string;
  readonly recordDir: string | null;
  /** Mask phone numbers and callerInfo values in recordings, as MASK_PII does in responses. */
  readonly recordMaskPii: boolean;
  readonly replayDir: string | null;
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
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
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
    maxRangeMs,
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
    allowBatchedRequests: read.boolean('ALLOW_BATCHED_REQUESTS', false),
    shutdownTimeoutMs: read.duration('SHUTDOWN_TIMEOUT', '25s'),
    simulatorSeed: read.string('SIMULATOR_SEED', 'livedeflect'),
    exampleSiteId: read.string('EXAMPLE_SITE_ID', '25508804'),
    recordDir: read.optionalString('LIVEDEFLECT_RECORD'),
    recordMaskPii: read.boolean('LIVEDEFLECT_RECORD_MASK_PII', false),
    replayDir: read.optionalString('LIVEDEFLECT_REPLAY'),
    livePollIntervalMs: read.duration('LIVE_POLL_INTERVAL', '10s'),
    liveLookbackMs: read.duration('LIVE_LOOKBACK', String(cacheSettleAfterMs)),
    maxSubscriptions: read.integer('MAX_SUBSCRIPTIONS', 10_000, 0, 1_000_000),
    maxSubscriptionsPerConnection: read.integer('MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 10_000),
    liveSendBuffer: read.integer('LIVE_SEND_BUFFER', 256, 1, 100_000),
    liveKeepAliveMs: read.duration('LIVE_KEEPALIVE', '12s'),
  };
  if (config.recordDir && !config.upstreamUrl) {
    throw new ConfigError('LIVEDEFLECT_RECORD records a real upstream: set LIVEDEFLECT_URL too');
  }
  if (config.replayDir && config.upstreamUrl) {
    throw new ConfigError('LIVEDEFLECT_REPLAY serves recordings from the embedded simulator: unset LIVEDEFLECT_URL');
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

  duration(name: string, fallback: string): number {
    const text = this.raw(name) ?? fallback;
    const value = parseDuration(text);
    if (value === null || value <= 0) {
      throw new ConfigError(`${name} must be a positive duration like 500ms, 15s, 2h, 31d or plain milliseconds; got "${text}"`);
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

  url(name: string, protocols: readonly string[] = ['http:', 'https:']): string | null {
    const text = this.raw(name);
    if (text === undefined) return null;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(`${name} must be a URL like ${protocols[0]}//host:port; got "${text}"`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(`${name} must use ${protocols.join(' or ')}; got "${url.protocol}"`);
    }
    return text.replace(/\/+$/, '');
  }
}
