import type { CallModel } from '../model/call.js';
import { compareCalls } from '../model/order.js';
import { bucketsForRange, bucketStart } from './buckets.js';
import type { CallsLoader } from './callsLoader.js';

/**
 * The calls of a site that began in [from, to), deduplicated by callId and sorted by
 * (beginTime, callId). Throws the first bucket error: a range with a hole in it would be a wrong
 * answer, so the field that asked fails instead (its siblings keep their data).
 */
export async function loadCallsInRange(
  loader: CallsLoader,
  siteId: string,
  from: number,
  to: number,
  bucketSizeMs: number,
): Promise<CallModel[]> {
  const buckets = await loader.loadMany(bucketsForRange(from, to, bucketSizeMs).map((bucket) => ({ siteId, bucket })));
  const byId = new Map<string, CallModel>();
  for (const bucket of buckets) {
    if (bucket instanceof Error) throw bucket;
    for (const call of bucket) {
      if (call.beginTime >= from && call.beginTime < to) byId.set(call.callId, call);
    }
  }
  return [...byId.values()].sort(compareCalls);
}

/** One call by its callId and begin time: a single bucket, so Query.call and _entities stay narrow. */
export async function loadCall(
  loader: CallsLoader,
  siteId: string,
  callId: string,
  beginTime: number,
  bucketSizeMs: number,
): Promise<CallModel | null> {
  const calls = await loader.load({ siteId, bucket: bucketStart(beginTime, bucketSizeMs) });
  return calls.find((call) => call.callId === callId) ?? null;
}
