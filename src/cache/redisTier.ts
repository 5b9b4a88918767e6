import { randomBytes } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { CallPack, PackFormatError } from '../pack/callPack.js';
import { TRACING_OFF, type Telemetry } from '../tracing/telemetry.js';

export interface RedisTierOptions {
  /** redis:// or rediss:// URL (REDIS_URL). */
  readonly url: string;
  /** Every command fails after this long (REDIS_TIMEOUT): a hung Redis costs a query this much, once. */
  readonly commandTimeoutMs: number;
  /** How long a replica's claim on a cold bucket lasts (REDIS_LEASE_TTL): others wait at most this long for it. */
  readonly leaseTtlMs: number;
  readonly logger: Logger;
  /** A CLIENT span per round trip inside a traced operation; default off. */
  readonly telemetry?: Telemetry;
}

export interface RedisEntry {
  readonly pack: CallPack;
  /** What is left of the entry's TTL in Redis, so the memory tier keeps it no longer. */
  readonly ttlMs: number;
}

/** A bucket after trying to lease it: this replica fetches it, another one is fetching it, or it is in Redis already. */
export type LeaseOutcome = 'ours' | 'theirs' | 'ready';

/** A bucket after waiting for another replica: its value, or gone (that replica gave up or its lease ran out). */
export type AwaitedBucket = RedisEntry | 'abandoned';

// v3: the packs' format (callPack.ts, magic LDP3). Packs of another format live under other keys, so a
// replica of another version finds a miss there, never a value it cannot read; they expire with their TTLs.
const KEY_PREFIX = 'livedeflect:v3:';
const LEASE_PREFIX = 'livedeflect:v3:lease:';
/** A sorted set: one member per CACHE_KEY_SECRET in use (a hash of it), scored by when a replica last started with it. */
const SECRETS_KEY = 'livedeflect:v1:secrets';
/** A secret no replica started with for this long is taken to be out of use. */
const SECRET_SEEN_MS = 7 * 24 * 3_600_000;
const WARN_EVERY_MS = 10_000;
const READY_WAIT_MS = 2_000;
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 100;
/** A day of one-hour buckets: one reply stays a few MB on a busy site. */
const KEYS_PER_READ = 24;

// KEYS: (value, lease) pairs; ARGV: token, lease ms. Atomic, so two replicas asking for the same
// window at once never split it: one leases every bucket, the other none. A value already there
// wins over a lease, which closes the gap between a replica's miss and another's release.
const LEASE_SCRIPT = `
local outcomes = {}
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    outcomes[#outcomes + 1] = 2
  elseif redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    outcomes[#outcomes + 1] = 1
  else
    outcomes[#outcomes + 1] = 0
  end
end
return outcomes`;

