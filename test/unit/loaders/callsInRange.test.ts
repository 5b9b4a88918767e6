import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callIn, callRange, callsInRange, distinctCallIds } from '../../../src/loaders/callsInRange.js';
import { emptyCallFields, type CallList, type CallModel } from '../../../src/model/call.js';
import { buildCall, packOf } from '../../helpers/decodeOracle.js';
import { eventKindOf } from '../../../src/model/eventKind.js';
import { callSortKey, compareCalls, compareEvents, compareSortKeys, eventSortKey } from '../../../src/model/order.js';
import { randomSource } from '../../helpers/random.js';
import { heapGrowth } from '../../helpers/heap.js';
import { CallPack, headerLayout, HEADER_BYTES } from '../../../src/pack/callPack.js';
import type { PositionalList } from '../../../src/model/positionalList.js';

const SITE = '1';
const BUCKET_MS = 1_000;
const ROUNDS = 300;

function call(callId: string, beginTime: number, eventOffsets: readonly number[] = [0]): CallModel {
  return buildCall({
    siteId: SITE,
    callId,
    beginTime,
    fields: emptyCallFields(),
    events: eventOffsets.map((offset) => ({ rawType: 'callstart', type: eventKindOf('callstart'), info: null, time: beginTime + offset })),
  });
}

/** What a range was before buckets were concatenated: every call in range, the latest bucket's winning a callId, sorted by key. */
function sortOfAll(buckets: readonly CallList[], from: number, to: number): CallModel[] {
  const byId = new Map<string, CallModel>();
  for (const bucket of buckets) for (const c of bucket) if (c.beginTime >= from && c.beginTime < to) byId.set(c.callId, c);
  return [...byId.values()].sort((a, b) => compareSortKeys(callSortKey(a), callSortKey(b)));
}

/** Random buckets as the store holds them (packs), with begin times that collide and callIds from a small pool. */
function randomBuckets(random: (below: number) => number, round: number): CallList[] {
  return Array.from({ length: 1 + random(5) }, (_, index) => {
    const calls = Array.from({ length: random(12) }, () => call(`r${round}-${random(40)}`, index * BUCKET_MS + random(10) * 100, [0, random(50)]));
    const distinct = [...new Map(calls.map((c) => [c.callId, c])).values()];
    return packOf(SITE, distinct).calls();
  });
}

/** A range over the buckets' span that may start before it, end after it, or be empty. */
function randomRange(random: (below: number) => number, buckets: readonly unknown[]): { from: number; to: number } {
  const span = buckets.length * BUCKET_MS;
  const from = random(span + 1) - 50;
  return { from, to: from + random(span + 100) };
}

const keyOf = (c: CallModel): string => `${c.callId}@${c.beginTime}`;

