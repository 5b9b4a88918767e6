import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CallPack, PackFormatError } from '../../../src/pack/callPack.js';
import { CallPackWriter } from '../../../src/pack/callPackWriter.js';
import { WindowPacker } from '../../../src/decode/windowPacker.js';
import type { CallModel } from '../../../src/model/call.js';
import { generateWindow } from '../../../src/simulator/generator.js';
import { decodeWindow, packOf } from '../../helpers/decodeOracle.js';
import { HOUR_MS, TEST_DAY, TEST_NOW } from '../../helpers/day.js';

const SITE = '25508804';
const WINDOW = { siteId: SITE, startTime: TEST_DAY, endTime: TEST_DAY + 3 * HOUR_MS };
const wireBody = (callsPerHour: number): string =>
  JSON.stringify({ success: 'true', data: generateWindow({ seed: 'pack', ...WINDOW, now: TEST_NOW, callsPerHour }) });

/** Everything a resolver can read off a call, as plain data. */
function readAll(call: CallModel): unknown {
  return {
    siteId: call.siteId,
    callId: call.callId,
    beginTime: call.beginTime,
    externalCallId: call.externalCallId,
    skill: call.skill,
    callerEnteredDigits: call.callerEnteredDigits,
    callerInfoRaw: call.callerInfoRaw,
    callerInfo: call.callerInfo,
    conversationId: call.conversationId,
    customerCountryCode: call.customerCountryCode,
    customerPhoneNumber: call.customerPhoneNumber,
    dialedCountryCode: call.dialedCountryCode,
    dialedPhoneNumber: call.dialedPhoneNumber,
    externalConsumerId: call.externalConsumerId,
    stage: call.stage,
    lastEventTime: call.lastEventTime,
    events: call.events.map((event) => ({
      kind: event.kind,
      rawType: event.rawType,
      info: event.info,
      time: event.time,
      position: event.position,
      callId: event.call.callId,
    })),
  };
}

const byBeginTime = (a: CallModel, b: CallModel) => a.beginTime - b.beginTime || (a.callId < b.callId ? -1 : 1);

function packWindow(body: string, chunkBytes: number): CallPack[] {
  const packer = new WindowPacker(WINDOW, HOUR_MS, 100_000);
  const bytes = Buffer.from(body);
  for (let at = 0; at < bytes.length; at += chunkBytes) packer.push(bytes.subarray(at, at + chunkBytes));
  return packer.end().packs.map(([, bytes]) => new CallPack(bytes));
}

describe('CallPack: the compact form of a bucket', () => {
  it('reads back every field and event of every call exactly as decodeWindow builds them', () => {
    const body = wireBody(40);
    const expected = decodeWindow(JSON.parse(body), WINDOW).calls.sort(byBeginTime).map(readAll);
    const packs = packWindow(body, 64 * 1024);
    assert.equal(packs.length, 3, 'one pack per bucket of the window');
    assert.deepEqual(
      packs.flatMap((pack) => pack.calls().map(readAll)),
      expected,
    );
  });

  it('keeps the published quirks: unknown types, bad callerInfo, events out of order, missing fields', () => {
    const body = readFileSync(new URL('../../fixtures/upstream/quirks.json', import.meta.url), 'utf8');
    const window = { siteId: '25508804', startTime: 1528930000000, endTime: 1528940000000 };
    const expected = decodeWindow(JSON.parse(body), window).calls.sort(byBeginTime);
    const writer = new CallPackWriter(window.siteId, window.startTime);
    for (const call of expected) writer.addModel(call);
    assert.deepEqual(new CallPack(writer.finish()).calls().map(readAll), expected.map(readAll));
  });

  it('is about a tenth of the wire size for a busy hour', () => {
    const body = wireBody(300);
    const packs = packWindow(body, 64 * 1024);
    const packBytes = packs.reduce((sum, pack) => sum + pack.byteLength, 0);
    assert.ok(packBytes * 6 < Buffer.byteLength(body), `${packBytes} bytes packed from ${Buffer.byteLength(body)} on the wire`);
  });

  it('reads from unaligned bytes (a Redis reply) as from its own', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const shifted = new Uint8Array(pack!.byteLength + 3);
    shifted.set(pack!.data, 3);
    const copy = new CallPack(shifted.subarray(3));
    assert.deepEqual(copy.calls().map(readAll), pack!.calls().map(readAll));
  });

  it('refuses bytes that are not a pack with PackFormatError', () => {
    assert.throws(() => new CallPack(Buffer.from('{"success":"true"}')), PackFormatError);
    const [pack] = packWindow(wireBody(5), 1024);
    assert.throws(() => new CallPack(pack!.data.subarray(0, pack!.byteLength - 1)), PackFormatError);
  });

  it("writes calls given as models (here, another pack's views) into a pack that reads back the same", () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const some = pack!.calls().slice(1);
    assert.deepEqual(packOf(SITE, some).calls().map(readAll), some.map(readAll));
    assert.equal(packOf(SITE, []).count, 0);
  });

  it('shows a call to JSON.stringify by its identity only, never its personal data', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const call = pack!.calls()[0]!;
    assert.deepEqual(JSON.parse(JSON.stringify(call)), { siteId: SITE, callId: call.callId, beginTime: call.beginTime });
  });
});
