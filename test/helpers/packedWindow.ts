/**
 * A window of generated calls, read by the gateway's packer, and a call read back as plain data: what the pack
 * and packer tests compare against the oracle (decodeOracle.ts).
 */
import { WindowPacker } from '../../src/decode/windowPacker.js';
import type { CallModel } from '../../src/model/call.js';
import { CallPack } from '../../src/pack/callPack.js';
import { generateWindow } from '../../src/simulator/generator.js';
import { HOUR_MS, TEST_DAY, TEST_NOW } from './day.js';

export const SITE = '25508804';
export const WINDOW = { siteId: SITE, startTime: TEST_DAY, endTime: TEST_DAY + 3 * HOUR_MS };
export const wireBody = (callsPerHour: number): string =>
  JSON.stringify({ success: 'true', data: generateWindow({ seed: 'pack', ...WINDOW, now: TEST_NOW, callsPerHour }) });

/** Everything a resolver can read off a call, as plain data. */
export function readAll(call: CallModel): unknown {
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
      type: event.type,
      rawType: event.rawType,
      info: event.info,
      time: event.time,
      position: event.position,
      callId: event.call.callId,
    })),
  };
}

export const byBeginTime = (a: CallModel, b: CallModel) => a.beginTime - b.beginTime || (a.callId < b.callId ? -1 : 1);

export function packWindow(body: string, chunkBytes: number): CallPack[] {
  const packer = new WindowPacker(WINDOW, HOUR_MS, 100_000);
  const bytes = Buffer.from(body);
  for (let at = 0; at < bytes.length; at += chunkBytes) packer.push(bytes.subarray(at, at + chunkBytes));
  return packer.end().packs.map(([, bytes]) => new CallPack(bytes));
}