describe('calls of a range', () => {
  it('a pack gives its calls back sorted by (beginTime, callId) whatever order they were added in', () => {
    const random = randomSource(1);
    for (let round = 0; round < ROUNDS; round++) {
      const calls = Array.from({ length: random(30) }, (_, i) => call(`c${random(1000)}-${i}`, random(5) * 10));
      const packed = packOf(SITE, calls).calls();
      assert.deepEqual([...packed].map(keyOf), [...calls].sort((a, b) => compareSortKeys(callSortKey(a), callSortKey(b))).map(keyOf));
    }
  });

  it('a range of buckets equals the sort of all their calls deduplicated by callId, also when a callId repeats across buckets', () => {
    const random = randomSource(2);
    let repeated = 0;
    let distinct = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const buckets = randomBuckets(random, round);
      const { from, to } = randomRange(random, buckets);
      const expected = sortOfAll(buckets, from, to);
      const all = buckets.flatMap((bucket) => [...bucket]);
      if (new Set(all.map((c) => c.callId)).size < all.length) repeated++;
      else distinct++;
      // Twice: the second answer comes from the remembered verdict on the same buckets.
      for (let time = 0; time < 2; time++) {
        const actual = callsInRange(buckets, from, to);
        assert.deepEqual(actual.map(keyOf), expected.map(keyOf), `round ${round}, range [${from}, ${to})`);
        assert.ok(
          actual.every((c, i) => c === expected[i]),
          'the same call objects, not copies',
        );
      }
    }
    assert.ok(repeated > 0 && distinct > 0, `both kinds of data were drawn (${repeated} with a repeated callId, ${distinct} without)`);
  });

  it('a range read in place holds the calls of callsInRange at the same positions, and nothing outside them', () => {
    const random = randomSource(5);
    for (let round = 0; round < ROUNDS; round++) {
      const buckets = randomBuckets(random, round);
      const { from, to } = randomRange(random, buckets);
      const expected = callsInRange(buckets, from, to);
      const range = callRange(buckets, from, to);
      assert.equal(range.length, expected.length, `round ${round}, range [${from}, ${to})`);
      expected.forEach((c, i) => assert.equal(range.at(i), c, `round ${round}, position ${i}`));
      for (const outside of [expected.length, expected.length + 1]) assert.equal(range.at(outside), undefined, `position ${outside}`);
    }
  });

  it('a long range of packs, counted and paged, makes views for the calls it reads, not one per call', async () => {
    // 100 buckets of 200 calls: a view for each would keep ~1.1 MB (56 bytes a call).
    const packsOf = (prefix: string) =>
      Array.from({ length: 100 }, (_, bucket) =>
        packOf(
          SITE,
          Array.from({ length: 200 }, (_, i) => call(`${prefix}${bucket}-${i}`, bucket * BUCKET_MS + i)),
          bucket * BUCKET_MS,
        ),
      );
    const readRange = (packs: readonly CallPack[], prefix: string) => {
      const range = callRange(
        packs.map((pack) => pack.calls()),
        0,
        packs.length * BUCKET_MS,
      );
      for (let i = 0; i < 5; i++) assert.equal(range.at(i)!.callId, `${prefix}0-${i}`);
      return range;
    };
    // Once on other packs first: the first run of this code in a process also keeps its bytecode and
    // type feedback on the heap (~400 KB, as much as the bound), which no later range keeps again.
    readRange(packsOf('w'), 'w');
    const packs = packsOf('p');
    let range: PositionalList<CallModel> | null = null;
    const kept = await heapGrowth(1, async () => {
      range = readRange(packs, 'p');
    });
    assert.equal(range!.length, 20_000);
    assert.ok(kept < 20_000 * 20, `kept ${kept} bytes for the count and 5 calls of 20,000`);
  });

  it('a call looked for in a bucket that does not hold it is not found, and the scan makes no view of the calls it passes', () => {
    const bucket = packOf(
      SITE,
      Array.from({ length: 2_000 }, (_, i) => call(`m${i}`, i % 100)),
    ).calls();
    // Every view is made by at(): counted here.
    const at = bucket.at.bind(bucket);
    let reads = 0;
    bucket.at = (index) => (reads++, at(index));
    assert.equal(callIn(bucket, 'absent', 50), null);
    assert.equal(callIn(bucket, 'm1999', 5)?.callId, 'm1999', 'found by the scan, its begin time named wrong');
    assert.ok(reads < 100, `${reads} calls of 2,000 read as views`);
  });

  it('a pack whose calls are out of order (bytes from elsewhere) is read as any unsorted bucket: sorted', () => {
    const sorted = packOf(SITE, [call('a', 100), call('b', 200), call('c', 300)]);
    const bytes = Buffer.from(sorted.data);
    const layout = headerLayout(new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES));
    assert.equal(layout.beginWidth, 4);
    // Rows a and c swap begin times: the pack now says a@300, b@200, c@100.
    const times = new Int32Array(bytes.buffer, bytes.byteOffset + layout.beginTime, 3);
    [times[0], times[2]] = [times[2]!, times[0]!];
    const bucket = new CallPack(bytes).calls();
    assert.deepEqual(callsInRange([bucket], 0, BUCKET_MS).map(keyOf), ['c@100', 'b@200', 'a@300']);
    assert.deepEqual(callsInRange([bucket], 150, 250).map(keyOf), ['b@200']);
    assert.equal(callIn(bucket, 'a', 300)?.callId, 'a');
  });

  it('a pack whose calls of one begin time are out of callId order is read as unsorted too', () => {
    const sorted = packOf(SITE, [call('a', 100), call('b', 100)]);
    const bytes = Buffer.from(sorted.data);
    const layout = headerLayout(new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES));
    // The plain text starts with the rows' callIds, one byte each here: row 0 says b, row 1 says a.
    [bytes[layout.plain], bytes[layout.plain + 1]] = [bytes[layout.plain + 1]!, bytes[layout.plain]!];
    const bucket = new CallPack(bytes).calls();
    assert.deepEqual([...bucket].map(keyOf), ['b@100', 'a@100']);
    assert.deepEqual(callsInRange([bucket], 0, BUCKET_MS).map(keyOf), ['a@100', 'b@100']);
  });

  it('buckets in order around an empty one, or out of order across it, are each read sorted', () => {
    const early = packOf(SITE, [call('a', 100)]).calls();
    const empty = packOf(SITE, [], BUCKET_MS).calls();
    const late = packOf(SITE, [call('c', 2_100)], 2 * BUCKET_MS).calls();
    assert.deepEqual(callsInRange([early, empty, late], 0, 3 * BUCKET_MS).map(keyOf), ['a@100', 'c@2100']);
    assert.deepEqual(callsInRange([late, empty, early], 0, 3 * BUCKET_MS).map(keyOf), ['a@100', 'c@2100']);
    const range = callRange([late, empty, early], 0, 3 * BUCKET_MS);
    assert.deepEqual(
      Array.from({ length: range.length }, (_, i) => keyOf(range.at(i)!)),
      ['a@100', 'c@2100'],
    );
  });

  it("checking a range's order makes no callId string, and leaves the cache's views holding none", () => {
    const packs = [0, 1].map((index) =>
      packOf(SITE, [call(`a${index}`, index * BUCKET_MS + 100), call(`b${index}`, index * BUCKET_MS + 200)], index),
    );
    const reads = { count: 0 };
    for (const pack of packs) {
      const read = pack.callId.bind(pack);
      pack.callId = (row: number) => {
        reads.count++;
        return read(row);
      };
    }
    const buckets = packs.map((pack) => pack.calls());
    assert.equal(callRange(buckets, 0, 2 * BUCKET_MS).length, 4);
    assert.equal(reads.count, 0, 'the check compared hashes of the callIds, read in place');
    // A view that kept its callId would answer from itself: each read here goes to the pack.
    for (const bucket of buckets) for (const view of bucket) assert.match(view.callId, /^[ab][01]$/);
    assert.equal(reads.count, 4);
  });

  it('callIds are told apart by their hashes, and by the callIds themselves where hashes are equal', () => {
    const random = randomSource(7);
    let repeated = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const buckets = randomBuckets(random, round);
      const all = buckets.flatMap((bucket) => [...bucket]);
      const expected = new Set(all.map((c) => c.callId)).size === all.length;
      if (!expected) repeated++;
      assert.equal(distinctCallIds(buckets), expected, `round ${round}`);
      assert.equal(
        distinctCallIds(buckets, () => 0),
        expected,
        `round ${round}, every hash colliding`,
      );
    }
    assert.ok(repeated > 0, 'some rounds repeat a callId');
  });

  it('a call is found by its callId at its begin time, and by its callId alone when its begin time moved', () => {
    const bucket = packOf(SITE, [call('a', 100), call('b', 100), call('c', 200), call('d', 300)]).calls();
    assert.equal(callIn(bucket, 'b', 100)?.callId, 'b');
    assert.equal(callIn(bucket, 'c', 200)?.callId, 'c');
    // The id named another begin time than the bucket now holds: still that call, as a scan would find it.
    assert.equal(callIn(bucket, 'd', 250)?.callId, 'd');
    assert.equal(callIn(bucket, 'a', 300)?.callId, 'a');
    assert.equal(callIn(bucket, 'e', 100), null);
    assert.equal(callIn([], 'a', 100), null);
  });

  it('a bucket that is not one sorted run (a callId twice) is scanned: the first call with the callId', () => {
    const first = call('a', 300);
    // A binary search at time 100 would land on the second 'a'; the scan answers the first, as it always did.
    const bucket = [first, call('x', 50), call('a', 100)];
    assert.equal(callIn(bucket, 'a', 100), first);
  });

  it('buckets out of time order still give a sorted range', () => {
    const early = packOf(SITE, [call('a', 100), call('b', 200)]).calls();
    const late = packOf(SITE, [call('c', 1_100)]).calls();
    assert.deepEqual(callsInRange([late, early], 0, 2_000).map(keyOf), ['a@100', 'b@200', 'c@1100']);
  });

  it('compareCalls and compareEvents order exactly as compareSortKeys over their sort keys', () => {
    const random = randomSource(3);
    const calls = Array.from({ length: 60 }, () => call(`c${random(6)}`, random(4) * 10, [random(3), random(3), random(3)].sort()));
    const events = calls.flatMap((c) => c.events);
    for (const a of calls) {
      for (const b of calls) assert.equal(Math.sign(compareCalls(a, b)), Math.sign(compareSortKeys(callSortKey(a), callSortKey(b))));
    }
    for (const a of events) {
      for (const b of events) assert.equal(Math.sign(compareEvents(a, b)), Math.sign(compareSortKeys(eventSortKey(a), eventSortKey(b))));
    }
  });
});
