import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BodyFault } from '../../../src/decode/bodyFault.js';
import { logId } from '../../../src/decode/logId.js';
import { WindowPacker } from '../../../src/decode/windowPacker.js';
import type { CallModel } from '../../../src/model/call.js';
import { CallPack } from '../../../src/pack/callPack.js';
import type { WindowRequest } from '../../../src/wire/livedeflect.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/upstream/${name}`, import.meta.url), 'utf8'));
const window = { siteId: '25508804', startTime: 1528930000000, endTime: 1528940000000 };

/**
 * The gateway's own path for a body: streamed through the packer in 7-byte chunks with 16-byte batches, so
 * entries are cut across chunks and batches everywhere; calls read back through the packs' views.
 */
function readWindow(body: unknown, request: WindowRequest): { calls: CallModel[]; outsideWindow: number; issues: string[] } {
  const bytes = Buffer.from(JSON.stringify(body));
  const packer = new WindowPacker(request, 3_600_000, 100_000, 16);
  for (let at = 0; at < bytes.length; at += 7) packer.push(bytes.subarray(at, at + 7));
  const { packs, outsideWindow, issues } = packer.end();
  return { calls: packs.flatMap(([, pack]) => [...new CallPack(pack).calls()]), outsideWindow, issues };
}

describe('call entries, read by the streaming reader', () => {
  it('reads the published example into one call with its fields and parsed callerInfo', () => {
    const { calls, outsideWindow, issues } = readWindow(fixture('example.json'), window);
    assert.equal(calls.length, 1);
    assert.equal(outsideWindow, 0);
    assert.deepEqual(issues, []);
    const call = calls[0]!;
    assert.equal(call.callId, '473513');
    assert.equal(call.siteId, '25508804');
    assert.equal(call.beginTime, 1528932953300);
    assert.equal(call.skill, 'sales');
    assert.equal(call.externalCallId, '1231');
    assert.equal(call.callerEnteredDigits, '9999');
    assert.deepEqual(call.callerInfo, { userdefinedvar: 50, newtestvariable: 'variablevalue1', tshirtsize: 'Large' });
    assert.equal(call.conversationId, null);
    assert.equal(call.customerCountryCode, '61');
    assert.equal(call.customerPhoneNumber, '0400111222');
    assert.equal(call.dialedPhoneNumber, '4049903068');
    assert.equal(call.externalConsumerId, '123-456789112');
    assert.equal(call.stage, 'STARTED');
    assert.equal(call.lastEventTime, 1528932953300);
    assert.deepEqual(
      call.events.map((event) => [event.type, event.rawType, event.info, event.time]),
      [['CALL_START', 'callstart', 'Y', 1528932953300]],
    );
  });

  const quirks = readWindow(fixture('quirks.json'), window);
  const byId = new Map(quirks.calls.map((call) => [call.callId, call]));

  it('accepts numbers for ids and times, one event object instead of a list, and externalCustomerId', () => {
    const call = byId.get('1001')!;
    assert.equal(call.beginTime, 1528932953300);
    assert.equal(call.externalConsumerId, 'cust-7');
    assert.equal(call.events.length, 1);
  });

  it('treats empty callerInfo as absent: no raw string, no parsed value', () => {
    assert.equal(byId.get('1001')!.callerInfoRaw, null);
    assert.equal(byId.get('1001')!.callerInfo, null);
  });

  it('sorts events by time, keeping wire order on ties, and maps event types case-insensitively', () => {
    const call = byId.get('1002')!;
    assert.deepEqual(
      call.events.map((event) => [event.rawType, event.type, event.position]),
      [
        ['callstart', 'CALL_START', 0],
        ['DeflResponse', 'DEFLECTION_RESPONSE', 1],
        ['sendtext', 'SEND_TEXT', 2],
        ['callend', 'UNKNOWN', 3],
      ],
    );
  });

  it('takes each call field from its latest non-empty value, the later event in wire order winning a tie', () => {
    const call = byId.get('1002')!;
    assert.equal(call.skill, 'billing-late');
    assert.equal(call.callerInfoRaw, 'not json');
    assert.equal(call.conversationId, null);
  });

  it('reads externalCustomerId over externalConsumerId in one event, and a later event over both', () => {
    const event = (time: string, names: Record<string, string>) => ({ callId: '8', eventTime: time, beginTimeStamp: '1528932953300', ...names });
    const consumerOf = (events: unknown[]) => readWindow({ success: 'true', data: { '8': events } }, window).calls[0]!.externalConsumerId;
    assert.equal(consumerOf([event('1528932953300', { externalConsumerId: 'a', externalCustomerId: 'b' })]), 'b');
    assert.equal(consumerOf([event('1528932953300', { externalCustomerId: 'b', externalConsumerId: 'a' })]), 'b');
    assert.equal(
      consumerOf([event('1528932953301', { externalConsumerId: 'c' }), event('1528932953300', { externalConsumerId: 'a', externalCustomerId: 'b' })]),
      'c',
    );
  });

  it('keeps callerInfo that is not a JSON object as raw text only', () => {
    assert.equal(byId.get('1002')!.callerInfo, null);
  });

  it('derives the stage from the furthest funnel step', () => {
    assert.equal(byId.get('1002')!.stage, 'TEXT_SENT');
    assert.equal(byId.get('1005')!.stage, 'CONVERSATION_STARTED');
    assert.equal(byId.get('1005')!.conversationId, '3f1e6c9a-0000-4000-8000-000000000001');
  });

  it('skips a call whose events name another callId, and says so', () => {
    assert.equal(byId.has('1003'), false);
    assert.ok(quirks.issues.some((issue) => issue.includes(logId('1003'))));
  });

  it('drops and counts a call that began outside the window asked for', () => {
    assert.equal(byId.has('1004'), false);
    assert.equal(quirks.outsideWindow, 1);
  });

  it('skips an event with no valid time but keeps its call', () => {
    assert.equal(byId.get('1005')!.events.length, 2);
    assert.ok(quirks.issues.some((issue) => issue.includes(logId('1005')) && issue.includes('eventTime')));
  });

  it('answers an empty data map, null or [] with no calls', () => {
    for (const data of [{}, null, []]) assert.deepEqual(readWindow({ success: 'true', data }, window).calls, []);
  });

  for (const [name, body] of [
    ['a body that is not an object', [1, 2]],
    ['success "false" with a message', { success: 'false', message: 'internal' }],
    ['a missing success flag', { data: {} }],
    ['data that is a string', { success: 'true', data: 'oops' }],
    ['data that is a non-empty list', { success: 'true', data: [{ callId: '1' }] }],
  ] as const) {
    it(`rejects ${name} as a body fault (the window's UPSTREAM_ERROR) and keeps the upstream's words out of the message`, () => {
      assert.throws(
        () => readWindow(body, window),
        (error: unknown) => error instanceof BodyFault && !error.message.includes('internal'),
      );
    });
  }

  it('never throws for odd event values: the call is read from the usable events, or skipped', () => {
    const odd = [null, 0, -1, 1.5, '', 'x', true, [], {}, '123abc', 1e300];
    for (const value of odd) {
      const event = { callId: '7', eventType: value, eventTime: value, beginTimeStamp: value, skill: value, callerInfo: value };
      const result = readWindow({ success: 'true', data: { '7': [event, { ...event, eventTime: '1528932953300' }] } }, window);
      assert.ok(result.calls.length <= 1, JSON.stringify(value));
    }
  });
});
