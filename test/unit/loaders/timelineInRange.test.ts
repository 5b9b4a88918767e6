import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callsInRange } from '../../../src/loaders/callsInRange.js';
import type { BucketReader } from '../../../src/loaders/callsLoader.js';
import { loadTimeline } from '../../../src/loaders/timelineInRange.js';
import { emptyCallFields, type CallList, type CallModel } from '../../../src/model/call.js';
import { eventKindOf } from '../../../src/model/eventKind.js';
import { timelineOf } from '../../../src/model/timeline.js';
import { buildCall, packOf } from '../../helpers/decodeOracle.js';
import { randomSource } from '../../helpers/random.js';
import { heapGrowth } from '../../helpers/heap.js';

const SITE = '1';
const BUCKET_MS = 1_000;
const ROUNDS = 300;

const FUNNELS = [
  [],
  [['deflresponse', 'N']],
  [['deflresponse', 'Y']],
  [
    ['deflresponse', 'Y'],
    ['sendtext', 'sms'],
  ],
  [
    ['deflresponse', 'Y'],
    ['sendtext', 'sms'],
    ['conversationid', 'c'],
  ],
];

/** A call at some step of the funnel, with a skill or none, its events some milliseconds apart. */
function randomCall(random: (below: number) => number, callId: string, beginTime: number): CallModel {
  const steps = [['callstart', 'Y'], ...FUNNELS[random(FUNNELS.length)]!];
  return buildCall({
    siteId: SITE,
    callId,
    beginTime,
    fields: { ...emptyCallFields(), skill: [null, 'sales', 'billing'][random(3)]! },
    events: steps.map(([rawType, info], index) => ({
      rawType: rawType!,
      type: eventKindOf(rawType!),
      info: info!,
      time: beginTime + index * (1 + random(90)),
    })),
  });
}

/** Buckets as the store holds them (packs): calls that began in each bucket, callIds from a pool small enough to repeat across buckets. */
function randomBuckets(random: (below: number) => number, round: number, count: number): CallList[] {
  return Array.from({ length: count }, (_, index) => {
    const calls = Array.from({ length: random(15) }, () => randomCall(random, `r${round}-${random(60)}`, index * BUCKET_MS + random(BUCKET_MS)));
    return packOf(SITE, [...new Map(calls.map((c) => [c.callId, c])).values()]).calls();
  });
}

/** A reader of fixed buckets: at once, as from memory, or (`later`) through a promise, as from the store. */
function loaderOf(buckets: readonly CallList[], later = false): BucketReader {
  return {
    buckets: (_siteId, starts) => {
      const read = starts.map((bucket) => buckets[bucket / BUCKET_MS] ?? []);
      return later ? Promise.resolve(read) : read;
    },
  };
}

/** Sorted, distinct boundaries in [0, end]: some on bucket edges, some inside buckets, first and last anywhere. */
function randomBoundaries(random: (below: number) => number, end: number): number[] {
  const inner = Array.from({ length: random(8) }, () => (random(2) === 0 ? random(end / BUCKET_MS) * BUCKET_MS : random(end)));
  const from = random(2) === 0 ? 0 : random(BUCKET_MS);
  const to = end - (random(2) === 0 ? 0 : random(BUCKET_MS));
  return [...new Set([from, ...inner.filter((time) => time > from && time < to).sort((a, b) => a - b), to])];
}

describe('loadTimeline', () => {
  it("answers what timelineOf answers over the range's calls, for any buckets and boundaries (moved callIds included)", async () => {
    const random = randomSource(13);
    let moved = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const buckets = randomBuckets(random, round, 1 + random(6));
      const boundaries = randomBoundaries(random, buckets.length * BUCKET_MS);
      const ids = buckets.flatMap((bucket) => [...bucket]).map((c) => c.callId);
      if (new Set(ids).size < ids.length) moved++;
      const expected = timelineOf(callsInRange(buckets, boundaries[0]!, boundaries.at(-1)!), boundaries);
      assert.deepEqual(await loadTimeline(loaderOf(buckets), SITE, boundaries, BUCKET_MS), expected, `round ${round}`);
      assert.deepEqual(
        await loadTimeline(loaderOf(buckets, true), SITE, boundaries, BUCKET_MS),
        expected,
        `round ${round}, read again, through a promise`,
      );
    }
    assert.ok(moved > ROUNDS / 10, 'enough rounds have a callId in two buckets');
  });

  it('tallies cached buckets for a first timeline without keeping a view of each call', async () => {
    // 100 buckets of 200 calls (no skill, so no pack text is inflated): a view kept for each would be ~1.1 MB.
    const packs = Array.from({ length: 100 }, (_, bucket) =>
      packOf(
        SITE,
        Array.from({ length: 200 }, (_, i) =>
          buildCall({ siteId: SITE, callId: `t${bucket}-${i}`, beginTime: bucket * BUCKET_MS + i, fields: emptyCallFields(), events: [] }),
        ),
        bucket * BUCKET_MS,
      ).calls(),
    );
    const hourly = Array.from({ length: 101 }, (_, index) => index * BUCKET_MS);
    let total = 0;
    const kept = await heapGrowth(1, async () => {
      const points = await loadTimeline(loaderOf(packs), SITE, hourly, BUCKET_MS);
      total = points.reduce((sum, point) => sum + point.stats.totalCalls, 0);
    });
    assert.equal(total, 20_000);
    assert.ok(kept < 20_000 * 20, `kept ${kept} bytes for the tallies of 20,000 calls`);
  });

  it('reads each call once for the first timeline over its buckets, and none for the next', async () => {
    const random = randomSource(7);
    let reads = 0;
    // Views of the calls that count how often a timeline reads each call's skill.
    const buckets = Array.from({ length: 24 }, (_, index) =>
      Array.from({ length: 10 }, (_, n) => randomCall(random, `${index}-${n}`, index * BUCKET_MS + n * 50)).map(
        (c) => Object.create(c, { skill: { get: () => (reads++, c.skill) } }) as CallModel,
      ),
    );
    const hourly = Array.from({ length: 25 }, (_, index) => index * BUCKET_MS);
    const first = await loadTimeline(loaderOf(buckets), SITE, hourly, BUCKET_MS);
    assert.equal(reads, 240);
    assert.equal(
      first.reduce((sum, point) => sum + point.stats.totalCalls, 0),
      240,
    );
    const daily = [0, 24 * BUCKET_MS];
    const again = await loadTimeline(loaderOf(buckets), SITE, daily, BUCKET_MS);
    assert.equal(reads, 240, "a warm timeline sums the buckets' tallies");
    assert.equal(again[0]!.stats.totalCalls, 240);
  });
});
