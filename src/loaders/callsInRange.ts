import type { CallList, CallModel } from '../model/call.js';
import { compareCalls } from '../model/order.js';
import { bucketsForRange, bucketStart } from '../model/buckets.js';
import type { BucketReader } from './callsLoader.js';
import { andThen, type MaybePromise } from '../model/maybePromise.js';
import type { PositionalList } from '../model/positionalList.js';
import type { CallPack } from '../pack/callPack.js';
import { PackedCalls } from '../pack/packedCall.js';

/**
 * The calls of a site that began in [from, to), deduplicated by callId and sorted by
 * (beginTime, callId). Throws the first bucket error: a range with a hole in it would be a wrong
 * answer, so the field that asked fails instead (its siblings keep their data). At once when the
 * buckets are in memory, as every read here (CallsLoader.buckets).
 */
export function loadCallsInRange(loader: BucketReader, siteId: string, from: number, to: number, bucketSizeMs: number): MaybePromise<CallModel[]> {
  return andThen(loader.buckets(siteId, bucketsForRange(from, to, bucketSizeMs)), (buckets) => callsInRange(buckets, from, to));
}

/**
 * The same calls as loadCallsInRange, read by position without being copied into one array: a page
 * of 5 and the count of a range of thousands of cached calls read 5 calls, not thousands.
 */
export function loadCallRange(
  loader: BucketReader,
  siteId: string,
  from: number,
  to: number,
  bucketSizeMs: number,
): MaybePromise<PositionalList<CallModel>> {
  return andThen(loader.buckets(siteId, bucketsForRange(from, to, bucketSizeMs)), (buckets) => callRange(buckets, from, to));
}

/**
 * What loadCallsInRange answers, from buckets in ascending time order. Buckets are time-disjoint and
 * each comes sorted (a pack is written in (beginTime, callId) order), so the range is their
 * concatenation, each trimmed to [from, to) by binary search: no sort and no dedupe per request.
 * Buckets whose calls are not one strictly ascending run with distinct callIds (a callId the upstream
 * moved across buckets) take the general path, whose answer is the same by definition.
 */
export function callsInRange(buckets: readonly CallList[], from: number, to: number): CallModel[] {
  const slices = orderedSlices(buckets, from, to);
  if (!slices) return sortedUnique(buckets, from, to);
  const range: CallModel[] = [];
  for (const { bucket, start, end } of slices) {
    for (let index = start; index < end; index++) range.push(bucket.at(index)!);
  }
  return range;
}

/** callsInRange's calls without the copy: the buckets' trimmed slices, seen as one list. */
export function callRange(buckets: readonly CallList[], from: number, to: number): PositionalList<CallModel> {
  const slices = orderedSlices(buckets, from, to);
  return slices ? new ConcatenatedSlices(slices) : sortedUnique(buckets, from, to);
}

interface BucketSlice {
  readonly bucket: CallList;
  readonly start: number;
  readonly end: number;
}

/** Each bucket trimmed to [from, to) by binary search, the empty ones left out; null when the buckets are not an ordered run. */
function orderedSlices(buckets: readonly CallList[], from: number, to: number): BucketSlice[] | null {
  if (!isOrderedRun(buckets)) return null;
  const slices: BucketSlice[] = [];
  for (const bucket of buckets) {
    const start = firstBeginningAt(bucket, from);
    const end = firstBeginningAt(bucket, to);
    if (start < end) slices.push({ bucket, start, end });
  }
  return slices;
}

/** Consecutive slices of sorted buckets read as one list: at() finds its slice by binary search over their offsets. */
class ConcatenatedSlices implements PositionalList<CallModel> {
  readonly length: number;
  /** offsets[i]: the position in the list of slices[i]'s first call. */
  private readonly offsets: number[] = [];

  constructor(private readonly slices: readonly BucketSlice[]) {
    let length = 0;
    for (const { start, end } of slices) {
      this.offsets.push(length);
      length += end - start;
    }
    this.length = length;
  }

