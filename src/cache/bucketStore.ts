import { context, type Attributes } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { isSettledBucket, windowsForBuckets, type Window } from '../model/buckets.js';
import type { CallList } from '../model/call.js';
import type { OperationContext, Scope } from '../model/operation.js';
import type { CallPack } from '../pack/callPack.js';
import { addSpanEvent } from '../tracing/spanEvents.js';
import type { LiveDeflectClient } from '../upstream/client.js';
import { operationOutOfTime } from '../upstream/errors.js';
import type { MemoryTier } from './memoryTier.js';
import type { RedisEntry, RedisTier } from './redisTier.js';
import { Semaphore } from './semaphore.js';

export interface BucketStoreOptions {
  readonly client: LiveDeflectClient;
  /** Part of every key: the same site on two upstreams is two sites. */
  readonly upstreamUrl: string;
  readonly bucketSizeMs: number;
  readonly maxWindowMs: number;
  readonly concurrency: number;
  readonly memory: MemoryTier | null;
  /** The shared tier (REDIS_URL); null without one. */
  readonly redis?: RedisTier | null;
  readonly settleAfterMs: number;
  readonly recentTtlMs: number;
  readonly settledTtlMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export type BucketResult = CallList | Error;

interface PendingBucket {
  readonly bucket: number;
  readonly key: string;
  readonly promise: Promise<CallPack>;
  resolve(pack: CallPack): void;
  reject(error: Error): void;
}

/**
 * Answers "the calls that began in these buckets" from the cache tiers or, for the buckets no tier
 * has, from the fewest upstream windows that cover them.
 *
 * A bucket being looked up or fetched for one operation is joined by every other operation that
 * needs it, from the moment the first one misses in memory: many clients opening the same dashboard
 * at once cost the upstream one request per window. With Redis, replicas do the same among
 * themselves through leases (redisTier.ts).
 */
export class BucketStore {
  private readonly inflight = new Map<string, Promise<CallPack>>();
  private readonly semaphore: Semaphore;
  private readonly now: () => number;
  private readonly redis: RedisTier | null;

  constructor(private readonly options: BucketStoreOptions) {
    this.semaphore = new Semaphore(options.concurrency);
    this.now = options.now ?? Date.now;
    this.redis = options.redis ?? null;
  }

  /**
   * The buckets' calls, in the order asked, when the memory tier holds every one of them: read at once,
   * with no promise, so a warm operation's fields resolve in the tick that asks (src/loaders/callsLoader.ts).
   * Null, with nothing counted, when any is missing: loadBuckets then looks for all of them.
   */
  peekBuckets(scope: Scope, siteId: string, buckets: readonly number[], operation: OperationContext): CallList[] | null {
    const { memory } = this.options;
    if (!memory) return null;
    const calls: CallList[] = [];
    for (const bucket of buckets) {
      const cached = memory.get(this.key(scope, siteId, bucket));
      if (!cached) return null;
      calls.push(cached.calls());
    }
    operation.cost.cache.memory.hits += buckets.length;
    addSpanEvent(operation.traceContext, 'livedeflect.cache.lookup', () => memoryLookup(siteId, buckets.length, 0, 0));
    return calls;
  }

  async loadBuckets(scope: Scope, siteId: string, buckets: readonly number[], operation: OperationContext): Promise<Map<number, BucketResult>> {
    const { cost } = operation;
    const results = new Map<number, BucketResult>();
    const waits: Promise<void>[] = [];
    const missing: PendingBucket[] = [];
    const before = { hits: cost.cache.memory.hits, misses: cost.cache.memory.misses, shared: cost.cache.shared };
    const settle = (bucket: number, promise: Promise<CallPack>): void => {
      waits.push(
        promise.then(
          (pack) => void results.set(bucket, pack.calls()),
          (error: unknown) => void results.set(bucket, asError(error)),
        ),
      );
    };
    for (const bucket of new Set(buckets)) {
      const key = this.key(scope, siteId, bucket);
      const cached = this.options.memory?.get(key);
      if (cached) {
        cost.cache.memory.hits++;
        results.set(bucket, cached.calls());
        continue;
      }
      if (this.options.memory) cost.cache.memory.misses++;
      const shared = this.inflight.get(key);
      if (shared) {
        cost.cache.shared++;
        settle(bucket, shared);
        continue;
      }
      const pending = this.pending(bucket, key);
      missing.push(pending);
      settle(bucket, pending.promise);
    }
    addSpanEvent(operation.traceContext, 'livedeflect.cache.lookup', () =>
      memoryLookup(siteId, cost.cache.memory.hits - before.hits, cost.cache.memory.misses - before.misses, cost.cache.shared - before.shared),
    );
    if (missing.length > 0) {
      // The operation's span is the active one while buckets are filled, so Redis round trips are its children.
      const fill = () => this.fill(scope, siteId, missing, operation);
      void (operation.traceContext ? context.with(operation.traceContext, fill) : fill());
    }
    await Promise.all(waits);
    return results;
  }

