import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCallFields, type CallModel } from '../../../src/model/call.js';
import { callSortKey } from '../../../src/model/order.js';
import { decodeCursor, type CursorKey } from '../../../src/resolvers/cursor.js';
import type { PageModel } from '../../../src/resolvers/models.js';
import { pageOf } from '../../../src/resolvers/paging.js';
import { callRange } from '../../../src/loaders/callsInRange.js';
import { buildCall, packOf } from '../../helpers/decodeOracle.js';
import { randomSource } from '../../helpers/random.js';

const call = (callId: string, beginTime: number): CallModel => buildCall({ siteId: '1', callId, beginTime, fields: emptyCallFields(), events: [] });
const keyOf = (c: CallModel): string => `${c.callId}@${c.beginTime}`;

describe('pageOf', () => {
  it('walks a sorted list page by page through its cursors, ASC and DESC, with no item missing or repeated', () => {
    const random = randomSource(4);
    for (let round = 0; round < 50; round++) {
      // Begin times collide, so the callId decides the order within a time, and a cursor must too.
      const sorted: readonly CallModel[] = [
        ...packOf(
          '1',
          Array.from({ length: random(20) }, (_, i) => call(`c${i}`, random(8) * 10)),
        ).calls(),
      ];
      for (const order of ['ASC', 'DESC'] as const) {
        const first = 1 + random(5);
        const walked: CallModel[] = [];
        let after: string | null = null;
        for (let page = 0; page <= sorted.length; page++) {
          const afterKey: CursorKey | null = after === null ? null : decodeCursor(after, { field: 'calls', order }, ['number', 'string']);
          const result: PageModel<CallModel> = pageOf(sorted, { field: 'calls', order, first, after: afterKey }, callSortKey);
          assert.equal(result.totalCount, sorted.length);
          walked.push(...result.nodes);
          if (!result.hasNextPage) break;
          after = result.cursorOf(result.nodes[result.nodes.length - 1]!);
        }
        const expected = order === 'ASC' ? [...sorted] : [...sorted].reverse();
        assert.deepEqual(walked.map(keyOf), expected.map(keyOf));
      }
    }
  });

  it('pages a range of buckets read in place exactly as the same calls in one array', () => {
    const random = randomSource(5);
    for (let round = 0; round < 50; round++) {
      const buckets = Array.from({ length: 1 + random(4) }, (_, bucket) =>
        packOf(
          '1',
          Array.from({ length: random(8) }, (_, i) => call(`b${bucket}-${i}`, bucket * 100 + random(8) * 10)),
        ).calls(),
      );
      const range = callRange(buckets, 0, buckets.length * 100);
      const calls = buckets.flatMap((bucket) => [...bucket]);
      for (const order of ['ASC', 'DESC'] as const) {
        const pivot = calls[random(calls.length + 1)];
        const after = pivot ? callSortKey(pivot) : null;
        const request = { field: 'calls', order, first: 1 + random(6), after } as const;
        const inPlace = pageOf(range, request, callSortKey);
        const copied = pageOf(calls, request, callSortKey);
        assert.deepEqual(inPlace.nodes.map(keyOf), copied.nodes.map(keyOf), `round ${round}, ${order}`);
        assert.equal(inPlace.totalCount, copied.totalCount);
        assert.equal(inPlace.hasNextPage, copied.hasNextPage);
      }
    }
  });
});
