import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventKindOf } from '../../../src/model/eventKind.js';

describe('event kinds', () => {
  it('maps every documented wire type, ignoring case', () => {
    assert.deepEqual(['callstart', 'SKILLCHOICE', 'ovrChan', 'deflresponse', 'sendtext', 'ConversationId'].map(eventKindOf), [
      'CALL_START',
      'SKILL_CHOICE',
      'CHANNEL_OVERRIDE',
      'DEFLECTION_RESPONSE',
      'SEND_TEXT',
      'CONVERSATION_ID',
    ]);
  });
  it('maps anything else to UNKNOWN', () => assert.equal(eventKindOf('callend'), 'UNKNOWN'));
});
