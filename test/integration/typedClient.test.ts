import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeflectionStage } from '../../examples/typed-client/gql/graphql.js';
import { GraphQLRequestError } from '../../examples/typed-client/src/client.js';
import {
  allCalls,
  describeStats,
  siteStats,
  siteTimeline,
  type CallRow,
  type SiteStats,
  type TimelinePoint,
} from '../../examples/typed-client/src/dashboard.js';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { assertCompiles, assertGeneratedFresh } from '../helpers/examples.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CALLS_PER_HOUR = 6;

/** True only when A and B are the same type: checked by `tsc` over the test suite, before any test runs. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const stageIsTheSchemaEnum: Same<CallRow['stage'], DeflectionStage> = true;
const rateIsNullable: Same<SiteStats['deflectionRate'], number | null> = true;
const pointStartIsAString: Same<TimelinePoint['start'], string> = true;

describe('typed client example (examples/typed-client)', () => {
  it('compiles under its own tsconfig with tsc --noEmit', () => assertCompiles('examples/typed-client'));

  it('has committed gql/ equal to what its codegen config makes from schema/ now (run it and commit when this fails)', () =>
    assertGeneratedFresh('examples/typed-client'));

  describe('against a running gateway', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ simulator: { callsPerHour: CALLS_PER_HOUR, now: () => TEST_NOW } });
    });
    after(() => stack.close());
    const range = () => ({ site: '25508804', from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) });

    it('pages through a day of calls and reads its stats, typed end to end', async () => {
      assert.ok(stageIsTheSchemaEnum && rateIsNullable);
      const client = { endpoint: `${stack.gatewayUrl}/graphql` };
      const calls = await allCalls(client, range(), 50);
      assert.equal(calls.length, 24 * CALLS_PER_HOUR);
      assert.equal(new Set(calls.map((call) => call.id)).size, calls.length);
      const stats = await siteStats(client, range());
      assert.ok(stats);
      assert.equal(stats.totalCalls, calls.length);
      const conversations = calls.filter((call) => call.stage === 'CONVERSATION_STARTED').length;
      assert.equal(stats.byStage.find((entry) => entry.stage === 'CONVERSATION_STARTED')?.count, conversations);
      assert.equal(stats.deflectionRate, conversations / calls.length);
      const sales = await siteStats(client, range(), ['sales']);
      assert.deepEqual(
        sales?.bySkill.map((entry) => entry.skill),
        ['sales'],
      );
      const summary = describeStats(stats);
      assert.match(summary[0] ?? '', new RegExp(`^${calls.length} calls, \\d+\\.\\d% deflected to messaging$`));
    });

    it("reads a timeline in the site's time zone, typed end to end", async () => {
      assert.ok(pointStartIsAString);
      const client = { endpoint: `${stack.gatewayUrl}/graphql` };
      const hourly = await siteTimeline(client, range(), 'HOUR', 'Australia/Sydney');
      assert.ok(hourly);
      assert.equal(hourly.length, 24);
      assert.equal(
        hourly.reduce((sum, point) => sum + point.stats.totalCalls, 0),
        24 * CALLS_PER_HOUR,
      );
      // Sydney is at +11 in mid-October: its midnight is 13:00 UTC, so a UTC day spans two of its days.
      const daily = await siteTimeline(client, range(), 'DAY', 'Australia/Sydney');
      assert.deepEqual(
        daily?.map((point) => point.end),
        [iso(TEST_DAY + 13 * 3_600_000), iso(TEST_DAY + DAY_MS)],
      );
    });

    it("turns the gateway's errors into a GraphQLRequestError with their codes", async () => {
      const client = { endpoint: `${stack.gatewayUrl}/graphql` };
      const empty = { ...range(), to: range().from };
      await assert.rejects(siteStats(client, empty), (error: unknown) => {
        assert.ok(error instanceof GraphQLRequestError);
        assert.deepEqual(error.codes, ['BAD_USER_INPUT']);
        return true;
      });
    });
  });
});
