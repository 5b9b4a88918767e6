import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { fakeClock } from '../helpers/fakeClock.js';
import { captureLog } from '../helpers/logCapture.js';
import { errorCodes, startStack, type GraphQLAnswer, type Stack, type StackOptions } from '../helpers/stack.js';

const SITE = '25508804';
const OTHER_SITE = '31415926';

const CALLS = `query Calls($site: ID!, $from: DateTime!, $to: DateTime!) {
  site(id: $site) { calls(from: $from, to: $to, first: 3) { totalCount nodes { callId } } } }`;

/** One day from midnight: exactly one upstream window. */
const dayRange = (offsetDays = 0) => ({ site: SITE, from: iso(TEST_DAY + offsetDays * DAY_MS), to: iso(TEST_DAY + (offsetDays + 1) * DAY_MS) });

async function withStack(options: StackOptions, test: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack({ ...options, simulator: { callsPerHour: 2, now: () => TEST_NOW, ...options.simulator } });
  try {
    await test(stack);
  } finally {
    await stack.close();
  }
}

function totalCountOf(answer: GraphQLAnswer, alias = 'site'): unknown {
  return (answer.body.data?.[alias] as { calls: { totalCount: number } | null } | undefined)?.calls?.totalCount;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('upstream faults', () => {
  it('a 503 with Retry-After: 1, twice, is waited out and retried, and the query succeeds; the log shows both waits', async () => {
    const log = captureLog('info');
    const clock = fakeClock();
    await withStack({ logger: log.logger, upstreamClock: clock }, async (stack) => {
      stack.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '1', times: 2 });
      const answer = await stack.query(CALLS, dayRange());
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
      assert.equal(typeof totalCountOf(answer), 'number');
      assert.deepEqual(
        stack.simulator.requests.map((request) => request.status),
        [503, 503, 200],
      );
      assert.deepEqual(clock.waits, [1000, 1000], 'the client waited the second Retry-After asked for before each retry');
      const waits = log.records().filter((record) => record.msg === 'upstream request failed');
      assert.deepEqual(
        waits.map((record) => [record.status, record.retryInMs, record.attempt]),
        [
          [503, 1000, 0],
          [503, 1000, 1],
        ],
      );
      const cost = answer.body.extensions?.livedeflect as { retries: number; retryWaitMs: number; upstreamRequests: number };
      assert.deepEqual([cost.upstreamRequests, cost.retries, cost.retryWaitMs], [3, 2, 2000]);
    });
  });

  it('a dropped connection is retried and the query succeeds', async () => {
    await withStack({}, async (stack) => {
      stack.simulator.injectFault({ kind: 'reset', times: 1 });
      const answer = await stack.query(CALLS, dayRange());
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
      assert.equal(stack.simulator.requests.length, 2);
    });
  });

  it('a 500 on every attempt answers UPSTREAM_ERROR at once, without retries, well within the deadline', async () => {
    await withStack({ env: { OPERATION_DEADLINE: '5s' } }, async (stack) => {
      stack.simulator.injectFault({ kind: 'status', status: 500 });
      const { value: answer, ms } = await timed(() => stack.query(CALLS, dayRange()));
      assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
      const [error] = answer.body.errors!;
      assert.deepEqual(error!.path, ['site', 'calls']);
      assert.equal(error!.extensions?.upstreamStatus, 500);
      assert.match(error!.message, /LiveDeflect answered HTTP 500/);
      assert.deepEqual(answer.body.data, { site: { calls: null } });
      assert.equal(stack.simulator.requests.length, 1, '500 is not a status worth retrying');
      assert.ok(ms < 5000, `answered after ${ms} ms`);
    });
  });

  it('retries of a 503 stop at the operation deadline: a wait that would pass it is not started', async () => {
    const log = captureLog('info');
    const clock = fakeClock();
    await withStack({ logger: log.logger, upstreamClock: clock, env: { OPERATION_DEADLINE: '3s', LIVEDEFLECT_RETRIES: '5' } }, async (stack) => {
      stack.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '2' });
      const answer = await stack.query(CALLS, dayRange());
      assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
      assert.equal(answer.body.errors![0]!.extensions?.upstreamStatus, 503);
      // Attempt 1, a 2 s wait that fits in 3 s, attempt 2, then a second wait would end past the deadline.
      assert.equal(stack.simulator.requests.length, 2);
      const waits = log.records().filter((record) => record.msg === 'upstream request failed');
      assert.deepEqual(
        waits.map((record) => record.retryInMs),
        [2000, null],
      );
      assert.deepEqual(clock.waits, [2000]);
    });
  });

  it('an upstream that never answers gives UPSTREAM_TIMEOUT within LIVEDEFLECT_TIMEOUT + 1 s', async () => {
    await withStack({ env: { LIVEDEFLECT_TIMEOUT: '1s' } }, async (stack) => {
      stack.simulator.injectFault({ kind: 'hang' });
      const { value: answer, ms } = await timed(() => stack.query(CALLS, dayRange()));
      assert.deepEqual(errorCodes(answer), ['UPSTREAM_TIMEOUT']);
      assert.match(answer.body.errors![0]!.message, /did not answer within 1000 ms/);
      assert.deepEqual(answer.body.data, { site: { calls: null } });
      assert.ok(ms < 2000, `answered after ${ms} ms`);
    });
  });

  it('the circuit breaker opens after BREAKER_FAILURES failures, answers UPSTREAM_UNAVAILABLE without an upstream request, and closes after the cool-down', async () => {
    const env = { BREAKER_FAILURES: '3', BREAKER_COOLDOWN: '3s', LIVEDEFLECT_RETRIES: '0' };
    const clock = fakeClock();
    await withStack({ env, upstreamClock: clock }, async (stack) => {
      stack.simulator.injectFault({ kind: 'status', status: 502 });
      for (let day = 0; day < 3; day++) {
        assert.deepEqual(errorCodes(await stack.query(CALLS, dayRange(day))), ['UPSTREAM_ERROR']);
      }
      assert.equal(stack.simulator.requests.length, 3);
      assert.equal(stack.gateway.client.breakerState, 'open');
      const ready = await fetch(`${stack.gatewayUrl}/readyz`);
      assert.equal(ready.status, 503);

      const refused = await stack.query(CALLS, dayRange(3));
      assert.deepEqual(errorCodes(refused), ['UPSTREAM_UNAVAILABLE']);
      assert.match(refused.body.errors![0]!.message, /requests are paused/);
      assert.equal(stack.simulator.requests.length, 3, 'no request is sent while the breaker is open');

      stack.simulator.clearFaults();
      clock.advance(3_100);
      assert.equal(stack.gateway.client.breakerState, 'half-open');
      const trial = await stack.query(CALLS, dayRange(3));
      assert.equal(trial.body.errors, undefined, JSON.stringify(trial.body.errors));
      assert.equal(stack.gateway.client.breakerState, 'closed');
      const after = await stack.query(CALLS, dayRange(4));
      assert.equal(after.body.errors, undefined);
      assert.equal(stack.simulator.requests.length, 5);
      assert.equal((await fetch(`${stack.gatewayUrl}/readyz`)).status, 200);
    });
  });

  it('a 200 whose body is not the documented shape is not retried and does not count against the breaker', async () => {
    await withStack({ env: { BREAKER_FAILURES: '2' } }, async (stack) => {
      // Asking again would get the same body, and an upstream that answers 200 is up.
      stack.simulator.injectFault({ kind: 'body', body: JSON.stringify({ success: 'true', data: 'not a map' }) });
      for (let day = 0; day < 3; day++) {
        const answer = await stack.query(CALLS, dayRange(day));
        assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
        assert.equal(answer.body.errors![0]!.extensions?.upstreamStatus, undefined);
      }
      assert.equal(stack.simulator.requests.length, 3);
      assert.equal(stack.gateway.client.breakerState, 'closed');
    });
  });

  it('a failed trial after the cool-down opens the breaker again', async () => {
    const env = { BREAKER_FAILURES: '2', BREAKER_COOLDOWN: '3s', LIVEDEFLECT_RETRIES: '0' };
    const clock = fakeClock();
    await withStack({ env, upstreamClock: clock }, async (stack) => {
      stack.simulator.injectFault({ kind: 'status', status: 503 });
      for (let day = 0; day < 2; day++) await stack.query(CALLS, dayRange(day));
      assert.equal(stack.gateway.client.breakerState, 'open');
      clock.advance(3_100);
      assert.deepEqual(errorCodes(await stack.query(CALLS, dayRange(2))), ['UPSTREAM_ERROR']);
      assert.equal(stack.simulator.requests.length, 3);
      assert.equal(stack.gateway.client.breakerState, 'open');
      assert.deepEqual(errorCodes(await stack.query(CALLS, dayRange(3))), ['UPSTREAM_UNAVAILABLE']);
      assert.equal(stack.simulator.requests.length, 3);
    });
  });
});

