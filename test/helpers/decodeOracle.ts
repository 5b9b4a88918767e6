/**
 * The oracle the decode and pack tests compare against: the API page's rules applied the plain way, to a
 * body parsed whole with JSON.parse, into plain objects. The gateway streams, packs and views instead
 * (src/decode, src/pack); for any body both must agree.
 */
import { decodeCallInput, windowData } from '../../src/decode/callEntry.js';
import type { CallInput, CallModel, EventModel } from '../../src/model/call.js';
import { parseCallerInfo, stageOf } from '../../src/model/call.js';
import { CallPack } from '../../src/pack/callPack.js';
import { CallPackWriter } from '../../src/pack/callPackWriter.js';
import type { WindowRequest } from '../../src/wire/livedeflect.js';

export interface DecodedWindow {
  readonly calls: CallModel[];
  /** Calls the upstream returned with a begin time outside the window asked for (dropped). */
  readonly outsideWindow: number;
  readonly issues: string[];
}

/** One getLiveDeflectData answer, already JSON-parsed, read into call models; throws what the gateway's reader throws. */
export function decodeWindow(body: unknown, request: WindowRequest): DecodedWindow {
  const data = windowData(body);
  if (data === null) return { calls: [], outsideWindow: 0, issues: [] };
  const calls: CallModel[] = [];
  const issues: string[] = [];
  let outsideWindow = 0;
  for (const [key, value] of Object.entries(data)) {
    const call = decodeCallInput(key, value, request, issues);
    if (!call) continue;
    if (call.beginTime < request.startTime || call.beginTime >= request.endTime) {
      outsideWindow++;
      continue;
    }
    calls.push(buildCall(call));
  }
  return { calls, outsideWindow, issues };
}

/** Builds the immutable model of one call; events get their back-reference to the call here. */
export function buildCall(input: CallInput): CallModel {
  const events: EventModel[] = [];
  const call: CallModel = {
    siteId: input.siteId,
    callId: input.callId,
    beginTime: input.beginTime,
    ...input.fields,
    callerInfo: parseCallerInfo(input.fields.callerInfoRaw),
    events,
    stage: stageOf(input.events, input.fields.conversationId),
    lastEventTime: input.events.length > 0 ? input.events[input.events.length - 1]!.time : null,
  };
  input.events.forEach((event, position) => events.push({ ...event, position, call }));
  return Object.freeze(call);
}

/** A bucket's pack written from models, for tests that need packed calls of their own making. */
export function packOf(siteId: string, calls: readonly CallModel[], bucket = 0): CallPack {
  const writer = new CallPackWriter(siteId, bucket);
  for (const call of calls) writer.addModel(call);
  return new CallPack(writer.finish());
}
