import type { GraphQLError } from 'graphql';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callUpdateStream, type LiveItem } from '../../../src/live/callUpdateStream.js';
import type { SiteFeedListener } from '../../../src/live/sitePoller.js';
import type { CallModel } from '../../../src/model/call.js';
import { UpstreamError } from '../../../src/upstream/errors.js';
import { call, HOUR } from '../../helpers/liveCalls.js';

/** A stream whose feed the test drives by hand. */
function handDriven(
  options: { since?: number | null; maxBuffered?: number; matches?: (call: CallModel) => boolean; fellBehind?: (error: GraphQLError) => void } = {},
) {
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
    fellBehind: options.fellBehind ?? null,
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
    feed().changes([call('a', 0), call('b', 0), call('c', 0)], 0);
    // Three unread when the next poll brings more: behind.
    feed().changes([call('d', 0)], 0);
    const items = await take(stream, 10);
    assert.equal(items.length, 1);
    const [only] = items;
    assert.ok(only && 'error' in only);
    assert.deepEqual((only.error as { extensions?: unknown }).extensions, { code: 'SUBSCRIPTION_LIMIT', limit: 'LIVE_SEND_BUFFER', max: 3 });
    assert.equal(released(), 1);
    assert.equal((await stream.next()).done, true);
  });

  it('judges the bound per poll: a burst larger than LIVE_SEND_BUFFER, and a since replay still being read, are not a slow client', async () => {
    const now = 10 * HOUR;
    const burst = handDriven({ maxBuffered: 3 });
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => call(id, now));
    burst.feed().changes(six, now);
    assert.deepEqual(
      kinds(await take(burst.stream, 6)),
      six.map((item) => `NEW ${item.callId}`),
    );
    burst.feed().changes([call('g', now)], now);
    assert.deepEqual(kinds(await take(burst.stream, 1)), ['NEW g'], 'read in time, the next poll is sent too');

    const replay = Array.from({ length: 10 }, (_, i) => call(`r${i}`, now - HOUR + i));
    const reading = handDriven({ since: 0, maxBuffered: 3 });
    reading.feed().baseline(replay, now);
    await take(reading.stream, 4);
    reading.feed().changes([call('a', now), call('b', now)], now);
    assert.deepEqual(kinds(await take(reading.stream, 8)), [...replay.slice(4).map((item) => `NEW ${item.callId}`), 'NEW a', 'NEW b']);
    const behind = handDriven({ since: 0, maxBuffered: 3 });
    behind.feed().baseline(replay, now);
    behind.feed().changes([call('a', now), call('b', now), call('c', now)], now);
    behind.feed().changes([call('d', now)], now);
    assert.deepEqual(kinds(await take(behind.stream, 20)), ['error'], 'three unread past the replay');
  });

  it('hands that error to a transport that can send it at once, instead of queueing it behind what the client is not reading', async () => {
    const told: GraphQLError[] = [];
    const { stream, feed, released } = handDriven({ maxBuffered: 3, fellBehind: (error) => void told.push(error) });
    feed().changes([call('a', 0), call('b', 0), call('c', 0), call('d', 0)], 0);
    assert.equal(told.length, 0, 'one poll is not yet behind');
    feed().changes([call('e', 0)], 0);
    feed().changes([call('f', 0)], 0);
    assert.deepEqual(
      told.map((error) => error.extensions),
      [{ code: 'SUBSCRIPTION_LIMIT', limit: 'LIVE_SEND_BUFFER', max: 3 }],
    );
    assert.equal(released(), 1);
    assert.equal((await stream.next()).done, true, 'nothing is left to send');
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
