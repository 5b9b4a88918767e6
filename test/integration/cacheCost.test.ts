import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { OperationCost } from '../../src/model/operation.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type GraphQLAnswer, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const range = (from: number, to: number) => `from: "${iso(from)}", to: "${iso(to)}"`;
const costOf = (answer: GraphQLAnswer): OperationCost => answer.body.extensions?.livedeflect as OperationCost;
/** A day long settled by any clock this runs on: the Cache-Control rules judge by the gateway's real clock. */
const OLD_DAY = Date.UTC(2025, 0, 6);

describe('extensions.livedeflect: what an operation cost the upstream', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 3, now: () => TEST_NOW } });
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
    stack.simulator.clearFaults();
  });
  after(() => stack.close());

  const twoDays = `{ site(id: "${SITE}") {
    a: calls(${range(TEST_DAY, TEST_DAY + 2 * DAY_MS)}, first: 5) { totalCount nodes { callId } }
    b: events(${range(TEST_DAY + 3 * HOUR_MS, TEST_DAY + 5 * HOUR_MS)}, first: 5) { totalCount } } }`;

  it('equals the simulator request log on a cold run, and shows memory hits and no request on a warm one', async () => {
    const cold = await stack.query(twoDays);
    assert.equal(cold.body.errors, undefined);
    const windows = stack.simulator.requests.map((request) => [request.startTime, request.endTime]).sort((x, y) => x[0]! - y[0]!);
    assert.deepEqual(windows, [
      [TEST_DAY, TEST_DAY + DAY_MS],
      [TEST_DAY + DAY_MS, TEST_DAY + 2 * DAY_MS],
    ]);
    assert.deepEqual(costOf(cold), {
      upstreamRequests: stack.simulator.requests.length,
      windowsFetched: 2,
      retries: 0,
      retryWaitMs: 0,
      callsOutsideWindow: 0,
      cache: { memory: { hits: 0, misses: 48 }, redis: { hits: 0, misses: 0, waited: 0, waitMs: 0 }, shared: 0, response: { hits: 0 } },
    });

    const warm = await stack.query(twoDays);
    assert.deepEqual(warm.body.data, cold.body.data);
    assert.equal(stack.simulator.requests.length, 2, 'no request on the warm run');
    assert.deepEqual(costOf(warm), {
      upstreamRequests: 0,
      windowsFetched: 0,
      retries: 0,
      retryWaitMs: 0,
      callsOutsideWindow: 0,
      cache: { memory: { hits: 48, misses: 0 }, redis: { hits: 0, misses: 0, waited: 0, waitMs: 0 }, shared: 0, response: { hits: 0 } },
    });
  });

  it('counts every attempt and the time waited when the upstream asks to retry', async () => {
    stack.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '1', times: 1 });
    const answer = await stack.query(`{ site(id: "${SITE}") { calls(${range(TEST_DAY, TEST_DAY + HOUR_MS)}) { totalCount } } }`);
    assert.equal(answer.body.errors, undefined);
    const cost = costOf(answer);
    assert.deepEqual(
      stack.simulator.requests.map((request) => request.status),
      [503, 200],
    );
    assert.equal(cost.upstreamRequests, 2);
    assert.equal(cost.windowsFetched, 1);
    assert.equal(cost.retries, 1);
    assert.ok(cost.retryWaitMs >= 1_000, `waited ${cost.retryWaitMs} ms`);
  });
});

describe('extensions.livedeflect off', () => {
  it('is absent with COST_EXTENSIONS=false', async () => {
    const stack = await startStack({ env: { COST_EXTENSIONS: 'false' }, simulator: { callsPerHour: 1, now: () => TEST_NOW } });
    try {
      const answer = await stack.query(`{ site(id: "${SITE}") { calls(${range(TEST_DAY, TEST_DAY + HOUR_MS)}) { totalCount } } }`);
      assert.equal(answer.body.errors, undefined);
      assert.equal(answer.body.extensions?.livedeflect, undefined);
    } finally {
      await stack.close();
    }
  });
});

describe('Cache-Control on answers', () => {
  let stack: Stack;
  // Real time here: the gateway judges "settled" by its own clock.
  const now = Date.now();
  const lastHour = range(now - HOUR_MS, now);
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 2 } });
  });
  after(() => stack.close());

  const header = async (query: string): Promise<string | null> => {
    const answer = await stack.query(query);
    return answer.headers.get('cache-control');
  };

  it('allows private caching for CACHE_SETTLED_TTL when every range is settled history', async () => {
    const settled = range(OLD_DAY, OLD_DAY + DAY_MS);
    assert.equal(
      await header(`{ site(id: "${SITE}") { id calls(${settled}, first: 2) { totalCount nodes { id customerPhone { e164 } events { type } } } } }`),
      'max-age=604800, private',
    );
  });

  it('forbids storing an answer that touches a recent range, even next to settled ones', async () => {
    assert.equal(await header(`{ site(id: "${SITE}") { calls(${lastHour}) { totalCount } } }`), 'no-store');
    assert.equal(
      await header(`{ site(id: "${SITE}") { a: calls(${range(OLD_DAY, OLD_DAY + DAY_MS)}) { totalCount } b: events(${lastHour}) { totalCount } } }`),
      'no-store',
    );
  });

  it('judges Query.call by the bucket its id names', async () => {
    const answer = await stack.query(`{ site(id: "${SITE}") { calls(${range(OLD_DAY, OLD_DAY + DAY_MS)}, first: 1) { nodes { id } } } }`);
    const [call] = (answer.body.data as { site: { calls: { nodes: { id: string }[] } } }).site.calls.nodes;
    assert.ok(call);
    assert.equal(await header(`{ call(id: "${call.id}") { callId stage } }`), 'max-age=604800, private');
  });

  it('forbids storing answers with errors and answers that read no data', async () => {
    assert.equal(
      await header(`{ site(id: "${SITE}") { calls(from: "${iso(OLD_DAY + DAY_MS)}", to: "${iso(OLD_DAY)}") { totalCount } } }`),
      'no-store',
    );
    assert.equal(await header('{ __typename }'), 'no-store');
  });
});

