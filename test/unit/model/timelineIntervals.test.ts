import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timelineBoundaries } from '../../../src/model/timelineIntervals.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const iso = (time: number): string => new Date(time).toISOString();
const isoAll = (times: readonly number[] | null): string[] | null => times?.map(iso) ?? null;

describe('timelineBoundaries', () => {
  it("starts hours at the zone's own :00, which is :30 UTC where the offset is a half hour (Asia/Kolkata, +05:30)", () => {
    const from = Date.UTC(2026, 0, 1, 0, 10);
    assert.deepEqual(isoAll(timelineBoundaries(from, from + 3 * HOUR_MS, 'HOUR', 'Asia/Kolkata', 100)), [
      iso(from),
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T01:30:00.000Z',
      '2026-01-01T02:30:00.000Z',
      iso(from + 3 * HOUR_MS),
    ]);
  });

  it("starts hours at the zone's :00 where the offset is 45 minutes off the hour (Asia/Kathmandu, +05:45)", () => {
    const from = Date.UTC(2026, 0, 1, 0, 0);
    assert.deepEqual(isoAll(timelineBoundaries(from, from + 2 * HOUR_MS, 'HOUR', 'Asia/Kathmandu', 100)), [
      iso(from),
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T01:15:00.000Z',
      iso(from + 2 * HOUR_MS),
    ]);
  });

  it('starts a day whose midnight the zone skips at its first instant, and the next day at midnight (America/Santiago, 2024-09-08)', () => {
    const from = Date.UTC(2024, 8, 7, 12);
    // Santiago went from -04:00 to -03:00 at midnight: 2024-09-08 began at 01:00 local.
    assert.deepEqual(isoAll(timelineBoundaries(from, from + 2 * DAY_MS, 'DAY', 'America/Santiago', 100)), [
      iso(from),
      '2024-09-08T04:00:00.000Z',
      '2024-09-09T03:00:00.000Z',
      iso(from + 2 * DAY_MS),
    ]);
  });

  it('starts weeks on Monday local midnight (ISO weeks), whatever the locale', () => {
    const sunday = Date.UTC(2026, 9, 4, 12);
    assert.deepEqual(isoAll(timelineBoundaries(sunday, sunday + 8 * DAY_MS, 'WEEK', 'America/New_York', 100)), [
      iso(sunday),
      '2026-10-05T04:00:00.000Z',
      '2026-10-12T04:00:00.000Z',
      iso(sunday + 8 * DAY_MS),
    ]);
  });

  it('gives strictly increasing boundaries through an odd change (Lord Howe Island moves its clock by 30 minutes)', () => {
    const from = Date.UTC(2026, 9, 3, 0);
    for (const interval of ['FIFTEEN_MINUTES', 'HOUR', 'DAY'] as const) {
      const boundaries = timelineBoundaries(from, from + 2 * DAY_MS, interval, 'Australia/Lord_Howe', 1_000)!;
      assert.ok(
        boundaries.every((time, index) => index === 0 || time > boundaries[index - 1]!),
        interval,
      );
      assert.deepEqual([boundaries[0], boundaries.at(-1)], [from, from + 2 * DAY_MS]);
    }
  });

  it('allows exactly maxPoints points and answers null for one more', () => {
    const from = Date.UTC(2026, 0, 1);
    assert.equal(
      timelineBoundaries(from, from + 31 * DAY_MS, 'FIFTEEN_MINUTES', 'UTC', 3_000)!.length - 1,
      31 * 96,
      '31 days of quarter hours fit the default',
    );
    assert.equal(timelineBoundaries(from, from + 10 * HOUR_MS, 'HOUR', 'UTC', 10)!.length - 1, 10);
    assert.equal(timelineBoundaries(from, from + 10 * HOUR_MS + 1, 'HOUR', 'UTC', 10), null);
    assert.equal(timelineBoundaries(from, from + 1, 'WEEK', 'UTC', 1)!.length - 1, 1);
  });
});
