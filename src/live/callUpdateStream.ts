import type { GraphQLError } from 'graphql';
import { subscriptionLimit } from '../errors/graphqlErrors.js';
import type { CallModel } from '../model/call.js';
import type { CallUpdateModel } from '../model/callUpdate.js';
import type { FeedHold } from './liveHub.js';
import type { SiteFeedListener } from './sitePoller.js';

/** One item of a subscriber's stream: an update to send, or an error to report as a GraphQL error. */
export type LiveItem = { readonly update: CallUpdateModel } | { readonly error: Error };

export interface CallUpdateStreamOptions {
  readonly hold: (listener: SiteFeedListener) => FeedHold;
  /** The subscription's filter: only matching calls are sent. */
  readonly matches: (call: CallModel) => boolean;
  /** Replay calls that began at or after this (clamped to the lookback) as NEW first; null: no replay. */
  readonly since: number | null;
  readonly lookbackMs: number;
  /** LIVE_SEND_BUFFER: a client with this many items still waiting when the next ones come is ended. */
  readonly maxBuffered: number;
  /** Told once, instead of the stream, when the subscription is ended for falling behind (see GatewayContext.fellBehind). */
  readonly fellBehind: ((error: GraphQLError) => void) | null;
}

/**
 * One subscriber's view of its site's feed: which calls it has been told about (NEW the first time, CHANGED
 * after), its filter, and a bounded queue between the poller, which never waits, and the transport, which
 * pulls at the client's pace. A client that still has LIVE_SEND_BUFFER items waiting when a poll brings more is
 * told so and ended: its backlog would otherwise grow for as long as it stays connected. The bound is judged
 * per poll, not per item: one poll's burst (the first good poll after an outage) is as many items as the lookback
 * has calls, all of them in memory already, and is not a sign of a slow client. Nor is a `since` replay the client
 * is still reading: it does not count.
 */
export function callUpdateStream(options: CallUpdateStreamOptions): AsyncIterableIterator<LiveItem> {
  const { matches, lookbackMs, maxBuffered } = options;
  /** callId -> beginTime of every call this subscriber was sent, until it leaves the lookback. */
  const sent = new Map<string, number>();
  const queue: LiveItem[] = [];
  let waiting: ((result: IteratorResult<LiveItem>) => void) | null = null;
  let done = false;
  let hold: FeedHold | null = null;
  /** Replayed items (since) not yet taken: the subscriber's first screen, queued first, and not a backlog. */
  let replayQueued = 0;

  const finish = (): void => {
    if (done) return;
    done = true;
    hold?.release();
  };
  /** Called as a poll's items arrive: true when the client was behind and has been ended. */
  const endIfBehind = (): boolean => {
    if (done || queue.length - replayQueued < maxBuffered) return false;
    queue.length = 0;
    const error = subscriptionLimit(
      'LIVE_SEND_BUFFER',
      maxBuffered,
      `This subscription fell ${maxBuffered} updates behind (LIVE_SEND_BUFFER) and was ended: read updates faster, narrow the filter, or subscribe again`,
    );
    // A transport that can say so at once does; otherwise the error is the stream's last item.
    if (options.fellBehind) options.fellBehind(error);
    else queue.push({ error });
    finish();
    return true;
  };
  const push = (item: LiveItem): void => {
    if (done) return;
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: item, done: false });
      return;
    }
    queue.push(item);
  };
  const end = (): void => {
    finish();
    if (waiting && queue.length === 0) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: undefined, done: true });
    }
  };
  const send = (call: CallModel, at: number): void => {
    if (!matches(call)) return;
    push({ update: { kind: sent.has(call.callId) ? 'CHANGED' : 'NEW', call, at } });
    sent.set(call.callId, call.beginTime);
  };

  const listener: SiteFeedListener = {
    baseline(calls, at) {
      if (options.since === null) return;
      const from = Math.max(options.since, at - lookbackMs);
      for (const call of calls) if (call.beginTime >= from) send(call, at);
      replayQueued = queue.length;
    },
    changes(calls, at) {
      if (endIfBehind()) return;
      for (const call of calls) send(call, at);
      // A call older than the lookback is no longer polled, so it can't change again: forget it.
      for (const [callId, beginTime] of sent) if (beginTime < at - lookbackMs) sent.delete(callId);
    },
    error(error, final) {
      if (endIfBehind()) return;
      push({ error });
      if (final) end();
    },
    end,
  };
  hold = options.hold(listener);

  const iterator: AsyncIterableIterator<LiveItem> = {
    next() {
      const item = queue.shift();
      if (item) {
        if (replayQueued > 0) replayQueued--;
        return Promise.resolve({ value: item, done: false });
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      queue.length = 0;
      end();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
