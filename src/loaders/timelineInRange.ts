import { statsOfTallies, tallyOf, type StatsTally } from '../model/stats.js';
import type { CallList } from '../model/call.js';
import { timelineOf, type TimelinePointModel } from '../model/timeline.js';
import { bucketsForRange } from '../model/buckets.js';
import { andThen, type MaybePromise } from '../model/maybePromise.js';
import type { BucketReader } from './callsLoader.js';
import { callsInRange, isOrderedRun } from './callsInRange.js';
import { PackedCalls } from '../pack/packedCall.js';

// The tally of a cached bucket, made on the first timeline that reads it whole. A cached bucket is the same
// immutable list on every read (CallPack.calls()), so its tally is kept with it and dies with it: bounded by
// the cache itself, and small beside it (a few counts per stage and skill and one number per conversation,
// against ~230 bytes a call for the pack).
const bucketTallies = new WeakMap<CallList, StatsTally>();

function bucketTally(bucket: CallList): StatsTally {
  let tally = bucketTallies.get(bucket);
  if (!tally) {
    // A cached bucket's calls are walked without keeping a view of each: a 31-day chart would keep 200,000.
    tally = tallyOf(bucket instanceof PackedCalls ? bucket.passing() : bucket);
    bucketTallies.set(bucket, tally);
  }
  return tally;
}

/**
 * The points of an unfiltered timeline of a site, for boundaries as timelineBoundaries makes them. Each
 * point's figures are statsOfTallies over the tallies of the buckets it covers whole (a warm hourly
 * timeline reads no call at all) and of the calls of the buckets it covers in part, which are read once,
 * for that point. That is what deflectionStatsOf answers over the point's calls, because a bucket holds the
 * calls that began in it (the store files them by begin time) and, when the buckets are an ordered run,
 * the range's calls are exactly their concatenation. Other buckets (a callId the upstream moved between
 * them) take the scan of the range's calls instead, whose answer is the same by definition.
 */
export function loadTimeline(
  loader: BucketReader,
  siteId: string,
  boundaries: readonly number[],
  bucketSizeMs: number,
): MaybePromise<TimelinePointModel[]> {
  const starts = bucketsForRange(boundaries[0]!, boundaries[boundaries.length - 1]!, bucketSizeMs);
  return andThen(loader.buckets(siteId, starts), (buckets) => timelineOfBuckets(buckets, starts, boundaries, bucketSizeMs));
}

function timelineOfBuckets(
  buckets: readonly CallList[],
  starts: readonly number[],
  boundaries: readonly number[],
  bucketSizeMs: number,
): TimelinePointModel[] {
  const from = boundaries[0]!;
  const to = boundaries[boundaries.length - 1]!;
  if (!isOrderedRun(buckets)) return timelineOf(callsInRange(buckets, from, to), boundaries);
  const points: TimelinePointModel[] = [];
  for (let index = 1; index < boundaries.length; index++) {
    const start = boundaries[index - 1]!;
    const end = boundaries[index]!;
    const tallies: StatsTally[] = [];
    // bucketsForRange answers consecutive buckets, so a time's bucket is found by division.
    for (let bucket = Math.floor((start - starts[0]!) / bucketSizeMs); bucket < buckets.length && starts[bucket]! < end; bucket++) {
      const bucketStart = starts[bucket]!;
      const whole = bucketStart >= start && bucketStart + bucketSizeMs <= end;
      tallies.push(whole ? bucketTally(buckets[bucket]!) : tallyOf(callsInRange([buckets[bucket]!], start, end)));
    }
    points.push({ start, end, stats: statsOfTallies(tallies) });
  }
  return points;
}
