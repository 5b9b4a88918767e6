import { randomUUID } from 'node:crypto';
import type { BucketResult, OperationContext, Scope } from '../cache/bucketStore.js';
import { emptyOperationCost } from '../cache/operationCost.js';
import { bucketsForRange } from '../loaders/buckets.js';
import { callsInRange } from '../loaders/callsInRange.js';
import type { Logger } from '../logger.js';
import type { CallModel } from '../model/call.js';
import { callVersion } from '../model/callUpdate.js';
import { isUpstreamError } from '../upstream/errors.js';

/** What a poller needs of the bucket store: an upstream read that skips the cache tiers and refills them. */
export interface RecentBuckets {
  refreshBuckets(
    scope: Scope,
    siteId: string,
    buckets: readonly number[],
    operation: OperationContext,
  ): Promise<Map<number, BucketResult>>;
}

/** What a poller tells each of its listeners. Called synchronously, in poll order. */
export interface SiteFeedListener {
  /** The calls of the lookback as the feed first saw them (once per listener, before any changes). */
  baseline(calls: readonly CallModel[], at: number): void;
  /** Calls that are new or gained events since the previous poll, in (beginTime, callId) order. */
  changes(calls: readonly CallModel[], at: number): void;
  /** A failed poll. `final`: the credential may not read the site (UNAUTHENTICATED, FORBIDDEN); nothing follows. */
  error(error: Error, final: boolean): void;
  /** The gateway is shutting down: complete the subscription. */
  end(): void;
}

export interface SitePollerOptions {
  readonly store: RecentBuckets;
  readonly scope: Scope;
  readonly siteId: string;
  readonly intervalMs: number;
  readonly lookbackMs: number;
  readonly bucketSizeMs: number;
  readonly deadlineMs: number;
  readonly logger: Logger;
  readonly now: () => number;
  /** Every poll, for metrics and the replica that publishes what it read. */
  readonly onPoll?: (result: 'ok' | 'error') => void;
}

/** Transient failures back off from one interval, doubling, to at most this many intervals. */
const MAX_BACKOFF_INTERVALS = 8;

/**
 * One poller per (credential, site): every interval it reads the last `lookbackMs` from the upstream
 * through the bucket store and compares each call with the version it saw last. The first poll is a
 * baseline (nothing is "new" to a poller that just started); later polls hand their differences to
 * every listener. Calls that fall out of the lookback are forgotten, so its memory is one lookback of
 * calls whatever the poller's age.
 */
export class SitePoller {
  private readonly listeners = new Set<SiteFeedListener>();
  private versions: Map<string, string> | null = null;
  private snapshot: readonly CallModel[] = [];
  private snapshotAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failures = 0;

  constructor(private readonly options: SitePollerOptions) {}

  /** Whether the baseline poll has answered. */
  get hasBaseline(): boolean {
    return this.versions !== null;
  }

  /** Stopped by stop() or by a final error: a new subscriber needs a new poller. */
  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule(0);
  }

  /** Adds a listener; it gets the baseline at once when there is one, else with the first poll. */
  add(listener: SiteFeedListener): void {
    this.listeners.add(listener);
    if (this.versions !== null) listener.baseline(this.snapshot, this.snapshotAt);
  }

  remove(listener: SiteFeedListener): void {
    this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delayMs);
    this.timer.unref();
  }

  /** Never rejects: a failure goes to the listeners and the next poll is scheduled. */
  private async poll(): Promise<void> {
    const { store, scope, siteId, lookbackMs, bucketSizeMs, now } = this.options;
    const from = now() - lookbackMs;
    // Up to and including the current bucket: a call that began a moment ago is in it.
    const to = now() + 1;
    const operation = { cost: emptyOperationCost(), deadline: now() + this.options.deadlineMs, requestId: `live-${randomUUID()}` };
    let calls: CallModel[];
    try {
      const buckets = await store.refreshBuckets(scope, siteId, bucketsForRange(from, to, bucketSizeMs), operation);
      const lists: (readonly CallModel[])[] = [];
      for (const result of buckets.values()) {
        if (result instanceof Error) throw result;
        lists.push(result);
      }
      calls = callsInRange(lists, from, to);
    } catch (error) {
      if (!this.stopped) this.failed(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.stopped) return;
    this.options.onPoll?.('ok');
    this.failures = 0;
    this.read(calls, now());
    this.schedule(this.options.intervalMs);
  }

  private read(calls: readonly CallModel[], at: number): void {
    const versions = new Map<string, string>();
    const changed: CallModel[] = [];
    for (const call of calls) {
      const version = callVersion(call);
      versions.set(call.callId, version);
      if (this.versions !== null && this.versions.get(call.callId) !== version) changed.push(call);
    }
    const first = this.versions === null;
    this.versions = versions;
    this.snapshot = calls;
    this.snapshotAt = at;
    for (const listener of [...this.listeners]) {
      if (first) listener.baseline(calls, at);
      else if (changed.length > 0) listener.changes(changed, at);
    }
  }

  private failed(error: Error): void {
    this.options.onPoll?.('error');
    const final = isUpstreamError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
    // Reported once per outage: a subscriber learns the feed is failing, not every retry of it.
    const report = final || this.failures === 0;
    this.failures++;
    if (!isUpstreamError(error)) this.options.logger.error({ err: error, siteId: this.options.siteId }, 'live poll failed');
    if (report) for (const listener of [...this.listeners]) listener.error(error, final);
    if (final) {
      this.stop();
      return;
    }
    const { intervalMs } = this.options;
    this.schedule(intervalMs * Math.min(2 ** (this.failures - 1), MAX_BACKOFF_INTERVALS));
  }
}
