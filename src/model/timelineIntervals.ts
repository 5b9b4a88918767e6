import { DateTime } from 'luxon';

/** The length of a timeline point; the values equal the GraphQL enum values. */
export type TimelineInterval = 'FIFTEEN_MINUTES' | 'HOUR' | 'DAY' | 'WEEK';

const QUARTER_HOUR_MS = 15 * 60_000;
const HOUR_MS = 60 * 60_000;

interface IntervalClock {
  /** The start of the interval that contains `local`, on the zone's clock. */
  readonly startOf: (local: DateTime) => DateTime;
  /** The start `count` intervals after `first` (an interval start), in epoch milliseconds. */
  readonly after: (first: DateTime, count: number) => number;
}

// Every step is measured from the first start, not from the previous boundary, so an odd boundary (a day
// whose midnight does not exist, and starts at 01:00) does not shift the ones after it.
// Hours and quarter hours are exact durations: Luxon's plus({ hours }) adds milliseconds (its documented
// rule for time units), so the sum is taken here directly, without a DateTime per point. An hour is 60
// minutes even across a daylight saving change, and a zone whose offset is not whole hours (Asia/Kolkata)
// gets hours from its own :00, which is :30 UTC. Where a zone's clock moves by less than the step (Lord
// Howe Island's 30 minutes) hours after the change start at half past on its clock.
// Days and weeks are calendar units: Luxon adds them on the zone's wall clock, so a day across a change
// is 23 or 25 hours long, and startOf('day') finds a day's first instant even where midnight is skipped.
const CLOCKS: Readonly<Record<TimelineInterval, IntervalClock>> = {
  FIFTEEN_MINUTES: {
    startOf: (local) => local.set({ minute: local.minute - (local.minute % 15) }).startOf('minute'),
    after: (first, count) => first.toMillis() + count * QUARTER_HOUR_MS,
  },
  HOUR: {
    startOf: (local) => local.startOf('hour'),
    after: (first, count) => first.toMillis() + count * HOUR_MS,
  },
  DAY: {
    startOf: (local) => local.startOf('day'),
    after: (first, count) => first.plus({ days: count }).startOf('day').toMillis(),
  },
  WEEK: {
    // Luxon's weeks are ISO weeks (Monday first) unless asked for the locale's.
    startOf: (local) => local.startOf('week'),
    after: (first, count) => first.plus({ weeks: count }).startOf('day').toMillis(),
  },
};

/**
 * The boundaries of the points of a timeline over [from, to): `from`, then every start of an interval of
 * `timeZone` strictly between `from` and `to`, then `to`. Point i is [boundaries[i], boundaries[i + 1]).
 * Null when there would be more than `maxPoints` points; the walk stops there, so a client's range and
 * interval cannot make it long. `timeZone` must be a zone Luxon knows (an IANA name checked by the caller).
 */
export function timelineBoundaries(from: number, to: number, interval: TimelineInterval, timeZone: string, maxPoints: number): number[] | null {
  const clock = CLOCKS[interval];
  const first = clock.startOf(DateTime.fromMillis(from, { zone: timeZone }));
  const boundaries = [from];
  for (let count = 1; ; count++) {
    const start = clock.after(first, count);
    if (start >= to) break;
    // A start at or before the previous boundary (possible only inside a skipped hour) would make an empty point.
    if (start <= boundaries[boundaries.length - 1]!) continue;
    if (boundaries.length >= maxPoints) return null;
    boundaries.push(start);
  }
  boundaries.push(to);
  return boundaries;
}
