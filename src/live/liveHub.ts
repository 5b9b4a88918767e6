import type { Scope } from '../model/operation.js';
import { subscriptionLimit } from '../errors/graphqlErrors.js';
import type { Logger } from '../logger.js';
import { callUpdateStream, type CallUpdateStreamOptions, type LiveItem } from './callUpdateStream.js';
import { SitePoller, type FeedRelay, type RecentBuckets, type SiteFeedListener } from './sitePoller.js';

export interface LiveHubOptions {
  readonly store: RecentBuckets;
  /** LIVE_POLL_INTERVAL */
  readonly intervalMs: number;
  /** LIVE_LOOKBACK */
  readonly lookbackMs: number;
  readonly bucketSizeMs: number;
  /** OPERATION_DEADLINE: the budget of one poll, retries included. */
  readonly deadlineMs: number;
  /** MAX_SUBSCRIPTIONS */
  readonly maxSubscriptions: number;
  /** LIVE_SEND_BUFFER: updates one subscriber may have waiting. */
  readonly sendBuffer: number;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly onPoll?: (result: 'ok' | 'error') => void;
  /** Replicas sharing Redis share each feed through it (one polls, all deliver); null polls alone. */
  readonly relay?: FeedRelay | null;
}

interface Feed {
  readonly poller: SitePoller;
  readonly listeners: Set<SiteFeedListener>;
}

/** A subscriber's hold on its site's feed; release() is idempotent. */
export interface FeedHold {
  release(): void;
}

/**
 * The process's live feeds: one poller per (credential fingerprint, site), shared by every subscriber of
 * that pair whatever its filter or connection, started by the first subscriber and stopped when the last
 * one leaves. The fingerprint is part of the key for the reason it keys the cache: one credential's
 * calls are never pushed to another.
 */
export class LiveHub {
  private readonly feeds = new Map<string, Feed>();
  private subscriptions = 0;
  private polls = 0;
  private polling = 0;
  private closed = false;

  constructor(private readonly options: LiveHubOptions) {}

  /** Pollers running, subscriptions open, upstream reads done (answered or failed) since start, and reads under way. */
  get stats(): { readonly pollers: number; readonly subscriptions: number; readonly polls: number; readonly polling: number } {
    return { pollers: this.feeds.size, subscriptions: this.subscriptions, polls: this.polls, polling: this.polling };
  }

  /**
   * A subscriber's stream of updates for one site (see callUpdateStream.ts). Throws SUBSCRIPTION_LIMIT at
   * MAX_SUBSCRIPTIONS.
   */
  stream(scope: Scope, siteId: string, request: Pick<CallUpdateStreamOptions, 'matches' | 'since' | 'fellBehind'>): AsyncIterableIterator<LiveItem> {
    return callUpdateStream({
      ...request,
      hold: (listener) => this.hold(scope, siteId, listener),
      lookbackMs: this.options.lookbackMs,
      maxBuffered: this.options.sendBuffer,
    });
  }

  /** Throws SUBSCRIPTION_LIMIT at MAX_SUBSCRIPTIONS, or when the gateway is shutting down. */
  private hold(scope: Scope, siteId: string, listener: SiteFeedListener): FeedHold {
    const { maxSubscriptions } = this.options;
    if (this.closed) throw subscriptionLimit('MAX_SUBSCRIPTIONS', maxSubscriptions, 'The gateway is shutting down: subscribe again in a moment');
    if (this.subscriptions >= maxSubscriptions) {
      throw subscriptionLimit(
        'MAX_SUBSCRIPTIONS',
        maxSubscriptions,
        `This gateway serves at most ${maxSubscriptions} subscriptions (MAX_SUBSCRIPTIONS): subscribe again later or through another replica`,
      );
    }
    const key = `${scope.fingerprint}|${siteId}`;
    let feed = this.feeds.get(key);
    // A poller stopped by a final error keeps its key until its subscribers have left; a newcomer gets a fresh one.
    if (!feed || feed.poller.isStopped) {
      feed = { poller: this.startPoller(scope, siteId), listeners: new Set() };
      this.feeds.set(key, feed);
    }
    const joined = feed;
    joined.listeners.add(listener);
    this.subscriptions++;
    joined.poller.add(listener);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.subscriptions--;
        joined.listeners.delete(listener);
        joined.poller.remove(listener);
        if (joined.listeners.size > 0) return;
        joined.poller.stop();
        if (this.feeds.get(key) === joined) this.feeds.delete(key);
      },
    };
  }

  /** Shutdown: every subscription is told to complete (each then releases its hold), and no new one starts. */
  close(): void {
    this.closed = true;
    for (const feed of [...this.feeds.values()]) for (const listener of [...feed.listeners]) listener.end();
  }

  private startPoller(scope: Scope, siteId: string): SitePoller {
    const { intervalMs, lookbackMs, bucketSizeMs, deadlineMs, logger, onPoll } = this.options;
    // Counted here, around the read itself, so a read still under way when its poller stopped is counted too.
    const store: RecentBuckets = {
      refreshBuckets: async (...args) => {
        this.polling++;
        try {
          return await this.options.store.refreshBuckets(...args);
        } finally {
          this.polling--;
          this.polls++;
        }
      },
      loadBuckets: (...args) => this.options.store.loadBuckets(...args),
    };
    const relay = this.options.relay ?? null;
    const poller = new SitePoller({
      store,
      scope,
      siteId,
      intervalMs,
      lookbackMs,
      bucketSizeMs,
      deadlineMs,
      logger,
      now: this.options.now ?? Date.now,
      relay: relay && { relay, feed: `${scope.fingerprint}|${siteId}` },
      onPoll,
    });
    poller.start();
    return poller;
  }
}
