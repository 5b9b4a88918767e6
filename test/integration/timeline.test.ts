import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWindow } from '../../src/simulator/generator.js';
import { MAX_CALL_DURATION_MS } from '../../src/simulator/index.js';
import { DAY_MS, HOUR_MS, iso } from '../helpers/day.js';
import { expectedStats, type ExpectedCall, type ExpectedStats } from '../helpers/expectedStats.js';
import { errorCodes, startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const SEED = 'timeline';
const CALLS_PER_HOUR = 12;
/** After every range below, so the simulator's data for them is complete and fixed. */
const NOW = Date.UTC(2026, 11, 1) + MAX_CALL_DURATION_MS;
const QUARTER_MS = 15 * 60_000;

type Interval = 'FIFTEEN_MINUTES' | 'HOUR' | 'DAY' | 'WEEK';

interface Point {
  start: string;
  end: string;
  stats: ExpectedStats;
}

const TIMELINE_QUERY = `
  query Timeline($site: ID!, $from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String, $filter: CallFilter) {
    site(id: $site) {
      timeline(from: $from, to: $to, interval: $interval, timeZone: $timeZone, filter: $filter) {
        start
        end
        stats {
          totalCalls
          byStage { stage count }
          bySkill { skill totalCalls conversations deflectionRate }
          deflectionRate
          medianSecondsToConversation
        }
      }
    }
  }`;

/** The zone's wall clock at an instant, read with Intl: independent of the gateway's Luxon arithmetic. */
function wallClock(time: number, timeZone: string): { weekday: string; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' }).formatToParts(
    time,
  );
  const part = (type: string) => parts.find((each) => each.type === type)!.value;
  return { weekday: part('weekday'), hour: Number(part('hour')), minute: Number(part('minute')) };
}

/**
 * The points the API promises, found by looking at the zone's clock every quarter hour (every offset of
 * the zones tested is whole quarter hours): an interval starts where the clock reads :00/:15/:30/:45,
 * :00, midnight, or Monday midnight. The first point starts at `from` and the last ends at `to`.
 */
function expectedBoundaries(from: number, to: number, interval: Interval, timeZone: string): number[] {
  const boundaries = [from];
  for (let time = Math.floor(from / QUARTER_MS) * QUARTER_MS + QUARTER_MS; time < to; time += QUARTER_MS) {
    const clock = wallClock(time, timeZone);
    const starts =
      interval === 'FIFTEEN_MINUTES' ||
      (clock.minute === 0 && (interval === 'HOUR' || (clock.hour === 0 && (interval === 'DAY' || clock.weekday === 'Mon'))));
    if (starts) boundaries.push(time);
  }
  boundaries.push(to);
  return boundaries;
}

/** Every point with the figures worked out from the simulator's wire data for exactly its [start, end). */
function expectedTimeline(from: number, to: number, interval: Interval, timeZone: string, keep?: (call: ExpectedCall) => boolean): Point[] {
  const boundaries = expectedBoundaries(from, to, interval, timeZone);
  return boundaries.slice(1).map((end, index) => {
    const start = boundaries[index]!;
    const data = generateWindow({ seed: SEED, siteId: SITE, startTime: start, endTime: end, now: NOW, callsPerHour: CALLS_PER_HOUR });
    return { start: iso(start), end: iso(end), stats: expectedStats(data, keep) };
  });
}

const hoursOf = (point: Point) => (Date.parse(point.end) - Date.parse(point.start)) / HOUR_MS;

