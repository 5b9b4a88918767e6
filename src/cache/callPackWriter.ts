import type { CallFields, CallInput, CallModel, EventInput, Stage } from '../model/call.js';
import { stageOf } from '../model/call.js';
import { CALL_STRING_FIELDS, CallPack, kindCode, PACK_MAGIC, packLayout, stageCode } from './callPack.js';
import { PackedCall } from './packedCall.js';

interface PendingCall {
  readonly callId: string;
  readonly beginTime: number;
  readonly fields: CallFields;
  readonly events: readonly EventInput[];
  readonly stage: Stage;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Collects one bucket's calls and writes them as a CallPack (layout in callPack.ts). Calls are sorted
 * by (beginTime, callId), the order every range answer uses, and their strings deduplicated.
 */
export class CallPackWriter {
  private readonly calls: PendingCall[] = [];

  constructor(private readonly siteId: string) {}

  get size(): number {
    return this.calls.length;
  }

  /** A call as the decoder reads it off the wire. */
  addInput(call: CallInput): void {
    this.calls.push({ ...call, stage: stageOf(call.events, call.fields.conversationId) });
  }

  /** A call already built as a model (CallModel carries its fields and events as EventInput needs them). */
  addModel(call: CallModel): void {
    this.calls.push({ callId: call.callId, beginTime: call.beginTime, fields: call, events: call.events, stage: call.stage });
  }

  finish(): Uint8Array {
    const calls = this.calls.sort((a, b) => a.beginTime - b.beginTime || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0));
    const table = new StringTable();
    const siteRef = table.ref(this.siteId)!;
    const fieldCount = CALL_STRING_FIELDS.length;
    let eventCount = 0;
    let offsetsFit = true;
    for (const call of calls) {
      eventCount += call.events.length;
      for (const event of call.events) {
        const offset = event.time - call.beginTime;
        if (offset < INT32_MIN || offset > INT32_MAX) offsetsFit = false;
      }
    }
    const callRefs = new Uint32Array(calls.length * fieldCount);
    const rawTypeRefs = new Uint32Array(eventCount);
    const infoRefs = new Uint32Array(eventCount);
    let row = 0;
    calls.forEach((call, index) => {
      callRefs[index * fieldCount] = table.ref(call.callId)!;
      for (let field = 1; field < fieldCount; field++) {
        callRefs[index * fieldCount + field] = table.ref(call.fields[CALL_STRING_FIELDS[field] as keyof CallFields]);
      }
      for (const event of call.events) {
        rawTypeRefs[row] = table.ref(event.rawType)!;
        infoRefs[row] = table.ref(event.info);
        row++;
      }
    });
    const refWidth = table.count < 0xffff ? 2 : 4;
    const layout = packLayout({
      calls: calls.length,
      events: eventCount,
      strings: table.count,
      stringBytes: table.bytes,
      refWidth,
      timeWidth: offsetsFit ? 4 : 8,
    });
    const buffer = new ArrayBuffer(layout.byteLength);
    const header = new DataView(buffer, 0, 32);
    header.setUint32(0, PACK_MAGIC, true);
    header.setUint32(4, layout.calls, true);
    header.setUint32(8, layout.events, true);
    header.setUint32(12, layout.strings, true);
    header.setUint32(16, layout.stringBytes, true);
    header.setUint8(20, layout.refWidth);
    header.setUint8(21, layout.timeWidth);
    header.setUint32(24, siteRef, true);

    const beginTimes = new Float64Array(buffer, layout.beginTime, layout.calls);
    const eventTimes = offsetsFit ? new Int32Array(buffer, layout.eventTime, eventCount) : new Float64Array(buffer, layout.eventTime, eventCount);
    const firstEvents = new Uint32Array(buffer, layout.firstEvent, layout.calls + 1);
    const stages = new Uint8Array(buffer, layout.stage, layout.calls);
    const kinds = new Uint8Array(buffer, layout.kind, eventCount);
    row = 0;
    calls.forEach((call, index) => {
      beginTimes[index] = call.beginTime;
      firstEvents[index] = row;
      stages[index] = stageCode(call.stage);
      for (const event of call.events) {
        eventTimes[row] = offsetsFit ? event.time - call.beginTime : event.time;
        kinds[row] = kindCode(event.kind);
        row++;
      }
    });
    firstEvents[layout.calls] = row;
    const Ref = refWidth === 2 ? Uint16Array : Uint32Array;
    const nullRef = refWidth === 2 ? 0xffff : 0xffffffff;
    const narrow = (refs: Uint32Array, at: number): void => {
      const column = new Ref(buffer, at, refs.length);
      for (let i = 0; i < refs.length; i++) column[i] = refs[i] === NULL_REF ? nullRef : refs[i]!;
    };
    narrow(callRefs, layout.callStrings);
    narrow(rawTypeRefs, layout.rawType);
    narrow(infoRefs, layout.info);
    table.write(new Uint32Array(buffer, layout.stringEnd, layout.strings), Buffer.from(buffer, layout.text, layout.stringBytes));
    return new Uint8Array(buffer);
  }
}

/**
 * The pack of a bucket's calls. Calls that are already exactly one pack's views (the decoder packs each
 * bucket of a window) give that pack back as it is; anything else is written into a new one.
 */
export function packOf(siteId: string, calls: readonly CallModel[]): CallPack {
  const first = calls[0];
  if (first instanceof PackedCall && first.pack.count === calls.length && first.pack.siteId === siteId) {
    const views = first.pack.calls();
    if (calls.every((call, index) => call === views[index])) return first.pack;
  }
  const writer = new CallPackWriter(siteId);
  for (const call of calls) writer.addModel(call);
  return new CallPack(writer.finish());
}

const NULL_REF = 0xffffffff;

/** Private: each distinct string once, UTF-8, numbered in order of first use. */
class StringTable {
  private readonly refs = new Map<string, number>();
  private readonly strings: string[] = [];
  private byteCount = 0;

  get count(): number {
    return this.strings.length;
  }

  get bytes(): number {
    return this.byteCount;
  }

  ref(text: string | null): number {
    if (text === null) return NULL_REF;
    let ref = this.refs.get(text);
    if (ref === undefined) {
      ref = this.strings.length;
      this.refs.set(text, ref);
      this.strings.push(text);
      this.byteCount += Buffer.byteLength(text, 'utf8');
    }
    return ref;
  }

  write(ends: Uint32Array, text: Buffer): void {
    let at = 0;
    this.strings.forEach((string, index) => {
      at += text.write(string, at, 'utf8');
      ends[index] = at;
    });
  }
}
