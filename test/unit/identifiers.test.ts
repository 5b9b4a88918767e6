import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, type CursorKey } from '../../src/resolvers/cursor.js';
import { encodeCallId } from '../../src/model/callId.js';
import { decodeCallId } from '../../src/resolvers/globalId.js';
import type { PageModel } from '../../src/resolvers/models.js';
import { pageOf } from '../../src/resolvers/paging.js';
import { maskDigits } from '../../src/model/masking.js';

const isBadUserInput = (error: unknown) => error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT';

describe('Call ids', () => {
  it('round-trip site, callId and begin time, even when the callId holds a colon', () => {
    const identity = { siteId: '25508804', callId: 'abc:42', beginTime: 1528932953300 };
    assert.deepEqual(decodeCallId(encodeCallId(identity)), identity);
  });
  for (const id of ['', 'nope', 'Q2FsbDo', Buffer.from('Call:site with space:1:x').toString('base64url'), '!!!!']) {
    it(`refuse ${JSON.stringify(id)} with BAD_USER_INPUT`, () => assert.throws(() => decodeCallId(id), isBadUserInput));
  }
});

describe('cursors', () => {
  const scope = { field: 'calls', order: 'ASC' } as const;
  it('round-trip their key', () => {
    assert.deepEqual(decodeCursor(encodeCursor(scope, [5, 'x']), scope, ['number', 'string']), [5, 'x']);
  });
  it('are refused by another field or order', () => {
    const cursor = encodeCursor(scope, [5, 'x']);
    assert.throws(() => decodeCursor(cursor, { field: 'events', order: 'ASC' }, ['number', 'string']), isBadUserInput);
    assert.throws(() => decodeCursor(cursor, { field: 'calls', order: 'DESC' }, ['number', 'string']), isBadUserInput);
    assert.throws(() => decodeCursor('garbage', scope, ['number', 'string']), isBadUserInput);
  });
});

describe('pageOf', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const key = (n: number) => [n] as const;
  it('walks a list in pages with no item missing or repeated, both ways', () => {
    for (const order of ['ASC', 'DESC'] as const) {
      const seen: number[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const afterKey: CursorKey | null = after ? decodeCursor(after, { field: 'calls', order }, ['number']) : null;
        const page: PageModel<number> = pageOf(items, { field: 'calls', order, first: 3, after: afterKey }, key);
        seen.push(...page.items);
        assert.equal(page.totalCount, 10);
        if (!page.hasNextPage) break;
        after = page.cursorOf(page.items[page.items.length - 1]!);
      }
      assert.deepEqual(seen, order === 'ASC' ? items : [...items].reverse());
    }
  });
});

describe('maskDigits', () => {
  it('hides all but the last four digits', () => {
    assert.equal(maskDigits('+61400111222'), '+*******1222');
    assert.equal(maskDigits('0400111222'), '******1222');
    assert.equal(maskDigits('123'), '123');
  });
});