// KEYS: leases; ARGV: token. Only our own leases: one that ran out may belong to another replica now.
const RELEASE_SCRIPT = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 0`;

/**
 * The shared tier: CallPacks in Redis, so replicas share settled history and a replica that restarts
 * starts warm. Values are the packs' bytes with a TTL in Redis (PX).
 *
 * Redis is an optimisation, never a dependency: every command has a timeout, nothing is queued while
 * the connection is down, and any failure is a warning in the log (at most one per 10 s) and a miss.
 *
 * Cold fetches are coalesced across replicas with leases: before fetching a bucket a replica sets
 * `lease:<key>` NX with a short expiry; a replica that finds the lease taken waits (polling, bounded
 * by the lease and the operation's deadline) for the value to appear, and fetches the bucket itself
 * if the holder releases it without a value or the lease runs out.
 */
export class RedisTier {
  private readonly redis: Redis;
  private readonly token = randomBytes(12).toString('base64url');
  private lastWarning = 0;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: RedisTierOptions) {
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      // Commands while disconnected fail at once instead of queueing behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
      // Keep reconnecting in the background; queries meanwhile go without the tier.
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    });
    this.redis.on('error', (error: Error) => this.failed(error, 'connection'));
    this.redis.on('ready', () => {
      if (this.failures > 0) options.logger.info({ url: redactedUrl(options.url) }, 'Redis cache tier is back');
      this.failures = 0;
    });
  }

  /** Connects, waiting a little for Redis; a Redis that is down is only a warning, the tier retries behind. */
  async connect(): Promise<void> {
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, READY_WAIT_MS).unref());
    await Promise.race([this.redis.connect().catch((error: Error) => this.failed(error, 'connect')), timeout]);
  }

  /** Whether commands can be sent now; when false every call below is an immediate miss. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /**
   * The packs under these keys, null where Redis has none (or can't be asked). Read a window's worth
   * of keys at a time: a 31-day range is ~50 MB of packs, too much for one reply and one timeout.
   */
  async get(keys: readonly string[]): Promise<(RedisEntry | null)[]> {
    const entries: (RedisEntry | null)[] = [];
    for (let at = 0; at < keys.length; at += KEYS_PER_READ) {
      const group = keys.slice(at, at + KEYS_PER_READ);
      if (!this.ready) {
        entries.push(...group.map(() => null));
        continue;
      }
      try {
        const pipeline = this.redis.pipeline().mgetBuffer(group.map(valueKey));
        for (const key of group) pipeline.pttl(valueKey(key));
        const replies = await this.traced('MGET', group.length, () => pipeline.exec());
        const values = replyOf<(Buffer | null)[]>(replies, 0);
        entries.push(...group.map((key, index) => this.entryOf(key, values[index] ?? null, replyOf<number>(replies, index + 1))));
      } catch (error) {
        this.failed(error, 'get');
        entries.push(...group.map(() => null));
      }
    }
    return entries;
  }

  /** Stores packs with their TTLs; a failure is logged and otherwise ignored. */
  async set(entries: readonly { key: string; pack: CallPack; ttlMs: number }[]): Promise<void> {
    if (entries.length === 0 || !this.ready) return;
    try {
      const pipeline = this.redis.pipeline();
      for (const { key, pack, ttlMs } of entries) pipeline.set(valueKey(key), pack.data, 'PX', Math.max(1, Math.round(ttlMs)));
      failedReply(await this.traced('SET', entries.length, () => pipeline.exec()));
    } catch (error) {
      this.failed(error, 'set');
    }
  }

  /** Tries to lease these buckets for this replica; null when Redis can't be asked (then nobody coalesces). */
  async lease(keys: readonly string[]): Promise<LeaseOutcome[] | null> {
    if (keys.length === 0) return [];
    if (!this.ready) return null;
    try {
      const pairs = keys.flatMap((key) => [valueKey(key), leaseKey(key)]);
      const outcomes = (await this.traced('EVAL', keys.length, () =>
        this.redis.eval(LEASE_SCRIPT, pairs.length, ...pairs, this.token, this.options.leaseTtlMs),
      )) as number[];
      return outcomes.map((outcome) => (outcome === 2 ? 'ready' : outcome === 1 ? 'ours' : 'theirs'));
    } catch (error) {
      this.failed(error, 'lease');
      return null;
    }
  }

  /**
   * Records that a replica uses the secret behind `marker` (a hash of it), and says how many different
   * secrets replicas on this Redis started with lately: more than one means some replicas share nothing.
   * Null when Redis can't be asked.
   */
  async secretsInUse(marker: string): Promise<number | null> {
    if (!this.ready) return null;
    try {
      const now = Date.now();
      const replies = await this.redis
        .multi()
        .zadd(SECRETS_KEY, now, marker)
        .zremrangebyscore(SECRETS_KEY, '-inf', now - SECRET_SEEN_MS)
        .pexpire(SECRETS_KEY, SECRET_SEEN_MS)
        .zcard(SECRETS_KEY)
        .exec();
      return replyOf<number>(replies, 3);
    } catch (error) {
      this.failed(error, 'secrets');
      return null;
    }
  }

  /** Gives up this replica's leases, after the values are stored (or the fetch failed). */
  async release(keys: readonly string[]): Promise<void> {
    if (keys.length === 0 || !this.ready) return;
    try {
      await this.traced('EVAL', keys.length, () => this.redis.eval(RELEASE_SCRIPT, keys.length, ...keys.map(leaseKey), this.token));
    } catch (error) {
      this.failed(error, 'release');
    }
  }

  /**
   * Waits for buckets another replica leased. Each ends with its value or 'abandoned' (the lease is
   * gone without a value, Redis failed, or `until` passed): the caller then fetches those itself.
   */
  async waitFor(keys: readonly string[], until: number): Promise<Map<string, AwaitedBucket>> {
    const outcomes = new Map<string, AwaitedBucket>();
    let waiting = [...keys];
    let pause = POLL_FIRST_MS;
    while (waiting.length > 0 && this.ready && !this.closed) {
      const delay = Math.min(pause, until - Date.now());
      if (delay <= 0) break;
      await sleep(delay);
      pause = Math.min(POLL_MAX_MS, pause * 1.5);
      try {
        // Leases first, then values: a lease seen gone was released after its value was stored.
        const leases = await this.traced('MGET', waiting.length, () => this.redis.mget(waiting.map(leaseKey)));
        const entries = await this.get(waiting);
        waiting = waiting.filter((key, index) => {
          const entry = entries[index];
          if (entry) outcomes.set(key, entry);
          else if (leases[index] === null) outcomes.set(key, 'abandoned');
          return !outcomes.has(key);
        });
      } catch (error) {
        this.failed(error, 'await');
        break;
      }
    }
    for (const key of waiting) outcomes.set(key, 'abandoned');
    return outcomes;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.redis.status === 'end') return;
    await Promise.race([this.redis.quit().catch(() => undefined), sleep(this.options.commandTimeoutMs)]);
    this.redis.disconnect();
  }

  /**
   * One round trip, with a CLIENT span (database conventions: system, operation, batch size; never the
   * keys, which hold credential fingerprints) when it runs inside a traced operation: the bucket store
   * makes the operation's span the active one while it fills buckets.
   */
  private async traced<T>(operation: string, keys: number, run: () => Promise<T>): Promise<T> {
    const telemetry = this.options.telemetry ?? TRACING_OFF;
    const parent = context.active();
    if (!telemetry.enabled || !trace.getSpan(parent)) return run();
    const span = telemetry.tracer.startSpan(
      operation,
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': operation, 'db.operation.batch.size': keys } },
      parent,
    );
    try {
      return await run();
    } catch (error) {
      span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }

  private entryOf(key: string, value: Buffer | null, ttlMs: number): RedisEntry | null {
    if (value === null) return null;
    try {
      // A key without an expiry (-1) was not written by this tier; keep it briefly rather than forever.
      return { pack: CallPack.verified(value), ttlMs: ttlMs > 0 ? ttlMs : 1_000 };
    } catch (error) {
      if (!(error instanceof PackFormatError)) throw error;
      this.options.logger.warn({ key: valueKey(key), reason: error.message }, 'Redis holds a value this gateway cannot read: treated as a miss');
      return null;
    }
  }

  /** One warning per WARN_EVERY_MS while Redis is failing, with how many failures it stands for. */
  private failed(error: unknown, during: string): void {
    if (this.closed) return;
    this.failures++;
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.options.logger.warn(
      { url: redactedUrl(this.options.url), during, failures: this.failures, reason: (error as Error)?.message ?? String(error) },
      'Redis cache tier unavailable: treating it as a miss (queries go on without it)',
    );
  }
}

function valueKey(key: string): string {
  return `${KEY_PREFIX}${key}`;
}

function leaseKey(key: string): string {
  return `${LEASE_PREFIX}${key}`;
}

type PipelineReplies = [error: Error | null, result: unknown][] | null;

function replyOf<T>(replies: PipelineReplies, index: number): T {
  const reply = replies?.[index];
  if (!reply) throw new Error('Redis pipeline ended without a reply');
  if (reply[0]) throw reply[0];
  return reply[1] as T;
}

function failedReply(replies: PipelineReplies): void {
  for (const [error] of replies ?? []) if (error) throw error;
}

/** A Redis URL may carry a password: the log gets host and port only. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
