import { emptyCallFields, type CallModel } from '../../src/model/call.js';
import { eventKindOf } from '../../src/model/eventKind.js';
import { buildCall } from './decodeOracle.js';

export const HOUR = 3_600_000;

/** A call that began at `begin` with `events` events one second apart (callstart, then skillchoice...). */
export function call(callId: string, begin: number, events = 1): CallModel {
  const types = ['callstart', 'skillchoice', 'ovrchan', 'deflresponse', 'sendtext', 'conversationid'];
  return buildCall({
    siteId: '1',
    callId,
    beginTime: begin,
    fields: emptyCallFields(),
    events: types.slice(0, events).map((rawType, i) => ({ rawType, type: eventKindOf(rawType), info: 'Y', time: begin + i * 1000 })),
  });
}
