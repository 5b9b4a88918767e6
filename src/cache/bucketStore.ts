import { bucketStart, windowsForBuckets, type Window } from '../loaders/buckets.js';
import type { Logger } from '../logger.js';
import type { CallModel } from '../model/call.js';
import type { LiveDeflectClient } from '../upstream/client.js';
import type { MemoryTier } from './memoryTier.js';
import type { OperationCost } from './operationCost.js';
import { Semaphore } from './semaphore.js';

/** Whose data: the credential sent upstream and its fingerprint, which keys every cache entry. */
export interface Scope {
  readonly authorization: string;
  readonly fingerprint: string;
}

/** The operation asking: where its cost is counted and when it must give up. */
export interface OperationContext {
  readonly cost: OperationCost;
  readonly deadline: number;
  readonly requestId: string;
}

export interface BucketStoreOptions {
  readonly client: LiveDeflectClient;
  /** Part of every key: the same site on two upstreams is two sites. */
  readonly upstreamUrl: string;
  readonly bucketSizeMs: number;
  readonly maxWindowMs: number;
  readonly concurrency: number;
  readonly memory: MemoryTier | null;
  readonly settleAfterMs: number;
  readonly recentTtlMs: number;
  readonly settledTtlMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export type BucketResult = readonly CallModel[] | Error;

/**
 * Answers "the calls that began in these buckets" from the cache tiers or, for the buckets no tier
 * has, from the fewest upstream windows that cover them. A bucket that another operation is already
 * fetching is joined, not fetched again: many clients opening the same dashboard at once cost the
 * upstream one request per window.
 */
export class BucketStore {
  private readonly inflight = new Map<string, Promise<readonly CallModel[]>>();
  private readonly semaphore: Semaphore;
  private readonly now: () => number;

  constructor(private readonly options: BucketStoreOptions) {
    this.semaphore = new Semaphore(options.concurrency);
    this.now = options.now ?? Date.now;
  }

  async loadBuckets(scope: Scope, siteId: string, buckets: readonly number[], operation: OperationContext): Promise<Map<number, BucketResult>> {
    const results = new Map<number, BucketResult>();
    const pending = new Map<number, Promise<readonly CallModel[]>>();
    const missing: number[] = [];
    for (const bucket of new Set(buckets)) {
      const key = this.key(scope, siteId, bucket);
      const cached = this.options.memory?.get(key);
      if (cached) {
        operation.cost.cache.memory.hits++;
        results.set(bucket, cached);
        continue;
      }
      if (this.options.memory) operation.cost.cache.memory.misses++;
      const shared = this.inflight.get(key);
      if (shared) {
        operation.cost.cache.shared++;
        pending.set(bucket, shared);
        continue;
      }
      missing.push(bucket);
    }
    for (const window of windowsForBuckets(missing, this.options.bucketSizeMs, this.options.maxWindowMs)) {
      const fetched = this.fetchWindow(scope, siteId, window, operation);
      for (const bucket of missing) {
        if (bucket >= window.startTime && bucket < window.endTime) pending.set(bucket, fetched.get(bucket)!);
      }
    }
    await Promise.all(
      [...pending].map(async ([bucket, promise]) => {
        results.set(bucket, await promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
      }),
    );
    return results;
  }

  /**
   * Starts one upstream request for a window and returns a promise per bucket in it, registered as
   * in-flight until it settles. Buckets of the window that nobody asked for (bridged gaps) are cached
   * too: the data is already paid for.
   */
  private fetchWindow(scope: Scope, siteId: string, window: Window, operation: OperationContext): Map<number, Promise<readonly CallModel[]>> {
    const { bucketSizeMs } = this.options;
    const response = this.semaphore.run(() => {
      operation.cost.windowsFetched++;
      return this.options.client.fetchWindow({
        siteId,
        startTime: window.startTime,
        endTime: window.endTime,
        authorization: scope.authorization,
        deadline: operation.deadline,
        requestId: operation.requestId,
        onAttempt: (attempt) => {
          operation.cost.upstreamRequests++;
          if (attempt.retryInMs !== null) {
            operation.cost.retries++;
            operation.cost.retryWaitMs += attempt.retryInMs;
          }
        },
      });
    });
    const split = response.then((fetched) => {
      if (fetched.outsideWindow > 0 || fetched.issues.length > 0) {
        operation.cost.callsOutsideWindow += fetched.outsideWindow;
        this.options.logger.warn(
          { requestId: operation.requestId, siteId, ...window, outsideWindow: fetched.outsideWindow, issues: fetched.issues.slice(0, 20) },
          'upstream window needed repair: calls outside the window were dropped or events skipped',
        );
      }
      const byBucket = new Map<number, CallModel[]>();
      for (let bucket = window.startTime; bucket < window.endTime; bucket += bucketSizeMs) byBucket.set(bucket, []);
      for (const call of fetched.calls) byBucket.get(bucketStart(call.beginTime, bucketSizeMs))?.push(call);
      for (const [bucket, calls] of byBucket) this.options.memory?.set(this.key(scope, siteId, bucket), calls, this.ttlFor(bucket));
      return byBucket;
    });
    const perBucket = new Map<number, Promise<readonly CallModel[]>>();
    for (let bucket = window.startTime; bucket < window.endTime; bucket += bucketSizeMs) {
      const key = this.key(scope, siteId, bucket);
      const promise = split.then((byBucket) => byBucket.get(bucket)!);
      // Rejections are observed by whoever awaits the bucket; this keeps an unasked gap bucket quiet.
      promise.catch(() => undefined).finally(() => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
      });
      this.inflight.set(key, promise);
      perBucket.set(bucket, promise);
    }
    return perBucket;
  }

  /** Settled history rarely changes; a recent bucket still gains calls and events, so it lives briefly. */
  private ttlFor(bucket: number): number {
    const settled = bucket + this.options.bucketSizeMs <= this.now() - this.options.settleAfterMs;
    return settled ? this.options.settledTtlMs : this.options.recentTtlMs;
  }

  private key(scope: Scope, siteId: string, bucket: number): string {
    return `${scope.fingerprint}|${this.options.upstreamUrl}|${siteId}|${this.options.bucketSizeMs}|${bucket}`;
  }
}