  /**
   * Live polling: reads the buckets from the upstream whatever the tiers hold, however fresh, and stores
   * what it read in every tier, so each poll also refreshes the recent buckets queries read. Operations
   * that miss on these buckets meanwhile join this fetch instead of sending their own.
   */
  async refreshBuckets(scope: Scope, siteId: string, buckets: readonly number[], operation: OperationContext): Promise<Map<number, BucketResult>> {
    const pending = [...new Set(buckets)].map((bucket) => this.pending(bucket, this.key(scope, siteId, bucket)));
    await this.fetch(scope, siteId, pending, operation, false);
    const results = new Map<number, BucketResult>();
    for (const { bucket, promise } of pending) {
      results.set(bucket, await promise.then((pack) => pack.calls(), asError));
    }
    return results;
  }

  /** Registers a bucket as in flight at once, before any await, so a concurrent operation joins it. */
  private pending(bucket: number, key: string): PendingBucket {
    let resolve!: (pack: CallPack) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<CallPack>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Rejections are observed by whoever awaits the bucket; this keeps an unawaited one quiet.
    promise
      .catch(() => undefined)
      .finally(() => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, promise);
    return { bucket, key, promise, resolve, reject };
  }

  /** Settles every pending bucket: from Redis, from another replica's fetch, or from the upstream. Never rejects. */
  private async fill(scope: Scope, siteId: string, buckets: PendingBucket[], operation: OperationContext): Promise<void> {
    try {
      if (!this.redis) {
        await this.fetch(scope, siteId, buckets, operation, false);
        return;
      }
      const misses = await this.fromRedis(siteId, buckets, operation);
      const outcomes = await this.redis.lease(misses.map(({ key }) => key));
      if (outcomes === null) {
        await this.fetch(scope, siteId, misses, operation, false);
        return;
      }
      const ours = misses.filter((_, index) => outcomes[index] === 'ours');
      const theirs = misses.filter((_, index) => outcomes[index] === 'theirs');
      const ready = misses.filter((_, index) => outcomes[index] === 'ready');
      await Promise.all([
        this.fetch(scope, siteId, ours, operation, true),
        this.awaitOthers(scope, siteId, theirs, operation),
        // Stored between our miss and our lease: read it (and fetch it after all if it vanished since).
        this.fromRedis(siteId, ready, operation).then((gone) => this.fetch(scope, siteId, gone, operation, false)),
      ]);
    } catch (error) {
      for (const bucket of buckets) bucket.reject(asError(error));
    }
  }

  /** Resolves the buckets Redis has; returns the others. */
  private async fromRedis(siteId: string, buckets: PendingBucket[], operation: OperationContext): Promise<PendingBucket[]> {
    if (buckets.length === 0 || !this.redis) return buckets;
    const started = Date.now();
    const entries = await this.redis.get(buckets.map(({ key }) => key));
    const misses: PendingBucket[] = [];
    buckets.forEach((bucket, index) => {
      const entry = this.readBack(siteId, bucket, entries[index] ?? null);
      if (!entry) {
        operation.cost.cache.redis.misses++;
        misses.push(bucket);
        return;
      }
      operation.cost.cache.redis.hits++;
      this.options.memory?.set(bucket.key, entry.pack, Math.min(entry.ttlMs, this.ttlFor(bucket.bucket)));
      bucket.resolve(entry.pack);
    });
    addSpanEvent(operation.traceContext, 'livedeflect.cache.lookup', () => ({
      'livedeflect.cache.tier': 'redis',
      'livedeflect.cache.hits': buckets.length - misses.length,
      'livedeflect.cache.misses': misses.length,
      'livedeflect.cache.redis.duration_ms': Date.now() - started,
    }));
    return misses;
  }

  /** Waits for buckets another replica is fetching; fetches those it gives up on. */
  private async awaitOthers(scope: Scope, siteId: string, buckets: PendingBucket[], operation: OperationContext): Promise<void> {
    if (buckets.length === 0 || !this.redis) return;
    const started = Date.now();
    operation.cost.cache.redis.waited += buckets.length;
    const outcomes = await this.redis.waitFor(
      buckets.map(({ key }) => key),
      operation.deadline,
    );
    operation.cost.cache.redis.waitMs += Date.now() - started;
    addSpanEvent(operation.traceContext, 'livedeflect.cache.replica_wait', () => ({
      'livedeflect.cache.waited': buckets.length,
      'livedeflect.cache.redis.wait_ms': Date.now() - started,
    }));
    const abandoned: PendingBucket[] = [];
    for (const bucket of buckets) {
      const awaited = outcomes.get(bucket.key);
      const outcome = awaited === 'abandoned' ? awaited : this.readBack(siteId, bucket, awaited ?? null);
      if (!outcome || outcome === 'abandoned') {
        abandoned.push(bucket);
        continue;
      }
      operation.cost.cache.redis.hits++;
      this.options.memory?.set(bucket.key, outcome.pack, Math.min(outcome.ttlMs, this.ttlFor(bucket.bucket)));
      bucket.resolve(outcome.pack);
    }
    await this.fetch(scope, siteId, abandoned, operation, false);
  }

