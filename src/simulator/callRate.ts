// How many calls begin in one UTC hour. The default follows the site's business day: a weekday curve in
// the site's local time, quieter weekends, and ±15% hour-to-hour noise, all fixed by (site, hour).
import { unitFromParts } from './prng.js';
import { siteProfile } from './siteProfile.js';

/** A fixed count for every hour, or a function of the site and the hour's start (epoch ms). */
export type CallsPerHour = number | ((siteId: string, hourStart: number) => number);

export const HOUR_MS = 3_600_000;
// callIds reserve five digits for the index within the hour.
export const MAX_CALLS_PER_HOUR = 99_999;

// Relative call volume by local hour of day: a night trough, a morning peak around 10:00 and a
// second one mid-afternoon. Normalised below so the average weekday hour has weight 1.
const HOURLY_SHAPE = [0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.9, 1.5, 1.9, 2.1, 2.0, 1.7, 1.8, 2.0, 1.9, 1.7, 1.4, 1.0, 0.75, 0.6, 0.45, 0.3, 0.2];
const SHAPE_MEAN = HOURLY_SHAPE.reduce((sum, weight) => sum + weight, 0) / HOURLY_SHAPE.length;
const WEEKEND_FACTOR = 0.55;
const NOISE = 0.15;

/** The default rate: the expected calls in this hour, noise included (may be fractional). */
export function defaultCallsPerHour(siteId: string, hourStart: number): number {
  const profile = siteProfile(siteId);
  const local = new Date(hourStart + profile.utcOffsetHours * HOUR_MS);
  const shape = (HOURLY_SHAPE[local.getUTCHours()] ?? 1) / SHAPE_MEAN;
  const day = local.getUTCDay();
  const weekday = day === 0 || day === 6 ? WEEKEND_FACTOR : 1;
  const noise = 1 + NOISE * (2 * unitFromParts('hour-noise', siteId, hourStart) - 1);
  return profile.weekdayCallsPerHour * shape * weekday * noise;
}

/**
 * The number of calls that begin in the hour: the rate's whole part, plus one more with probability
 * equal to its fraction, so a rate of 0.25 still yields a call in about one hour of four.
 */
export function callCountForHour(rate: CallsPerHour, siteId: string, hourStart: number, fractionDraw: number): number {
  const expected = typeof rate === 'number' ? rate : rate(siteId, hourStart);
  if (!Number.isFinite(expected) || expected < 0 || expected > MAX_CALLS_PER_HOUR) {
    throw new RangeError(`callsPerHour must be a finite number in [0, ${MAX_CALLS_PER_HOUR}], but got ${expected}`);
  }
  const whole = Math.floor(expected);
  return fractionDraw < expected - whole ? whole + 1 : whole;
}
