import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCallerInfo, stageOf, type EventInput } from '../../../src/model/call.js';
import { eventKindOf } from '../../../src/model/eventKind.js';

const event = (rawType: string, info: string | null = null, time = 0): EventInput => ({ rawType, type: eventKindOf(rawType), info, time });

describe('stageOf', () => {
  it('is STARTED with no answer yet', () => assert.equal(stageOf([event('callstart', 'Y')], null), 'STARTED'));
  it('is ACCEPTED or DECLINED by the latest Y/N answer, case-insensitively', () => {
    assert.equal(stageOf([event('deflresponse', 'n'), event('deflresponse', 'y')], null), 'ACCEPTED');
    assert.equal(stageOf([event('deflresponse', 'Y'), event('deflresponse', 'N')], null), 'DECLINED');
  });
  it('ignores answers other than Y and N', () => {
    assert.equal(stageOf([event('deflresponse', 'Y'), event('deflresponse', 'maybe')], null), 'ACCEPTED');
    assert.equal(stageOf([event('deflresponse', '')], null), 'STARTED');
  });
  it('is TEXT_SENT once the text went out, whatever the answer events say', () => {
    assert.equal(stageOf([event('deflresponse', 'N'), event('sendtext', 'Hi')], null), 'TEXT_SENT');
  });
  it('is CONVERSATION_STARTED with a conversationid event or a conversationId', () => {
    assert.equal(stageOf([event('conversationid', 'abc')], null), 'CONVERSATION_STARTED');
    assert.equal(stageOf([event('callstart', 'Y')], 'abc'), 'CONVERSATION_STARTED');
  });
});

describe('parseCallerInfo', () => {
  it('parses a JSON object', () => assert.deepEqual(parseCallerInfo('{"a":1}'), { a: 1 }));
  for (const raw of [null, '', 'not json', '[1]', '"text"', '42', 'null']) {
    it(`gives null for ${JSON.stringify(raw)}`, () => assert.equal(parseCallerInfo(raw), null));
  }
});