describe('Site.timeline', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { seed: SEED, callsPerHour: CALLS_PER_HOUR, now: () => NOW } });
  });
  after(() => stack.close());

  async function timeline(from: number, to: number, interval: Interval, timeZone: string | null, filter?: Record<string, unknown>): Promise<Point[]> {
    // The expected figures are worked out synchronously, which on a loaded CPU can hold this process past the
    // gateway's 5 s keep-alive timeout while fetch keeps an idle connection to it; a request sent at once would
    // go out on the connection the server is about to close. A timer turn lets the server's close run and a
    // setImmediate (after the poll phase) lets fetch see it, so the request takes a fresh connection.
    await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setImmediate(resolve));
    const answer = await stack.query(TIMELINE_QUERY, { site: SITE, from: iso(from), to: iso(to), interval, timeZone, filter });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return (answer.body.data?.site as { timeline: Point[] }).timeline;
  }

  it("in UTC, every HOUR, DAY and WEEK point equals the figures computed from the simulator's data for it", async () => {
    const hours = [Date.UTC(2026, 9, 14, 5, 20), Date.UTC(2026, 9, 16, 3, 10)] as const;
    const hourly = await timeline(...hours, 'HOUR', 'UTC');
    assert.equal(hourly.length, 47);
    assert.deepEqual(hourly, expectedTimeline(...hours, 'HOUR', 'UTC'));

    const days = [Date.UTC(2026, 9, 14, 12), Date.UTC(2026, 9, 21)] as const;
    const daily = await timeline(...days, 'DAY', 'UTC');
    assert.deepEqual(daily.map(hoursOf), [12, 24, 24, 24, 24, 24, 24]);
    assert.deepEqual(daily, expectedTimeline(...days, 'DAY', 'UTC'));

    // 2026-10-14 is a Wednesday: a partial week to Monday the 19th, two whole weeks, then two days.
    const weeks = [Date.UTC(2026, 9, 14), Date.UTC(2026, 10, 4)] as const;
    const weekly = await timeline(...weeks, 'WEEK', 'UTC');
    assert.deepEqual(weekly.map(hoursOf), [5 * 24, 7 * 24, 7 * 24, 2 * 24]);
    assert.deepEqual(weekly, expectedTimeline(...weeks, 'WEEK', 'UTC'));
  });

  // Each change: the UTC instant, the zone, and how long that local day is.
  const CHANGES = [
    { zone: 'Australia/Sydney', what: 'daylight saving ends (2026-04-05, a 25-hour day)', at: Date.UTC(2026, 3, 4, 16), dayHours: 25 },
    { zone: 'Australia/Sydney', what: 'daylight saving starts (2026-10-04, a 23-hour day)', at: Date.UTC(2026, 9, 3, 16), dayHours: 23 },
    { zone: 'America/New_York', what: 'daylight saving starts (2026-03-08, a 23-hour day)', at: Date.UTC(2026, 2, 8, 7), dayHours: 23 },
    { zone: 'America/New_York', what: 'daylight saving ends (2026-11-01, a 25-hour day)', at: Date.UTC(2026, 10, 1, 6), dayHours: 25 },
  ] as const;

  for (const change of CHANGES) {
    it(`in ${change.zone} when ${change.what}, every HOUR, DAY and WEEK point equals the computed figures`, async () => {
      const hours = [change.at - 30 * HOUR_MS - 20 * 60_000, change.at + 30 * HOUR_MS + 40 * 60_000] as const;
      const hourly = await timeline(...hours, 'HOUR', change.zone);
      assert.equal(hourly.length, 62, 'an hour is 60 minutes through the change, with a partial first and last hour');
      assert.deepEqual(hourly, expectedTimeline(...hours, 'HOUR', change.zone));

      const days = [change.at - 3 * DAY_MS, change.at + 3 * DAY_MS] as const;
      const daily = await timeline(...days, 'DAY', change.zone);
      assert.equal(daily.length, 7);
      assert.deepEqual(daily.slice(1, -1).map(hoursOf), [24, 24, change.dayHours, 24, 24], 'the local day of the change is the middle one');
      assert.deepEqual(daily, expectedTimeline(...days, 'DAY', change.zone));

      const weeks = [change.at - 10 * DAY_MS, change.at + 11 * DAY_MS] as const;
      const weekly = await timeline(...weeks, 'WEEK', change.zone);
      assert.equal(weekly.length, 4);
      assert.ok(
        weekly
          .slice(1, -1)
          .map(hoursOf)
          .includes(7 * 24 + change.dayHours - 24),
        'the week of the change is an hour shorter or longer',
      );
      assert.deepEqual(weekly, expectedTimeline(...weeks, 'WEEK', change.zone));
    });
  }

  it('gives 100 FIFTEEN_MINUTES points over the 25-hour local day of 2026-11-01 in New York, each with its computed figures', async () => {
    const day = [Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 2, 5)] as const;
    const quarters = await timeline(...day, 'FIFTEEN_MINUTES', 'America/New_York');
    assert.equal(quarters.length, 100);
    assert.ok(quarters.every((point) => hoursOf(point) === 0.25));
    assert.deepEqual(quarters, expectedTimeline(...day, 'FIFTEEN_MINUTES', 'America/New_York'));
  });

  it('starts the first point at "from" and ends the last at "to" when they fall inside an interval', async () => {
    const from = Date.UTC(2026, 9, 20, 9, 7, 30);
    const to = Date.UTC(2026, 9, 25, 1, 45);
    const daily = await timeline(from, to, 'DAY', 'Australia/Sydney');
    // Sydney is at +11 in late October: local midnight is 13:00 UTC.
    assert.deepEqual(
      daily.map(({ start, end }) => [start, end]),
      [
        [iso(from), '2026-10-20T13:00:00.000Z'],
        ['2026-10-20T13:00:00.000Z', '2026-10-21T13:00:00.000Z'],
        ['2026-10-21T13:00:00.000Z', '2026-10-22T13:00:00.000Z'],
        ['2026-10-22T13:00:00.000Z', '2026-10-23T13:00:00.000Z'],
        ['2026-10-23T13:00:00.000Z', '2026-10-24T13:00:00.000Z'],
        ['2026-10-24T13:00:00.000Z', iso(to)],
      ],
    );
    assert.deepEqual(daily, expectedTimeline(from, to, 'DAY', 'Australia/Sydney'));
    const short = await timeline(from, from + 60_000, 'WEEK', 'UTC');
    assert.deepEqual(
      short.map(({ start, end }) => [start, end]),
      [[iso(from), iso(from + 60_000)]],
      'a range inside one interval is one point',
    );
  });

  for (const [name, filter, keep] of [
    ['skills', { skills: ['sales', 'billing'] }, (call: ExpectedCall) => ['sales', 'billing'].includes(call.skill)],
    ['stages', { stages: ['TEXT_SENT', 'CONVERSATION_STARTED'] }, (call: ExpectedCall) => ['TEXT_SENT', 'CONVERSATION_STARTED'].includes(call.stage)],
    ['hasConversation', { hasConversation: false }, (call: ExpectedCall) => !call.hasConversation],
  ] as const) {
    it(`applies a ${name} filter to every point before counting`, async () => {
      const range = [Date.UTC(2026, 9, 14, 6), Date.UTC(2026, 9, 17, 18)] as const;
      const points = await timeline(...range, 'HOUR', 'America/New_York', filter);
      const expected = expectedTimeline(...range, 'HOUR', 'America/New_York', keep);
      assert.ok(expected.some((point) => point.stats.totalCalls > 0));
      assert.ok(
        expected.reduce((sum, point) => sum + point.stats.totalCalls, 0) <
          expectedTimeline(...range, 'HOUR', 'America/New_York').reduce((sum, point) => sum + point.stats.totalCalls, 0),
        'the filter leaves calls out',
      );
      assert.deepEqual(points, expected);
    });
  }

  it("answers for each point exactly what Site.stats answers for the point's range and filter", async () => {
    const from = Date.UTC(2026, 9, 29, 15, 30);
    const to = Date.UTC(2026, 10, 3, 2);
    const filter = { skills: ['sales', 'support', 'billing'] };
    const fields =
      'totalCalls byStage { stage count } bySkill { skill totalCalls conversations deflectionRate } deflectionRate medianSecondsToConversation';
    const points = await timeline(from, to, 'DAY', 'America/New_York', filter);
    const aliases = points.map(({ start, end }, index) => `p${index}: stats(from: "${start}", to: "${end}", filter: $filter) { ${fields} }`);
    const answer = await stack.query(`query Each($filter: CallFilter) { site(id: "${SITE}") { ${aliases.join('\n')} } }`, { filter });
    assert.equal(answer.body.errors, undefined);
    const site = answer.body.data?.site as Record<string, unknown>;
    assert.deepEqual(
      points.map((point) => point.stats),
      points.map((_, index) => site[`p${index}`]),
    );
  });

  it('reads a null or differently spelled time zone as the zone it names, and defaults to HOUR in UTC', async () => {
    const range = [Date.UTC(2026, 9, 14, 10), Date.UTC(2026, 9, 14, 16)] as const;
    assert.deepEqual(await timeline(...range, 'DAY', 'australia/SYDNEY'), await timeline(...range, 'DAY', 'Australia/Sydney'));
    assert.deepEqual(await timeline(...range, 'HOUR', null), await timeline(...range, 'HOUR', 'UTC'));
    const answer = await stack.query(`{ site(id: "${SITE}") { timeline(from: "${iso(range[0])}", to: "${iso(range[1])}") { start } } }`);
    assert.deepEqual(
      (answer.body.data?.site as { timeline: { start: string }[] }).timeline.map(({ start }) => start),
      [0, 1, 2, 3, 4, 5].map((hour) => iso(range[0] + hour * HOUR_MS)),
    );
  });
});

