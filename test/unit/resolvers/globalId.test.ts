import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { encodeCallId } from '../../../src/model/callId.js';
import { decodeCallId } from '../../../src/resolvers/globalId.js';

const isBadUserInput = (error: unknown) => error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT';

describe('Call ids', () => {
  it('round-trip site, callId and begin time, even when the callId holds a colon', () => {
    const identity = { siteId: '25508804', callId: 'abc:42', beginTime: 1528932953300 };
    assert.deepEqual(decodeCallId(encodeCallId(identity)), identity);
  });
  for (const id of ['', 'nope', 'Q2FsbDo', Buffer.from('Call:site with space:1:x').toString('base64url'), '!!!!']) {
    it(`refuse ${JSON.stringify(id)} with BAD_USER_INPUT`, () => assert.throws(() => decodeCallId(id), isBadUserInput));
  }

  it('a remembered Call id decodes to a frozen identity, so no caller can change what the next one reads', () => {
    const id = encodeCallId({ siteId: '1', callId: 'abc', beginTime: 5 });
    assert.equal(decodeCallId(id), decodeCallId(id));
    assert.ok(Object.isFrozen(decodeCallId(id)));
    assert.deepEqual(decodeCallId(id), { siteId: '1', callId: 'abc', beginTime: 5 });
    for (let pass = 0; pass < 2; pass++) assert.throws(() => decodeCallId('nope'), /is not a Call id/);
  });
});
