import { badUserInput } from '../errors/graphqlErrors.js';
import { timelineBoundaries, type TimelineInterval } from '../model/timelineIntervals.js';
import { iso } from './rangeArgs.js';
import { rememberAnswers } from '../model/rememberAnswers.js';

// Intl knows the IANA zones (any letter case, old aliases too) and answers each with its canonical name.
// Only that name goes on to Luxon, which keeps a zone object per name it is given forever: canonical
// names are a fixed set of a few hundred, where the spellings a client can send are not.
const canonicalZone = rememberAnswers((timeZone: string) => new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone, 1_024);

/** The canonical IANA name of a timeline's time zone; null means UTC, as the schema's default does. */
export function validTimeZone(timeZone: string | null | undefined): string {
  if (timeZone === null || timeZone === undefined) return 'UTC';
  try {
    return canonicalZone(timeZone);
  } catch {
    throw badUserInput(
      `"timeZone" must be an IANA time zone name like "Australia/Sydney", "America/New_York" or "UTC"; got ${JSON.stringify(timeZone.slice(0, 60))}`,
      { argumentName: 'timeZone' },
    );
  }
}

/** The point boundaries of a timeline over a valid range: at most MAX_TIMELINE_POINTS points. */
export function validTimelineBoundaries(
  range: { from: number; to: number },
  interval: TimelineInterval,
  timeZone: string,
  maxPoints: number,
): number[] {
  const boundaries = timelineBoundaries(range.from, range.to, interval, timeZone, maxPoints);
  if (!boundaries) {
    throw badUserInput(
      `A timeline of ${interval} intervals from ${iso(range.from)} to ${iso(range.to)} has more than the ${maxPoints} points allowed (MAX_TIMELINE_POINTS): use a longer interval or a shorter range`,
      { argumentName: 'interval', max: maxPoints },
    );
  }
  return boundaries;
}
