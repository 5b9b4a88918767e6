import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCallFields, type CallModel } from '../../../src/model/call.js';
import { buildCall } from '../../helpers/decodeOracle.js';
import { eventKindOf } from '../../../src/model/eventKind.js';
import { deflectionStatsOf } from '../../../src/model/stats.js';

/** A call beginning at 0 with the given wire events at the given seconds. */
function call(callId: string, skill: string | null, events: [string, number, string?][], conversationId: string | null = null): CallModel {
  return buildCall({
    siteId: '1',
    callId,
    beginTime: 0,
    fields: { ...emptyCallFields(), skill, conversationId },
    events: events.map(([rawType, seconds, info]) => ({ rawType, type: eventKindOf(rawType), info: info ?? null, time: seconds * 1000 })),
  });
}

const converted = (callId: string, skill: string | null, seconds: number): CallModel =>
  call(callId, skill, [
    ['callstart', 0],
    ['conversationid', seconds],
  ]);

describe('deflectionStatsOf', () => {
  it('takes the mean of the two middle times for an even count of conversations', () => {
    const stats = deflectionStatsOf([converted('a', 's', 40), converted('b', 's', 10), converted('c', 's', 30), converted('d', 's', 20)]);
    assert.equal(stats.medianSecondsToConversation, 25);
    assert.equal(stats.deflectionRate, 1);
  });

  it('counts a call with a conversationId but no conversationid event as a conversation, and leaves it out of the median', () => {
    const withoutEvent = call('b', 's', [['callstart', 0]], 'conversation-b');
    const stats = deflectionStatsOf([converted('a', 's', 90), withoutEvent, call('c', 's', [['callstart', 0]])]);
    assert.equal(stats.byStage.find(({ stage }) => stage === 'CONVERSATION_STARTED')?.count, 2);
    assert.equal(stats.deflectionRate, 2 / 3);
    assert.equal(stats.medianSecondsToConversation, 90);
  });

  it('sorts skills by calls, most first, then by name, and counts calls with no skill under ""', () => {
    const stats = deflectionStatsOf([
      call('a', 'sales', [['callstart', 0]]),
      converted('b', 'billing', 5),
      call('c', null, [['callstart', 0]]),
      call('d', null, [
        ['callstart', 0],
        ['deflresponse', 3, 'N'],
      ]),
      call('e', 'service', [['callstart', 0]]),
      converted('f', 'service', 7),
    ]);
    assert.deepEqual(stats.bySkill, [
      { skill: '', totalCalls: 2, conversations: 0, deflectionRate: 0 },
      { skill: 'service', totalCalls: 2, conversations: 1, deflectionRate: 0.5 },
      { skill: 'billing', totalCalls: 1, conversations: 1, deflectionRate: 1 },
      { skill: 'sales', totalCalls: 1, conversations: 0, deflectionRate: 0 },
    ]);
    assert.deepEqual(stats.byStage, [
      { stage: 'STARTED', count: 3 },
      { stage: 'ACCEPTED', count: 0 },
      { stage: 'DECLINED', count: 1 },
      { stage: 'TEXT_SENT', count: 0 },
      { stage: 'CONVERSATION_STARTED', count: 2 },
    ]);
  });

  it('gives null rates and median for no calls, with every stage at zero', () => {
    const stats = deflectionStatsOf([]);
    assert.deepEqual(stats, {
      totalCalls: 0,
      byStage: ['STARTED', 'ACCEPTED', 'DECLINED', 'TEXT_SENT', 'CONVERSATION_STARTED'].map((stage) => ({ stage, count: 0 })),
      bySkill: [],
      deflectionRate: null,
      medianSecondsToConversation: null,
    });
  });
});