  /**
   * Fetches the buckets in the fewest windows, at most `concurrency` upstream requests at once across
   * all operations. Buckets of a window that nobody asked for (bridged gaps) are cached too: the data
   * is already paid for. With `leased`, this replica's leases are released once the values are in
   * Redis (or the fetch failed), so replicas waiting on them move on.
   */
  private async fetch(scope: Scope, siteId: string, buckets: PendingBucket[], operation: OperationContext, leased: boolean): Promise<void> {
    if (buckets.length === 0) return;
    const byBucket = new Map(buckets.map((pending) => [pending.bucket, pending]));
    await Promise.all(
      windowsForBuckets(byBucket.keys(), this.options.bucketSizeMs, this.options.maxWindowMs).map(async (window) => {
        const asked = [...byBucket.values()].filter(({ bucket }) => bucket >= window.startTime && bucket < window.endTime);
        let settle: () => void;
        try {
          const packs = await this.fetchWindow(scope, siteId, window, operation);
          const entries = [...packs].map(([bucket, pack]) => ({ key: this.key(scope, siteId, bucket), pack, ttlMs: this.ttlFor(bucket) }));
          for (const { key, pack, ttlMs } of entries) this.options.memory?.set(key, pack, ttlMs);
          // Stored before the operation answers, so a replica asked next finds them.
          await this.redis?.set(entries);
          settle = () => asked.forEach((pending) => pending.resolve(packs.get(pending.bucket)!));
        } catch (error) {
          settle = () => asked.forEach((pending) => pending.reject(asError(error)));
        }
        // Released before the buckets are handed over: the release is then part of the operation (its
        // span ends inside the operation's), not a round trip still under way after the answer. release()
        // does not throw: a failed release is logged, and the lease runs out.
        if (leased) await this.redis?.release(asked.map(({ key }) => key));
        settle();
      }),
    );
  }

  /** One upstream request for a window: the decoder has already filed its calls into one pack per bucket. */
  private async fetchWindow(scope: Scope, siteId: string, window: Window, operation: OperationContext): Promise<ReadonlyMap<number, CallPack>> {
    const fetched = await this.semaphore.run(
      () => {
        operation.cost.windowsFetched++;
        return this.options.client.fetchWindow({
          siteId,
          startTime: window.startTime,
          endTime: window.endTime,
          authorization: scope.authorization,
          deadline: operation.deadline,
          signal: operation.signal,
          requestId: operation.requestId,
          ...(operation.traceContext ? { traceContext: operation.traceContext } : {}),
          onAttempt: (attempt) => {
            operation.cost.upstreamRequests++;
            if (attempt.retryInMs !== null) {
              operation.cost.retries++;
              operation.cost.retryWaitMs += attempt.retryInMs;
            }
          },
        });
      },
      operation.signal,
      () => operationOutOfTime(this.options.client.timeoutMs),
    );
    if (fetched.outsideWindow > 0 || fetched.issues.length > 0) {
      operation.cost.callsOutsideWindow += fetched.outsideWindow;
      this.options.logger.warn(
        { requestId: operation.requestId, siteId, ...window, outsideWindow: fetched.outsideWindow, issues: fetched.issues.slice(0, 20) },
        'upstream window needed repair: calls outside the window were dropped or events skipped',
      );
    }
    return fetched.packs;
  }

  /**
   * A value read from Redis, if it is what its key says: the pack must name the key's site and bucket.
   * Redis is shared (other replicas, other tools, whoever can reach it): a value copied under another
   * key (another site's calls under this credential's key) is a miss and a warning, never served.
   */
  private readBack(siteId: string, pending: PendingBucket, entry: RedisEntry | null): RedisEntry | null {
    if (!entry || (entry.pack.siteId === siteId && entry.pack.bucket === pending.bucket)) return entry;
    this.options.logger.warn(
      { siteId, bucket: pending.bucket },
      'Redis holds a value under this key that names another site or bucket: treated as a miss',
    );
    return null;
  }

  /** Settled history rarely changes; a recent bucket still gains calls and events, so it lives briefly. */
  private ttlFor(bucket: number): number {
    const settled = isSettledBucket(bucket, this.options.bucketSizeMs, this.options.settleAfterMs, this.now());
    return settled ? this.options.settledTtlMs : this.options.recentTtlMs;
  }

  private key(scope: Scope, siteId: string, bucket: number): string {
    return `${scope.fingerprint}|${this.options.upstreamUrl}|${siteId}|${this.options.bucketSizeMs}|${bucket}`;
  }
}

/** The span event of a memory-tier lookup; `shared`: buckets another operation was already loading, which this one waits for. */
function memoryLookup(siteId: string, hits: number, misses: number, shared: number): Attributes {
  return {
    'livedeflect.site_id': siteId,
    'livedeflect.cache.tier': 'memory',
    'livedeflect.cache.hits': hits,
    'livedeflect.cache.misses': misses,
    'livedeflect.cache.shared': shared,
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
