import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';

describe('upstream requests per operation', () => {
  let stack: Stack;
  let ids: string[];
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 6, now: () => TEST_NOW } });
    const answer = await stack.query(
      `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 500) { nodes { id } } } }`,
    );
    ids = (answer.body.data as { site: { calls: { nodes: { id: string }[] } } }).site.calls.nodes.map((call) => call.id);
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
  });
  after(() => stack.close());

  it('fetches a 31-day range as 31 windows without a listener-leak warning for its one deadline signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const from = TEST_DAY - 30 * DAY_MS;
      const answer = await stack.query(`{ site(id: "${SITE}") { stats(from: "${iso(from)}", to: "${iso(TEST_DAY + DAY_MS)}") { totalCalls } } }`);
      assert.equal(answer.body.errors, undefined);
      assert.equal(stack.simulator.requests.length, 31);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.map((warning) => warning.name),
      [],
    );
  });

  it('sends one request for 5 aliased ranges, nested call { site { calls } } and 20 Query.call lookups on one day', async () => {
    assert.ok(ids.length >= 20);
    const range = (from: number, to: number) => `from: "${iso(from)}", to: "${iso(to)}"`;
    const aliases = [
      `a0: calls(${range(TEST_DAY, TEST_DAY + DAY_MS)}) { totalCount }`,
      `a1: calls(${range(TEST_DAY, TEST_DAY + DAY_MS)}, filter: { hasConversation: true }) { totalCount }`,
      `a2: calls(${range(TEST_DAY + 6 * HOUR_MS, TEST_DAY + 12 * HOUR_MS)}) { nodes { callId } }`,
      `a3: calls(${range(TEST_DAY + 30 * 60_000, TEST_DAY + 23 * HOUR_MS)}, order: DESC, first: 3) { nodes { callId } }`,
      `a4: events(${range(TEST_DAY, TEST_DAY + DAY_MS)}, first: 5) { totalCount }`,
    ].join('\n');
    const lookups = ids
      .filter((_, i) => i % Math.floor(ids.length / 20) === 0)
      .slice(0, 20)
      .map((id, i) => `c${i}: call(id: "${id}") { callId site { calls(${range(TEST_DAY, TEST_DAY + DAY_MS)}, first: 1) { totalCount } } }`)
      .join('\n');
    const answer = await stack.query(`{ site(id: "${SITE}") { ${aliases} } ${lookups} }`);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.equal(Object.keys(answer.body.data!).length, 21);
    assert.deepEqual(
      stack.simulator.requests.map((request) => [request.startTime, request.endTime]),
      [[TEST_DAY, TEST_DAY + DAY_MS]],
    );
    assert.equal((answer.body.extensions?.livedeflect as { upstreamRequests: number }).upstreamRequests, 1);
  });

  it('sends one request per window for calls, stats and timelines on one range', async () => {
    const range = `from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 2 * DAY_MS)}"`;
    const answer = await stack.query(`{ site(id: "${SITE}") {
      calls(${range}, first: 3) { totalCount nodes { callId } }
      stats(${range}) { totalCalls }
      hourly: timeline(${range}) { stats { totalCalls } }
      sydney: timeline(${range}, interval: DAY, timeZone: "Australia/Sydney", filter: { hasConversation: true }) { stats { totalCalls } }
      quarters: timeline(from: "${iso(TEST_DAY + 20 * HOUR_MS)}", to: "${iso(TEST_DAY + 28 * HOUR_MS)}", interval: FIFTEEN_MINUTES) { start }
    } }`);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const site = answer.body.data?.site as { calls: { totalCount: number }; hourly: { stats: { totalCalls: number } }[] };
    assert.equal(site.hourly.length, 48);
    assert.equal(
      site.hourly.reduce((sum, point) => sum + point.stats.totalCalls, 0),
      site.calls.totalCount,
    );
    const windows = stack.simulator.requests.map((request) => [request.startTime, request.endTime]).sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(windows, [
      [TEST_DAY, TEST_DAY + DAY_MS],
      [TEST_DAY + DAY_MS, TEST_DAY + 2 * DAY_MS],
    ]);
  });

  it('sends 7 requests, one per day, for a 7-day range from midnight UTC', async () => {
    const answer = await stack.query(
      `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 7 * DAY_MS)}", first: 0) { totalCount } } }`,
    );
    assert.equal(answer.body.errors, undefined);
    const windows = stack.simulator.requests.map((request) => [request.startTime, request.endTime]).sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(
      windows,
      Array.from({ length: 7 }, (_, i) => [TEST_DAY + i * DAY_MS, TEST_DAY + (i + 1) * DAY_MS]),
    );
  });

  it('sends the site, the window and the credential unchanged', async () => {
    await stack.query(`{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + HOUR_MS)}") { totalCount } } }`);
    const [request] = stack.simulator.requests;
    assert.equal(request?.siteId, SITE);
    assert.equal(request?.authorization, 'Bearer test');
    assert.deepEqual([request?.startTime, request?.endTime], [TEST_DAY, TEST_DAY + HOUR_MS]);
  });

  it('sends nothing upstream for a range it has cached', async () => {
    const query = `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}") { totalCount } } }`;
    const first = await stack.query(query);
    const second = await stack.query(query);
    assert.deepEqual(second.body.data, first.body.data);
    assert.equal(stack.simulator.requests.length, 1);
  });
});
