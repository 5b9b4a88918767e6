import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { liveClient, record, simulatedClock, until, type Recorded } from '../helpers/liveClient.js';
import { callStates, expectedUpdates, type CallState, type ExpectedUpdate } from '../helpers/liveExpectations.js';
import { spawnMain, within, type MainProcess } from '../helpers/mainProcess.js';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const SITE = '25508804';
const CALLS_PER_HOUR = 600;
const MINUTE = 60_000;
const SUBSCRIPTION = `subscription($site: ID!) { callUpdates(siteId: $site) { kind call { callId stage } } }`;

interface Replica {
  readonly main: MainProcess;
  readonly url: string;
  readonly client: ReturnType<typeof liveClient>;
  readonly subscriptions: Recorded[];
}

/** The replica's own count of upstream polls, from its /metrics. */
async function pollsOf(replica: Replica): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return [...text.matchAll(/^livedeflect_live_polls_total\{result="(?:ok|error)"\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function gauge(replica: Replica, name: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const updatesOf = (recorded: Recorded): ExpectedUpdate[] =>
  recorded.results.map((result) => {
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const update = (result.data as { callUpdates: { kind: ExpectedUpdate['kind']; call: { callId: string; stage: ExpectedUpdate['stage'] } } })
      .callUpdates;
    return { kind: update.kind, callId: update.call.callId, stage: update.call.stage };
  });

describe('Subscription.callUpdates across two gateway processes sharing redis-server', { skip: skipWithoutRedis() }, () => {
  const clock = simulatedClock();
  let redis: RedisServer;
  let simulator: Simulator;
  const replicas: Replica[] = [];
  const states = (): Map<string, CallState> => callStates(SITE, CALLS_PER_HOUR, clock.now(), clock.start - 60 * MINUTE, clock.now() + 1);

  const startReplica = async (redisUrl = redis.url): Promise<Replica> => {
    const main = spawnMain({
      LIVEDEFLECT_URL: simulator.url,
      LIVEDEFLECT_AUTHORIZATION: 'Bearer test',
      REDIS_URL: redisUrl,
      CACHE_KEY_SECRET: 'live replicas test',
      LIVE_POLL_INTERVAL: '300ms',
      LIVEDEFLECT_RETRIES: '0',
      GRAPHIQL: 'false',
      LOG_LEVEL: 'info',
    });
    const url = (await within(main.graphqlUrl, 60_000, 'a replica to start')).replace(/\/graphql$/, '');
    const client = liveClient(url);
    const replica = { main, url, client, subscriptions: Array.from({ length: 10 }, () => record(client, SUBSCRIPTION, { site: SITE })) };
    replicas.push(replica);
    return replica;
  };

  before(async () => {
    redis = await startRedisServer();
    simulator = await startSimulator({ callsPerHour: CALLS_PER_HOUR, now: clock.now });
  });
  after(async () => {
    for (const replica of replicas) {
      await replica.client.dispose();
      replica.main.child.kill('SIGKILL');
    }
    await simulator.close();
    await redis.kill();
  });

  it('polls once per interval in all, delivers to both replicas, and a takeover after killing the poller loses no update', async () => {
    const a = await startReplica();
    await until(() => simulator.requests.length >= 1, "a's first poll", 30_000);
    const b = await startReplica();
    // Both replicas' subscribers are in, and B has its baseline: every later change reaches all 20.
    await until(async () => (await gauge(b, 'livedeflect_live_subscriptions')) === 10, "b's subscriptions");
    const seen = simulator.requests.length;
    await until(() => simulator.requests.length >= seen + 2, 'two more polls');

    // One upstream request per interval in all: only one replica polls, and every request is one of its polls.
    const [a0, b0] = [await pollsOf(a), await pollsOf(b)];
    await until(() => simulator.requests.length >= a0 + b0 + 8, 'eight more polls');
    const [a1, b1] = [await pollsOf(a), await pollsOf(b)];
    const requests = simulator.requests.length;
    assert.ok(a1 - a0 > 0 !== b1 - b0 > 0, `exactly one replica polls (a: ${a1 - a0}, b: ${b1 - b0})`);
    // Requests are logged on arrival, polls counted when answered: at most one is between the two.
    assert.ok(requests - (a1 + b1) >= 0 && requests - (a1 + b1) <= 1, `${requests} requests for ${a1 + b1} polls`);
    const [leader, follower] = a1 - a0 > 0 ? [a, b] : [b, a];

    const sent = new Set<string>();
    const state0 = states();
    clock.advance(2 * MINUTE);
    const state1 = states();
    const first = expectedUpdates(state0, state1, () => true, sent);
    assert.ok(first.length > 0);
    for (const subscription of [...a.subscriptions, ...b.subscriptions]) await subscription.atLeast(first.length);

    leader.main.child.kill('SIGKILL');
    await leader.main.exited;
    clock.advance(2 * MINUTE);
    const second = expectedUpdates(state1, states(), () => true, sent);
    assert.ok(second.length > 0);
    const before = await pollsOf(follower);
    await until(() => simulator.requests.length > requests + 1, 'the follower to take over', 10_000);
    for (const subscription of follower.subscriptions) await subscription.atLeast(first.length + second.length);
    await until(async () => (await pollsOf(follower)) >= before + 2, 'two polls of the new poller');
    for (const subscription of follower.subscriptions) assert.deepEqual(updatesOf(subscription), [...first, ...second]);
    for (const subscription of leader.subscriptions) assert.deepEqual(updatesOf(subscription).slice(0, first.length), first);
  });
  it('with Redis down, each replica polls for itself and delivers every change; one polls again once Redis is back', async () => {
    const own = await startRedisServer();
    let back: RedisServer | null = null;
    // The replicas are stopped by the suite's after(); the Redis servers of this test by the test, whatever happens.
    try {
      const a = await startReplica(own.url);
      const b = await startReplica(own.url);
      await until(
        async () => (await gauge(a, 'livedeflect_live_subscriptions')) === 10 && (await gauge(b, 'livedeflect_live_subscriptions')) === 10,
        'the subscriptions',
      );
      const polled = async (replica: Replica, more: number) => {
        const target = (await pollsOf(replica)) + more;
        await until(async () => (await pollsOf(replica)) >= target, `${more} polls of ${replica.url}`, 20_000);
      };
      const pollers = async (): Promise<[number, number]> => {
        const [a0, b0] = [await pollsOf(a), await pollsOf(b)];
        await until(async () => (await pollsOf(a)) + (await pollsOf(b)) >= a0 + b0 + 6, 'six more polls', 20_000);
        return [(await pollsOf(a)) - a0, (await pollsOf(b)) - b0];
      };
      const together = await pollers();
      assert.ok(together[0] > 0 !== together[1] > 0, `one replica polls while Redis is up (${together.join(', ')})`);

      await own.kill();
      await Promise.all([polled(a, 3), polled(b, 3)]);
      const sent = new Set<string>();
      const before = states();
      clock.advance(2 * MINUTE);
      const changes = expectedUpdates(before, states(), () => true, sent);
      assert.ok(changes.length > 0);
      for (const subscription of [...a.subscriptions, ...b.subscriptions]) {
        await subscription.atLeast(changes.length);
        assert.deepEqual(updatesOf(subscription).slice(-changes.length), changes);
      }
      const apart = await pollers();
      assert.ok(apart[0] > 0 && apart[1] > 0, `both replicas poll while Redis is down (${apart.join(', ')})`);

      back = await startRedisServer({ port: own.port });
      await until(
        async () => {
          const [x, y] = await pollers();
          return x > 0 !== y > 0;
        },
        'one replica to hold the lease again',
        45_000,
      );
    } finally {
      await own.kill();
      await back?.kill();
    }
  });
});
