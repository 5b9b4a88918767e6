/**
 * Time is cut into buckets aligned to the epoch (so to UTC midnight for any size that divides a day).
 * A bucket is named by its start time in epoch ms and covers [start, start + size).
 */

export interface Window {
  readonly startTime: number;
  /** Exclusive. */
  readonly endTime: number;
}

export function bucketStart(time: number, bucketSizeMs: number): number {
  return Math.floor(time / bucketSizeMs) * bucketSizeMs;
}

/**
 * Whether a bucket is settled history: it ended more than settleAfterMs ago, so its calls no longer gain
 * events. The one rule behind the cache's long TTL and the long max-age clients may cache answers for.
 */
export function isSettledBucket(bucket: number, bucketSizeMs: number, settleAfterMs: number, now: number): boolean {
  return bucket + bucketSizeMs <= now - settleAfterMs;
}

/** The buckets that hold every begin time in [from, to). */
export function bucketsForRange(from: number, to: number, bucketSizeMs: number): number[] {
  const buckets: number[] = [];
  for (let start = bucketStart(from, bucketSizeMs); start < to; start += bucketSizeMs) buckets.push(start);
  return buckets;
}

/**
 * The fewest windows, each at most maxWindowMs long, that cover the given buckets. Greedy from the
 * earliest bucket is optimal for covering points on a line with fixed-length intervals. A gap between
 * buckets asked for is bridged when it fits in the window: a few extra hours of data cost the upstream
 * less than another request, which is what its rate limit counts.
 */
export function windowsForBuckets(buckets: Iterable<number>, bucketSizeMs: number, maxWindowMs: number): Window[] {
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  const windows: Window[] = [];
  let current: { startTime: number; endTime: number } | null = null;
  for (const bucket of sorted) {
    const end = bucket + bucketSizeMs;
    if (current && end - current.startTime <= maxWindowMs) {
      current.endTime = end;
    } else {
      current = { startTime: bucket, endTime: end };
      windows.push(current);
    }
  }
  return windows;
}
