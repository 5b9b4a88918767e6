import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { liveClient, record, simulatedClock, until, type Recorded } from '../helpers/liveClient.js';
import { callStates, expectedUpdates, type CallState, type ExpectedUpdate } from '../helpers/liveExpectations.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const OTHER_SITE = '31337';
const CALLS_PER_HOUR = 600;
const MINUTE = 60_000;

const SUBSCRIPTION = `subscription Live($site: ID!, $filter: CallFilter, $since: DateTime) {
  callUpdates(siteId: $site, filter: $filter, since: $since) { kind at call { id callId stage beginTime events { type } } }
}`;

type Update = { kind: string; at: string; call: { callId: string; stage: string; beginTime: string } };

function updatesOf(recorded: Recorded): ExpectedUpdate[] {
  return recorded.results.map((result) => {
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const update = (result.data as { callUpdates: Update }).callUpdates;
    return { kind: update.kind as ExpectedUpdate['kind'], callId: update.call.callId, stage: update.call.stage as ExpectedUpdate['stage'] };
  });
}

describe('Subscription.callUpdates over WebSocket', () => {
  const clock = simulatedClock();
  let stack: Stack;
  const clients: ReturnType<typeof liveClient>[] = [];
  const connect = (options?: Parameters<typeof liveClient>[1]) => {
    const client = liveClient(stack.gatewayUrl, options);
    clients.push(client);
    return client;
  };
  /** What the simulator shows now, for every call a poll can see change. */
  const states = (): Map<string, CallState> => callStates(SITE, CALLS_PER_HOUR, clock.now(), clock.start - 60 * MINUTE, clock.now() + 1);
  /** Waits for two polls that began after now: the newest state has been read and fanned out. */
  const polled = async (): Promise<void> => {
    const target = stack.gateway.live.stats.polls + 2;
    await until(() => stack.gateway.live.stats.polls >= target, 'two more polls');
  };
  const baseline = () => until(() => stack.gateway.live.stats.polls >= 1 && stack.gateway.live.stats.pollers >= 1, 'the baseline poll');

  before(async () => {
    stack = await startStack({
      env: { LIVE_POLL_INTERVAL: '100ms', LIVEDEFLECT_RETRIES: '0' },
      // The clock stands still between steps, so answers are memoized: polls cost the simulator nothing.
      simulator: { callsPerHour: CALLS_PER_HOUR, now: clock.now, precompute: true },
    });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.dispose();
    await until(() => stack.gateway.live.stats.pollers === 0 && stack.gateway.live.stats.polling === 0, 'every poller to stop');
    stack.simulator.clearFaults();
  });
  after(() => stack.close());

  it('sends nothing for the baseline, then NEW for each call that began or changed, then CHANGED, with its stage', async () => {
    const live = record(connect(), SUBSCRIPTION, { site: SITE });
    await baseline();
    await polled();
    assert.deepEqual(live.results, [], 'the first poll is a baseline');
    const sent = new Set<string>();
    const expected: ExpectedUpdate[] = [];
    for (let step = 0; step < 4; step++) {
      const before = states();
      clock.advance(2 * MINUTE);
      expected.push(...expectedUpdates(before, states(), () => true, sent));
      await polled();
      await live.atLeast(expected.length);
    }
    await polled();
    assert.deepEqual(updatesOf(live), expected);
    assert.ok(expected.some((update) => update.kind === 'NEW') && expected.some((update) => update.kind === 'CHANGED'));
  });

  it('sends a call once it matches the filter (NEW, even if it began earlier), and CHANGED when it matches again', async () => {
    const stages = ['STARTED', 'ACCEPTED', 'CONVERSATION_STARTED'];
    const live = record(connect(), SUBSCRIPTION, { site: SITE, filter: { stages } });
    await baseline();
    await polled();
    const sent = new Set<string>();
    const expected: ExpectedUpdate[] = [];
    const first = states();
    let rematched = 0;
    // At least 8 steps, and on until the data has had a call match again (which calls do depends on the hour the
    // test runs at): bounded at 40.
    for (let step = 0; step < 40 && (step < 8 || rematched === 0); step++) {
      const before = states();
      clock.advance(20_000);
      const now = states();
      const updates = expectedUpdates(before, now, (state) => stages.includes(state.stage), sent);
      // A CHANGED call that skipped an update (it was TEXT_SENT in between) matched again after not matching.
      rematched += updates.filter((update) => update.kind === 'CHANGED' && update.stage === 'CONVERSATION_STARTED').length;
      expected.push(...updates);
      await polled();
      await live.atLeast(expected.length);
    }
    await polled();
    assert.deepEqual(updatesOf(live), expected);
    assert.ok(
      expected.some((update) => update.kind === 'NEW' && first.has(update.callId)),
      'a call that began before the subscription arrives as NEW',
    );
    assert.ok(rematched > 0, 'the data has a call that matched again after not matching');
    assert.ok(updatesOf(live).every((update) => stages.includes(update.stage)));
  });

  it('with since, replays the matching calls that began at or after it as NEW, in begin order, before any change', async () => {
    const since = clock.now() - 10 * MINUTE;
    const filter = { hasConversation: true };
    const replay = [...states().values()]
      .filter((state) => state.beginTime >= since && state.stage === 'CONVERSATION_STARTED')
      .sort((a, b) => a.beginTime - b.beginTime || (a.callId < b.callId ? -1 : 1))
      .map((state): ExpectedUpdate => ({ kind: 'NEW', callId: state.callId, stage: state.stage }));
    assert.ok(replay.length > 0);
    const live = record(connect(), SUBSCRIPTION, { site: SITE, filter, since: new Date(since).toISOString() });
    await live.atLeast(replay.length);
    await polled();
    assert.deepEqual(updatesOf(live), replay);
    // A second subscriber joining the running poller gets the same replay from its snapshot.
    const joined = record(connect(), SUBSCRIPTION, { site: SITE, filter, since: new Date(since).toISOString() });
    await joined.atLeast(replay.length);
    assert.deepEqual(updatesOf(joined), replay);
  });

  it('polls the upstream once per interval for 50 subscribers of one site, whatever their filters and connections', async () => {
    stack.simulator.clearRequests();
    const pollsBefore = stack.gateway.live.stats.polls;
    const connections = Array.from({ length: 5 }, () => connect());
    const subscriptions = Array.from({ length: 50 }, (_, i) =>
      record(connections[i % 5]!, SUBSCRIPTION, { site: SITE, filter: i % 2 === 0 ? null : { stages: ['CONVERSATION_STARTED'] } }),
    );
    await until(() => stack.gateway.live.stats.subscriptions === 50, '50 subscriptions');
    assert.equal(stack.gateway.live.stats.pollers, 1);
    for (let step = 0; step < 3; step++) await polled();
    for (const subscription of subscriptions) subscription.stop();
    await until(() => stack.gateway.live.stats.pollers === 0 && stack.gateway.live.stats.polling === 0, 'the poller to stop');
    const polls = stack.gateway.live.stats.polls - pollsBefore;
    assert.ok(polls >= 6);
    assert.equal(stack.simulator.requests.length, polls, 'one upstream request per poll');
    assert.ok(stack.simulator.requests.every((request) => request.siteId === SITE));
  });

  it('runs one poller per site, and stops polling once the last subscriber leaves', async () => {
    stack.simulator.clearRequests();
    const client = connect();
    const a = record(client, SUBSCRIPTION, { site: SITE });
    const b = record(client, SUBSCRIPTION, { site: OTHER_SITE });
    const a2 = record(client, SUBSCRIPTION, { site: SITE });
    await until(() => stack.gateway.live.stats.subscriptions === 3, 'three subscriptions');
    assert.equal(stack.gateway.live.stats.pollers, 2);
    const sites = () => new Set(stack.simulator.requests.filter((request) => request.status === 200).map((request) => request.siteId));
    await until(() => sites().size === 2, 'both sites polled');
    assert.deepEqual([...sites()].sort(), [OTHER_SITE, SITE].sort());
    a.stop();
    await until(() => stack.gateway.live.stats.subscriptions === 2, 'a to leave');
    assert.equal(stack.gateway.live.stats.pollers, 2, 'a2 still holds the site');
    a2.stop();
    b.stop();
    await until(() => stack.gateway.live.stats.pollers === 0 && stack.gateway.live.stats.polling === 0, 'both pollers to stop');
    const count = stack.simulator.requests.length;
    // Five intervals without subscribers: a poller still running would have sent a request in each.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(stack.simulator.requests.length, count);
  });

  it('reports a transient 503 once, keeps polling, and delivers the changes once the upstream recovers', async () => {
    const live = record(connect(), SUBSCRIPTION, { site: SITE });
    await baseline();
    await polled();
    stack.simulator.injectFault({ kind: 'status', status: 503, times: 3, siteId: SITE });
    await live.atLeast(1);
    assert.equal(live.results[0]?.data, null);
    assert.deepEqual(
      live.results[0]?.errors?.map((error) => error.extensions?.code),
      ['UPSTREAM_ERROR'],
    );
    assert.equal(live.results[0]?.errors?.[0]?.extensions?.upstreamStatus, 503);
    await until(() => stack.simulator.requests.filter((request) => request.status === 503).length >= 3, 'the three failures');
    const before = states();
    clock.advance(2 * MINUTE);
    const expected = expectedUpdates(before, states(), () => true, new Set());
    assert.ok(expected.length > 0);
    await live.atLeast(1 + expected.length);
    await polled();
    assert.equal(live.results.length, 1 + expected.length, 'the outage was reported once');
    assert.deepEqual(updatesOf({ ...live, results: live.results.slice(1) }), expected);
    assert.equal(live.completed, false);
  });
});