describe('Site.timeline refusals', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { MAX_TIMELINE_POINTS: '48' }, simulator: { seed: SEED, callsPerHour: 2, now: () => NOW } });
  });
  after(() => stack.close());

  async function refusal(variables: Record<string, unknown>): Promise<{ message: string; argumentName: unknown }> {
    stack.simulator.clearRequests();
    const answer = await stack.query(
      `query T($from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String) {
        site(id: "${SITE}") { id timeline(from: $from, to: $to, interval: $interval, timeZone: $timeZone) { start } } }`,
      { interval: 'HOUR', timeZone: 'UTC', ...variables },
    );
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
    assert.deepEqual(answer.body.errors?.[0]?.path, ['site', 'timeline']);
    assert.deepEqual(answer.body.data?.site, { id: SITE, timeline: null }, 'the rest of the answer is served');
    assert.equal(stack.simulator.requests.length, 0, 'nothing is asked upstream');
    const error = answer.body.errors?.[0];
    return { message: error?.message ?? '', argumentName: error?.extensions?.argumentName };
  }

  const from = Date.UTC(2026, 9, 14);

  it('refuses an unknown time zone, naming the argument and an example of a good one', async () => {
    for (const timeZone of ['Mars/Olympus_Mons', 'local', '+05:30x', '']) {
      const { message, argumentName } = await refusal({ from: iso(from), to: iso(from + DAY_MS), timeZone });
      assert.equal(argumentName, 'timeZone');
      assert.match(message, /"timeZone" must be an IANA time zone name like "Australia\/Sydney"/);
    }
  });

  it('refuses more points than MAX_TIMELINE_POINTS, saying what to change, and allows exactly that many', async () => {
    const { message, argumentName } = await refusal({ from: iso(from), to: iso(from + 2 * DAY_MS + 60_000) });
    assert.equal(argumentName, 'interval');
    assert.match(message, /more than the 48 points allowed \(MAX_TIMELINE_POINTS\): use a longer interval or a shorter range/);
    const answer = await stack.query(`{ site(id: "${SITE}") { timeline(from: "${iso(from)}", to: "${iso(from + 2 * DAY_MS)}") { start } } }`);
    assert.equal(answer.body.errors, undefined);
    assert.equal((answer.body.data?.site as { timeline: unknown[] }).timeline.length, 48);
  });

  it('applies the range rules of calls: from before to, at most MAX_RANGE', async () => {
    assert.equal((await refusal({ from: iso(from), to: iso(from) })).argumentName, 'from');
    assert.match((await refusal({ from: iso(from), to: iso(from + 32 * DAY_MS), interval: 'WEEK' })).message, /longer than the 31d allowed/);
  });
});
