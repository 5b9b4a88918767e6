import { randomUUID } from 'node:crypto';
import type { BucketResult } from '../cache/bucketStore.js';
import { bucketsForRange } from '../model/buckets.js';
import { emptyOperationCost, type OperationContext, type Scope } from '../model/operation.js';
import { callsInRange } from '../loaders/callsInRange.js';
import type { Logger } from '../logger.js';
import type { CallList, CallModel } from '../model/call.js';
import { callVersion } from '../model/callUpdate.js';
import { compareCalls } from '../model/order.js';
import { isUpstreamError, type UpstreamError } from '../upstream/errors.js';

/** What a poller needs of the bucket store: an upstream read that skips the cache tiers and refills them, and a cached read. */
export interface RecentBuckets {
  refreshBuckets(scope: Scope, siteId: string, buckets: readonly number[], operation: OperationContext): Promise<Map<number, BucketResult>>;
  loadBuckets(scope: Scope, siteId: string, buckets: readonly number[], operation: OperationContext): Promise<Map<number, BucketResult>>;
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

/** What the polling replica tells the others about a feed. */
export type FeedMessage =
  | { readonly kind: 'changes'; readonly calls: readonly CallModel[]; readonly at: number }
  | { readonly kind: 'error'; readonly error: UpstreamError; readonly final: boolean };

/**
 * How replicas share a feed (redisRelay.ts): one of them polls at a time, holding a lease, and publishes
 * what it read; the others hear it. Without one, every process polls its own feeds.
 */
export interface FeedRelay {
  /** Takes or renews this replica's lease on the feed. True when it is ours, or when Redis can't be asked (each replica then polls for itself). */
  claim(feed: string): Promise<boolean>;
  release(feed: string): Promise<void>;
  publish(feed: string, siteId: string, message: FeedMessage): Promise<void>;
  /** Hears the other replicas' messages about the feed until the returned function is called. */
  listen(feed: string, siteId: string, onMessage: (message: FeedMessage) => void): () => void;
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
  /** Shared with other replicas through this relay, under this feed name; null: this process polls alone. */
  readonly relay: { readonly relay: FeedRelay; readonly feed: string } | null;
  /** Every upstream poll, for metrics. */
  readonly onPoll?: (result: 'ok' | 'error') => void;
}

/** Transient failures back off from one interval, doubling, to at most this many intervals. */
const MAX_BACKOFF_INTERVALS = 8;
/** A replica that does not poll asks for the lease this many times per interval, so a lapsed one is taken over quickly. */
const CLAIMS_PER_INTERVAL = 4;
/** Messages heard before this replica has its baseline, applied once it has (a baseline read takes milliseconds). */
const MAX_EARLY_MESSAGES = 64;

interface Seen {
  readonly call: CallModel;
  readonly version: string;
}

/**
 * One feed per (credential, site): every interval it reads the last `lookbackMs` from the upstream
 * through the bucket store and compares each call with the version it saw last. The first read is a
 * baseline (nothing is "new" to a feed that just started); later reads hand their differences to every
 * listener. Calls that fall out of the lookback are forgotten, so its memory is one lookback of calls
 * whatever its age.
 *
 * With a relay, only the replica holding the feed's lease polls; it publishes the differences and the
 * others apply them to their own copy of the versions. So when the poller dies and another replica takes
 * the lease over, its first poll is compared with everything published so far: what changed since the
 * last poll of the old one is sent then, and nothing is lost or sent twice.
 */
export class SitePoller {
  private readonly listeners = new Set<SiteFeedListener>();
  private seen: Map<string, Seen> | null = null;
  private seenAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failures = 0;
  private leading = false;
  private early: FeedMessage[] | null = [];
  private readonly unlisten: (() => void) | null;

  constructor(private readonly options: SitePollerOptions) {
    const { relay } = options;
    this.unlisten = relay ? relay.relay.listen(relay.feed, options.siteId, (message) => this.heard(message)) : null;
  }

  /** Stopped by stop() or by a final error: a new subscriber needs a new poller. */
  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule(0);
  }

  /** Adds a listener; it gets the baseline at once when there is one, else with the first read. */
  add(listener: SiteFeedListener): void {
    this.listeners.add(listener);
    if (this.seen !== null) listener.baseline(this.snapshot(), this.seenAt);
  }

  remove(listener: SiteFeedListener): void {
    this.listeners.delete(listener);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
    this.unlisten?.();
    const { relay } = this.options;
    // Handing the lease back at once lets a replica that still has subscribers take over without waiting for it to lapse.
    if (relay && this.leading) void relay.relay.release(relay.feed);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
    this.timer.unref();
  }

  /** Never rejects: failures go to the listeners, and the next tick is always scheduled. */
  private async tick(): Promise<void> {
    const { relay, intervalMs, now } = this.options;
    const started = now();
    this.leading = relay ? await relay.relay.claim(relay.feed) : true;
    if (this.stopped) return;
    if (!this.leading) {
      if (this.seen === null) await this.readBaselineFromCache();
      this.schedule(intervalMs / CLAIMS_PER_INTERVAL);
      return;
    }
    // A slow poll must not let the lease lapse under it: renewed meanwhile as often as others ask for it.
    const renewing = relay ? setInterval(() => void relay.relay.claim(relay.feed), intervalMs / CLAIMS_PER_INTERVAL) : null;
    const delay = await this.poll().finally(() => renewing && clearInterval(renewing));
    // From the tick's start: the lease is renewed every interval however long a poll takes.
    this.schedule(Math.max(0, delay - (now() - started)));
  }

