import type { CallModel } from './call.js';
import { deflectionStatsOf, type DeflectionStatsModel } from './stats.js';

/** One point of a timeline; the shape of the schema's TimelinePoint. */
export interface TimelinePointModel {
  readonly start: number;
  readonly end: number;
  readonly stats: DeflectionStatsModel;
}

/**
 * The points of a timeline: for each [boundaries[i], boundaries[i + 1]), the deflection figures of the
 * calls that began in it. `calls` must be sorted by begin time and lie in [first boundary, last
 * boundary), as a range's calls are, so one walk assigns every call to its point: each call is read
 * once, whatever the number of points, and each point's figures come from deflectionStatsOf over
 * exactly its own calls, so they are what Site.stats answers for that point's range. That includes
 * medianSecondsToConversation: a median of the point's own calls, never one made of other points'.
 */
export function timelineOf(calls: readonly CallModel[], boundaries: readonly number[]): TimelinePointModel[] {
  const points: TimelinePointModel[] = [];
  let first = 0;
  for (let index = 1; index < boundaries.length; index++) {
    const end = boundaries[index]!;
    let last = first;
    while (last < calls.length && calls[last]!.beginTime < end) last++;
    points.push({ start: boundaries[index - 1]!, end, stats: deflectionStatsOf(calls.slice(first, last)) });
    first = last;
  }
  return points;
}