  at(index: number): CallModel | undefined {
    if (index < 0 || index >= this.length) return undefined;
    // The last slice whose offset is at or before index.
    let low = 0;
    let high = this.slices.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.offsets[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    const slice = this.slices[low]!;
    return slice.bucket.at(slice.start + index - this.offsets[low]!);
  }
}

// Whether a sequence of buckets is an ordered run depends only on which buckets they are, and a cached
// bucket is the same immutable list on every read (CallPack.calls()), so the verdict is checked once
// per sequence and remembered with its first bucket. A sequence is named by numbers given to its
// lists, which holds no reference to the other buckets: an evicted pack is not kept alive by a verdict.
const bucketNumbers = new WeakMap<CallList, number>();
let nextBucketNumber = 0;
const orderedRuns = new WeakMap<CallList, Set<string>>();
/** A bucket starts few distinct ranges in practice; the bound keeps odd clients from growing it. */
const ORDERED_RUNS_PER_BUCKET = 32;

/** Whether callsInRange may concatenate these buckets (each trimmed only at the range's edges) as they are. */
export function isOrderedRun(buckets: readonly CallList[]): boolean {
  const first = buckets[0];
  if (!first) return true;
  const name = buckets.map(bucketNumber).join(',');
  const known = orderedRuns.get(first);
  if (known?.has(name)) return true;
  if (!ascendingWithDistinctIds(buckets)) return false;
  const runs = known ?? new Set<string>();
  if (runs.size >= ORDERED_RUNS_PER_BUCKET) runs.delete(runs.values().next().value!);
  runs.add(name);
  orderedRuns.set(first, runs);
  return true;
}

// The same verdict for one bucket alone, as callIn asks it for every id: one lookup, no name to build.
const sortedBuckets = new WeakMap<CallList, boolean>();

function isSortedBucket(bucket: CallList): boolean {
  let sorted = sortedBuckets.get(bucket);
  if (sorted === undefined) {
    sorted = ascendingWithDistinctIds([bucket]);
    sortedBuckets.set(bucket, sorted);
  }
  return sorted;
}

function bucketNumber(bucket: CallList): number {
  let number = bucketNumbers.get(bucket);
  if (number === undefined) {
    number = nextBucketNumber++;
    bucketNumbers.set(bucket, number);
  }
  return number;
}

/** Every call of the buckets, in order, strictly after the one before it, and no callId twice. */
function ascendingWithDistinctIds(buckets: readonly CallList[]): boolean {
  let previous: CallModel | null = null;
  for (const bucket of buckets) {
    if (bucket.length === 0) continue;
    if ((previous && compareCalls(previous, bucket.at(0)!) >= 0) || !isAscending(bucket)) return false;
    previous = bucket.at(-1)!;
  }
  return distinctCallIds(buckets);
}

/** One bucket's calls each strictly after the one before; a pack answers from its columns, making no view per call. */
function isAscending(bucket: CallList): boolean {
  if (bucket instanceof PackedCalls) return bucket.pack.ascending;
  let previous: CallModel | null = null;
  for (const call of bucket) {
    if (previous && compareCalls(previous, call) >= 0) return false;
    previous = call;
  }
  return true;
}

/**
 * Whether no callId repeats in these buckets. Cached buckets (packs) are told apart by a hash of each
 * callId's bytes, read in place: a 31-day range's 200,000 callIds made into strings and kept in a Set
 * for this were ~12 MB at once, and most of them are never paged to. Equal hashes (a callId twice, or,
 * rarely, two callIds with one hash) leave the verdict to the callIds themselves. `hashOf` is for
 * tests, which make every hash collide.
 */
export function distinctCallIds(
  buckets: readonly CallList[],
  hashOf: (pack: CallPack, call: number) => number = (pack, call) => pack.callIdHash(call),
): boolean {
  const calls = buckets.reduce((sum, bucket) => sum + bucket.length, 0);
  const hashes = new Float64Array(calls);
  let at = 0;
  for (const bucket of buckets) {
    if (!(bucket instanceof PackedCalls)) return distinctCallIdStrings(buckets);
    for (let call = 0; call < bucket.length; call++) hashes[at++] = hashOf(bucket.pack, call);
  }
  hashes.sort();
  for (let index = 1; index < calls; index++) if (hashes[index] === hashes[index - 1]) return distinctCallIdStrings(buckets);
  return true;
}

function distinctCallIdStrings(buckets: readonly CallList[]): boolean {
  const callIds = new Set<string>();
  for (const bucket of buckets) {
    for (let call = 0; call < bucket.length; call++) {
      if (callIds.size === callIds.add(callIdAt(bucket, call)).size) return false;
    }
  }
  return true;
}

/** Deduplicated by callId, the call of the latest bucket winning, then sorted: for any buckets at all. */
function sortedUnique(buckets: readonly CallList[], from: number, to: number): CallModel[] {
  const byId = new Map<string, CallModel>();
  for (const bucket of buckets) {
    for (const call of bucket) {
      if (call.beginTime >= from && call.beginTime < to) byId.set(call.callId, call);
    }
  }
  return [...byId.values()].sort(compareCalls);
}

/** Binary search in a bucket sorted by begin time: the first index whose call begins at or after `time`. */
function firstBeginningAt(bucket: CallList, time: number): number {
  let low = 0;
  let high = bucket.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (beginTimeAt(bucket, mid) < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

// A call's begin time and callId, from the pack's columns when the bucket is a pack: the calls a search or a
// check passes over get no view (a view, once made, is kept with the cache).
function beginTimeAt(bucket: CallList, index: number): number {
  return bucket instanceof PackedCalls ? bucket.pack.beginTime(index) : bucket.at(index)!.beginTime;
}

function callIdAt(bucket: CallList, index: number): string {
  return bucket instanceof PackedCalls ? bucket.pack.callId(index) : bucket.at(index)!.callId;
}

/** One call by its callId and begin time: a single bucket, so Query.call and _entities stay narrow. */
export function loadCall(
  loader: BucketReader,
  siteId: string,
  callId: string,
  beginTime: number,
  bucketSizeMs: number,
): MaybePromise<CallModel | null> {
  return andThen(loader.buckets(siteId, [bucketStart(beginTime, bucketSizeMs)]), ([bucket]) => callIn(bucket!, callId, beginTime));
}

/**
 * The bucket's call with this callId, or null. A sorted bucket is searched at the begin time the id
 * names (a dashboard's 50 ids would otherwise compare thousands of callIds per request); a callId found
 * elsewhere in the bucket (its begin time moved upstream) or an unsorted bucket takes the scan.
 */
export function callIn(bucket: CallList, callId: string, beginTime: number): CallModel | null {
  if (isSortedBucket(bucket)) {
    for (let index = firstBeginningAt(bucket, beginTime); index < bucket.length && beginTimeAt(bucket, index) === beginTime; index++) {
      const call = bucket.at(index)!;
      if (call.callId === callId) return call;
    }
  }
  for (let index = 0; index < bucket.length; index++) if (callIdAt(bucket, index) === callId) return bucket.at(index)!;
  return null;
}