  /** One upstream read; answers the delay until the next one. */
  private async poll(): Promise<number> {
    const { store, scope, siteId, intervalMs } = this.options;
    let calls: CallModel[];
    try {
      calls = await this.read((range, operation) => store.refreshBuckets(scope, siteId, range, operation));
    } catch (error) {
      this.options.onPoll?.('error');
      if (this.stopped) return intervalMs;
      this.failed(error instanceof Error ? error : new Error(String(error)));
      return intervalMs * Math.min(2 ** (this.failures - 1), MAX_BACKOFF_INTERVALS);
    }
    this.options.onPoll?.('ok');
    if (this.stopped) return intervalMs;
    this.failures = 0;
    const at = this.options.now();
    const changed = this.compare(calls, at);
    const { relay } = this.options;
    if (relay && changed.length > 0) void relay.relay.publish(relay.feed, siteId, { kind: 'changes', calls: changed, at });
    return intervalMs;
  }

  /** A replica that does not poll starts from what the poller last stored (Redis): no upstream request. */
  private async readBaselineFromCache(): Promise<void> {
    const { store, scope, siteId } = this.options;
    let calls: CallModel[];
    try {
      calls = await this.read((range, operation) => store.loadBuckets(scope, siteId, range, operation));
    } catch {
      return; // tried again at the next tick
    }
    if (this.stopped || this.seen !== null) return;
    this.compare(calls, this.options.now());
    const early = this.early ?? [];
    this.early = null;
    for (const message of early) this.heard(message);
  }

  private async read(load: (buckets: readonly number[], operation: OperationContext) => Promise<Map<number, BucketResult>>): Promise<CallModel[]> {
    const { lookbackMs, bucketSizeMs, now, deadlineMs } = this.options;
    const from = now() - lookbackMs;
    // Up to and including the current bucket: a call that began a moment ago is in it.
    const to = now() + 1;
    const operation = {
      cost: emptyOperationCost(),
      deadline: now() + deadlineMs,
      // The poll's own end, so a window stuck on its decoder or an upstream slot gives up with the poll.
      signal: AbortSignal.timeout(deadlineMs),
      requestId: `live-${randomUUID()}`,
      reads: { latest: null },
    };
    const buckets = await load(bucketsForRange(from, to, bucketSizeMs), operation);
    const lists: CallList[] = [];
    for (const result of buckets.values()) {
      if (result instanceof Error) throw result;
      lists.push(result);
    }
    return callsInRange(lists, from, to);
  }

  /** A whole read of the lookback: the calls that differ from what was seen go to the listeners (nothing on the first). */
  private compare(calls: readonly CallModel[], at: number): CallModel[] {
    const seen = new Map<string, Seen>();
    const changed: CallModel[] = [];
    for (const call of calls) {
      const version = callVersion(call);
      seen.set(call.callId, { call, version });
      if (this.seen !== null && this.seen.get(call.callId)?.version !== version) changed.push(call);
    }
    const first = this.seen === null;
    this.seen = seen;
    this.seenAt = at;
    for (const listener of [...this.listeners]) {
      if (first) listener.baseline(calls, at);
      else if (changed.length > 0) listener.changes(changed, at);
    }
    return changed;
  }

  /** Another replica's message. Changes already seen (read here before the message came) are not sent twice. */
  private heard(message: FeedMessage): void {
    if (this.stopped) return;
    if (this.seen === null) {
      if (this.early && this.early.length < MAX_EARLY_MESSAGES) this.early.push(message);
      return;
    }
    if (message.kind === 'error') {
      this.report(message.error, message.final);
      return;
    }
    const changed = message.calls.filter((call) => this.seen!.get(call.callId)?.version !== callVersion(call));
    for (const call of changed) this.seen.set(call.callId, { call, version: callVersion(call) });
    const oldest = message.at - this.options.lookbackMs;
    for (const [callId, { call }] of this.seen) if (call.beginTime < oldest) this.seen.delete(callId);
    this.seenAt = message.at;
    if (changed.length > 0) for (const listener of [...this.listeners]) listener.changes(changed, message.at);
  }

  private snapshot(): CallModel[] {
    return [...(this.seen?.values() ?? [])].map(({ call }) => call).sort(compareCalls);
  }

  private failed(error: Error): void {
    const final = isUpstreamError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
    // Reported once per outage: a subscriber learns the feed is failing, not every retry of it.
    const report = final || this.failures === 0;
    this.failures++;
    if (!isUpstreamError(error)) this.options.logger.error({ err: error, siteId: this.options.siteId }, 'live poll failed');
    if (!report) return;
    const { relay } = this.options;
    if (relay && isUpstreamError(error)) void relay.relay.publish(relay.feed, this.options.siteId, { kind: 'error', error, final });
    this.report(error, final);
  }

  private report(error: Error, final: boolean): void {
    for (const listener of [...this.listeners]) listener.error(error, final);
    if (final) this.stop();
  }
}
