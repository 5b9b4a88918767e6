import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BucketResult } from '../../src/cache/bucketStore.js';
import { callUpdateStream, type LiveItem } from '../../src/live/callUpdateStream.js';
import { SitePoller, type SiteFeedListener } from '../../src/live/sitePoller.js';
import { createLogger } from '../../src/logger.js';
import { buildCall, emptyCallFields, type CallModel } from '../../src/model/call.js';
import { eventKindOf } from '../../src/model/eventKind.js';
import { UpstreamError } from '../../src/upstream/errors.js';

const HOUR = 3_600_000;

/** A call that began at `begin` with `events` events one second apart (callstart, then skillchoice...). */
function call(callId: string, begin: number, events = 1): CallModel {
  const types = ['callstart', 'skillchoice', 'ovrchan', 'deflresponse', 'sendtext', 'conversationid'];
  return buildCall({
    siteId: '1',
    callId,
    beginTime: begin,
    fields: emptyCallFields(),
    events: types.slice(0, events).map((rawType, i) => ({ rawType, kind: eventKindOf(rawType), info: 'Y', time: begin + i * 1000 })),
  });
}

/** A stream whose feed the test drives by hand. */
function handDriven(options: { since?: number | null; maxBuffered?: number; matches?: (call: CallModel) => boolean } = {}) {
  let listener!: SiteFeedListener;
  let released = 0;
  const stream = callUpdateStream({
    hold: (given) => {
      listener = given;
      return { release: () => void released++ };
    },
    matches: options.matches ?? (() => true),
    since: options.since ?? null,
    lookbackMs: 2 * HOUR,
    maxBuffered: options.maxBuffered ?? 100,
  });
  return { stream, feed: () => listener, released: () => released };
}

async function take(stream: AsyncIterableIterator<LiveItem>, n: number): Promise<LiveItem[]> {
  const items: LiveItem[] = [];
  for (let i = 0; i < n; i++) {
    const next = await stream.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

const kinds = (items: LiveItem[]) => items.map((item) => ('update' in item ? `${item.update.kind} ${item.update.call.callId}` : 'error'));

describe('callUpdateStream', () => {
  it('replays since no further back than the lookback, and sends nothing for a baseline without since', async () => {
    const now = 10 * HOUR;
    const calls = [call('old', now - 3 * HOUR), call('a', now - HOUR), call('b', now - 60_000)];
    const replayed = handDriven({ since: 0 });
    replayed.feed().baseline(calls, now);
    replayed.feed().changes([call('c', now)], now);
    assert.deepEqual(kinds(await take(replayed.stream, 3)), ['NEW a', 'NEW b', 'NEW c']);
    const plain = handDriven();
    plain.feed().baseline(calls, now);
    plain.feed().changes([call('a', now - HOUR, 2)], now);
    assert.deepEqual(kinds(await take(plain.stream, 1)), ['NEW a']);
  });

  it('ends a subscriber that falls LIVE_SEND_BUFFER updates behind with SUBSCRIPTION_LIMIT, and releases its feed', async () => {
    const { stream, feed, released } = handDriven({ maxBuffered: 3 });
    feed().changes([call('a', 0), call('b', 0), call('c', 0), call('d', 0)], 0);
    const items = await take(stream, 10);
    assert.equal(items.length, 1);
    const [only] = items;
    assert.ok(only && 'error' in only);
    assert.deepEqual((only.error as { extensions?: unknown }).extensions, { code: 'SUBSCRIPTION_LIMIT', limit: 'LIVE_SEND_BUFFER', max: 3 });
    assert.equal(released(), 1);
    assert.equal((await stream.next()).done, true);
  });

  it('reports a transient error and goes on; a final one ends the stream after it', async () => {
    const { stream, feed, released } = handDriven();
    feed().error(new UpstreamError('UPSTREAM_TIMEOUT', 'slow'), false);
    feed().changes([call('a', 0)], 0);
    feed().error(new UpstreamError('FORBIDDEN', 'no'), true);
    assert.deepEqual(kinds(await take(stream, 5)), ['error', 'NEW a', 'error']);
    assert.equal(released(), 1);
  });

  it('releases its feed once when the client leaves', async () => {
    const { stream, released } = handDriven();
    const pending = stream.next();
    await stream.return!();
    assert.equal((await pending).done, true);
    await stream.return!();
    assert.equal(released(), 1);
  });
});

describe('SitePoller', () => {
  function poller(answers: (() => BucketResult)[], listener: SiteFeedListener) {
    let polls = 0;
    const sitePoller = new SitePoller({
      store: {
        refreshBuckets: async (_scope, _site, buckets) => {
          const answer = answers[Math.min(polls++, answers.length - 1)]!;
          return new Map(buckets.map((bucket, i) => [bucket, i === buckets.length - 1 ? answer() : []]));
        },
        loadBuckets: () => Promise.reject(new Error('a lone poller never reads the cache')),
      },
      relay: null,
      scope: { authorization: 'x', fingerprint: 'f' },
      siteId: '1',
      intervalMs: 5,
      lookbackMs: 2 * HOUR,
      bucketSizeMs: HOUR,
      deadlineMs: 1000,
      logger: createLogger({ level: 'silent' }),
      now: () => 10 * HOUR + 30 * 60_000,
    });
    sitePoller.add(listener);
    return { sitePoller, polls: () => polls };
  }
  const recorder = () => {
    const seen: string[] = [];
    const listener: SiteFeedListener = {
      baseline: (calls) => void seen.push(`baseline ${calls.map((c) => c.callId).join(',')}`),
      changes: (calls) => void seen.push(`changes ${calls.map((c) => c.callId).join(',')}`),
      error: (error, final) => void seen.push(`${final ? 'final' : 'error'} ${(error as UpstreamError).code}`),
      end: () => void seen.push('end'),
    };
    return { seen, listener };
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(condition());
  };
  const begin = 10 * HOUR;

  it('takes its first poll as the baseline, then hands on only the calls that are new or gained events', async () => {
    const { seen, listener } = recorder();
    const { sitePoller } = poller(
      [() => [call('a', begin)], () => [call('a', begin)], () => [call('a', begin, 2), call('b', begin + 1)], () => [call('a', begin, 2), call('b', begin + 1)]],
      listener,
    );
    sitePoller.start();
    await until(() => seen.length >= 2);
    sitePoller.stop();
    assert.deepEqual(seen, ['baseline a', 'changes a,b']);
  });

  it('reports a transient failure once per outage and recovers; a FORBIDDEN stops it', async () => {
    const { seen, listener } = recorder();
    const timeout = () => new UpstreamError('UPSTREAM_TIMEOUT', 'slow');
    const { sitePoller, polls } = poller([() => [], timeout, timeout, timeout, () => [call('a', begin)], () => new UpstreamError('FORBIDDEN', 'no')], listener);
    sitePoller.start();
    await until(() => sitePoller.isStopped);
    assert.deepEqual(seen, ['baseline ', 'error UPSTREAM_TIMEOUT', 'changes a', 'final FORBIDDEN']);
    const count = polls();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(polls(), count, 'a stopped poller polls no more');
  });
});
