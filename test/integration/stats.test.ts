import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWindow, type WireEvent } from '../../src/simulator/generator.js';
import { expectedStats } from '../helpers/expectedStats.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const SEED = 'stats';
const CALLS_PER_HOUR = 12;

const STATS_QUERY = `
  query Stats($site: ID!, $from: DateTime!, $to: DateTime!, $filter: CallFilter) {
    site(id: $site) {
      stats(from: $from, to: $to, filter: $filter) {
        totalCalls
        byStage { stage count }
        bySkill { skill totalCalls conversations deflectionRate }
        deflectionRate
        medianSecondsToConversation
      }
    }
  }`;

function wireDay(start: number): Record<string, WireEvent[]> {
  const window = { startTime: start, endTime: start + DAY_MS };
  return generateWindow({ seed: SEED, siteId: SITE, ...window, now: TEST_NOW, callsPerHour: CALLS_PER_HOUR });
}

describe('Site.stats', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { seed: SEED, callsPerHour: CALLS_PER_HOUR, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  it("over a day equals the figures computed from the simulator's own data for that day", async () => {
    const answer = await stack.query(STATS_QUERY, { site: SITE, from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) });
    assert.equal(answer.body.errors, undefined);
    const expected = expectedStats(wireDay(TEST_DAY));
    assert.equal(expected.totalCalls, 24 * CALLS_PER_HOUR);
    assert.ok(expected.medianSecondsToConversation !== null && expected.bySkill.length > 3, 'the day has a varied funnel');
    assert.deepEqual((answer.body.data?.site as { stats: unknown }).stats, expected);
  });

  it('over a range that cuts its first and last buckets, equals the figures of the calls that began in it, cold and warm', async () => {
    const from = TEST_DAY + 90 * 60_000;
    const to = TEST_DAY + 10 * HOUR_MS + 30 * 60_000;
    const inRange = Object.fromEntries(
      Object.entries(wireDay(TEST_DAY)).filter(([, events]) => Number(events[0]!.beginTimeStamp) >= from && Number(events[0]!.beginTimeStamp) < to),
    );
    const expected = expectedStats(inRange);
    assert.ok(expected.totalCalls > 8 * CALLS_PER_HOUR && expected.totalCalls < 10 * CALLS_PER_HOUR, `${expected.totalCalls} calls`);
    for (const read of ['cold', 'warm']) {
      const answer = await stack.query(STATS_QUERY, { site: SITE, from: iso(from), to: iso(to) }, { authorization: 'Bearer cut-buckets' });
      assert.equal(answer.body.errors, undefined);
      assert.deepEqual((answer.body.data?.site as { stats: unknown }).stats, expected, read);
    }
  });

  it('applies the filter before counting', async () => {
    const filter = { skills: ['sales', 'billing'] };
    const answer = await stack.query(STATS_QUERY, { site: SITE, from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS), filter });
    assert.equal(answer.body.errors, undefined);
    const expected = expectedStats(wireDay(TEST_DAY), ({ skill }) => filter.skills.includes(skill));
    assert.deepEqual((answer.body.data?.site as { stats: unknown }).stats, expected);
    assert.deepEqual(expected.bySkill.map(({ skill }) => skill).sort(), ['billing', 'sales']);
  });

  it('lists every stage in the schema enum order and gives null rates when no call matches', async () => {
    const answer = await stack.query(
      `query Empty($from: DateTime!, $to: DateTime!) {
        stages: __type(name: "DeflectionStage") { enumValues { name } }
        site(id: "${SITE}") {
          stats(from: $from, to: $to) { totalCalls byStage { stage count } bySkill { skill } deflectionRate medianSecondsToConversation }
        }
      }`,
      { from: iso(TEST_NOW + HOUR_MS), to: iso(TEST_NOW + 2 * HOUR_MS) },
    );
    assert.equal(answer.body.errors, undefined);
    const enumOrder = (answer.body.data?.stages as { enumValues: { name: string }[] }).enumValues.map(({ name }) => name);
    assert.deepEqual((answer.body.data?.site as { stats: unknown }).stats, {
      totalCalls: 0,
      byStage: enumOrder.map((stage) => ({ stage, count: 0 })),
      bySkill: [],
      deflectionRate: null,
      medianSecondsToConversation: null,
    });
  });

  it('next to calls and events on the same range costs one upstream request in all', async () => {
    const from = TEST_DAY + DAY_MS;
    stack.simulator.clearRequests();
    const answer = await stack.query(
      `query Dashboard($from: DateTime!, $to: DateTime!) {
        site(id: "${SITE}") {
          calls(from: $from, to: $to, first: 5) { totalCount nodes { callId stage } }
          events(from: $from, to: $to, first: 1) { totalCount }
          stats(from: $from, to: $to) { totalCalls deflectionRate }
          sales: stats(from: $from, to: $to, filter: { skills: ["sales"] }) { totalCalls }
        }
      }`,
      { from: iso(from), to: iso(from + DAY_MS) },
    );
    assert.equal(answer.body.errors, undefined);
    const site = answer.body.data?.site as { calls: { totalCount: number }; stats: { totalCalls: number } };
    assert.equal(site.stats.totalCalls, site.calls.totalCount);
    assert.equal(stack.simulator.requests.length, 1);
    assert.deepEqual(
      stack.simulator.requests.map(({ startTime, endTime }) => ({ startTime, endTime })),
      [{ startTime: from, endTime: from + DAY_MS }],
    );
  });

  it('refuses an empty range with BAD_USER_INPUT and no upstream request', async () => {
    stack.simulator.clearRequests();
    const answer = await stack.query(STATS_QUERY, { site: SITE, from: iso(TEST_DAY), to: iso(TEST_DAY) });
    assert.equal((answer.body.data?.site as { stats: unknown }).stats, null);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(answer.body.errors?.[0]?.path, ['site', 'stats']);
    assert.equal(stack.simulator.requests.length, 0);
  });
});