describe('RESPONSE_CACHE=true: whole answers over settled history', () => {
  let stack: Stack;
  const TOKEN_A = 'Bearer tenant-a';
  const TOKEN_B = 'Bearer tenant-b';
  const settled = `{ site(id: "${SITE}") { calls(${range(OLD_DAY, OLD_DAY + 2 * HOUR_MS)}, first: 2) { totalCount nodes { callId } } } }`;
  before(async () => {
    stack = await startStack({
      env: { RESPONSE_CACHE: 'true' },
      staticAuthorization: null,
      simulator: { callsPerHour: 2, credentials: { [TOKEN_A]: '*', [TOKEN_B]: ['38856538'] } },
    });
  });
  beforeEach(() => stack.simulator.clearRequests());
  after(() => stack.close());

  it('answers a repeated settled query from the response cache, without even the bucket cache', async () => {
    const first = await stack.query(settled, undefined, { authorization: TOKEN_A });
    assert.equal(first.body.errors, undefined);
    assert.equal(costOf(first).cache.response.hits, 0);
    const second = await stack.query(settled, undefined, { authorization: TOKEN_A });
    assert.deepEqual(second.body.data, first.body.data);
    assert.equal(costOf(second).cache.response.hits, 1);
    assert.equal(costOf(second).cache.memory.hits, 0, 'no bucket was looked up');
    assert.equal(stack.simulator.requests.length, 1);
  });

  it("never answers one credential from another credential's cached answer", async () => {
    await stack.query(settled, undefined, { authorization: TOKEN_A });
    const denied = await stack.query(settled, undefined, { authorization: TOKEN_B });
    assert.equal(denied.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(costOf(denied).cache.response.hits, 0);
  });

  it('says the age of an answer from the response cache, and keeps the policy it was stored with', async () => {
    const fresh = `{ site(id: "${SITE}") { calls(${range(OLD_DAY + 3 * HOUR_MS, OLD_DAY + 4 * HOUR_MS)}) { totalCount } } }`;
    const first = await stack.query(fresh, undefined, { authorization: TOKEN_A });
    assert.equal(first.headers.get('age'), null);
    const second = await stack.query(fresh, undefined, { authorization: TOKEN_A });
    assert.equal(costOf(second).cache.response.hits, 1);
    assert.match(second.headers.get('age') ?? '', /^\d+$/);
    assert.equal(second.headers.get('cache-control'), first.headers.get('cache-control'));
  });

  it('never keeps an answer over a recent range', async () => {
    const now = Date.now();
    const recent = `{ site(id: "${SITE}") { calls(${range(now - HOUR_MS, now)}) { totalCount } } }`;
    await stack.query(recent, undefined, { authorization: TOKEN_A });
    const again = await stack.query(recent, undefined, { authorization: TOKEN_A });
    assert.equal(costOf(again).cache.response.hits, 0);
  });
});

describe('RESPONSE_CACHE_MAX_BYTES: the bound of the kept answers', () => {
  it('lets the least recently used answer go when a new one would pass the bound', async () => {
    const maxBytes = 10 * 1024;
    const stack = await startStack({ env: { RESPONSE_CACHE: 'true', RESPONSE_CACHE_MAX_BYTES: '10KiB' }, simulator: { callsPerHour: 30 } });
    try {
      const hour = (start: number) =>
        `{ site(id: "${SITE}") { calls(${range(start, start + HOUR_MS)}, first: 20) { totalCount nodes { callId beginTime stage skill } } } }`;
      const [a, b] = [hour(OLD_DAY), hour(OLD_DAY + HOUR_MS)];
      const first = await stack.query(a);
      // An answer is kept as its JSON and its objects, ~3 bytes a byte of JSON (plus its key): one fits, two do not.
      const kept = 3 * JSON.stringify(first.body.data).length;
      assert.ok(kept > maxBytes / 2 && kept < maxBytes - 1024, `an answer keeps ~${kept} bytes`);
      assert.equal(costOf(await stack.query(a)).cache.response.hits, 1, 'one answer is kept');
      await stack.query(b);
      assert.equal(costOf(await stack.query(b)).cache.response.hits, 1);
      assert.equal(costOf(await stack.query(a)).cache.response.hits, 0, 'the older answer went to make room');
    } finally {
      await stack.close();
    }
  });
});