describe('partial failure', () => {
  it('two ranges in one query, one failing: data for the other, an error with a path for the failing one', async () => {
    await withStack({}, async (stack) => {
      stack.simulator.injectFault({ kind: 'status', status: 500, siteId: OTHER_SITE });
      const answer = await stack.query(
        `query Two($from: DateTime!, $to: DateTime!) {
          ok: site(id: "${SITE}") { calls(from: $from, to: $to, first: 1) { totalCount } }
          failing: site(id: "${OTHER_SITE}") { calls(from: $from, to: $to, first: 1) { totalCount } }
        }`,
        { from: dayRange().from, to: dayRange().to },
      );
      assert.equal(answer.status, 200);
      assert.equal(typeof totalCountOf(answer, 'ok'), 'number');
      assert.deepEqual(answer.body.data?.failing, { calls: null });
      assert.equal(answer.body.errors?.length, 1);
      assert.deepEqual(answer.body.errors[0]!.path, ['failing', 'calls']);
      assert.equal(answer.body.errors[0]!.extensions?.code, 'UPSTREAM_ERROR');
    });
  });

  it('two ranges of one site in one query, one of them unreadable: the other keeps its data', async () => {
    await withStack({}, async (stack) => {
      // The first window to arrive gets a body that is not JSON; which one that is does not matter.
      stack.simulator.injectFault({ kind: 'malformed-json', times: 1 });
      const answer = await stack.query(
        `{ a: site(id: "${SITE}") { calls(from: "${dayRange(0).from}", to: "${dayRange(0).to}") { totalCount } }
           b: site(id: "${SITE}") { calls(from: "${dayRange(2).from}", to: "${dayRange(2).to}") { totalCount } } }`,
      );
      assert.equal(stack.simulator.requests.length, 2);
      assert.equal(answer.body.errors?.length, 1);
      const failed = answer.body.errors[0]!;
      assert.equal(failed.extensions?.code, 'UPSTREAM_ERROR');
      const failedAlias = failed.path![0] as string;
      const otherAlias = failedAlias === 'a' ? 'b' : 'a';
      assert.deepEqual(failed.path, [failedAlias, 'calls']);
      assert.deepEqual(answer.body.data?.[failedAlias], { calls: null });
      assert.equal(typeof totalCountOf(answer, otherAlias), 'number');
    });
  });
});
