import type { CallFields, CallInput, CallModel, EventInput, Stage } from '../model/call.js';
import { stageOf } from '../model/call.js';
import { kindCode, PACK_MAGIC, packLayout, stageCode } from './callPack.js';
import { CALL_STRING_FIELDS } from './columns.js';

const FIELD_COUNT = CALL_STRING_FIELDS.length;
const NULL_REF = 0xffffffff;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Builds one bucket's CallPack (layout in callPack.ts). Each call is encoded as it is added: its
 * strings go into the bucket's table and its numbers into columns, so the objects the decoder made
 * for it die young instead of waiting for the window to end. finish() sorts the calls by
 * (beginTime, callId), the order every range answer uses, and writes the pack.
 */
export class CallPackWriter {
  private readonly table = new StringTable();
  private readonly siteRef: number;
  private readonly bucketRef: number;
  // One entry per row (a call added), in the order added.
  private readonly beginTimes: number[] = [];
  private readonly stages: number[] = [];
  private readonly callRefs: number[] = [];
  private readonly firstEvents: number[] = [];
  private readonly removed = new Set<number>();
  // One entry per event, rows' events one after the other.
  private readonly eventTimes: number[] = [];
  private readonly kinds: number[] = [];
  private readonly rawTypeRefs: number[] = [];
  private readonly infoRefs: number[] = [];

  /** `bucket`: the start of the bucket the pack is for; the pack names it, so a value read back can be checked against its key. */
  constructor(siteId: string, bucket: number) {
    this.siteRef = this.table.ref(siteId);
    this.bucketRef = this.table.ref(String(bucket));
  }

  /** A call as the decoder reads it off the wire; returns its row, for remove(). */
  addInput(call: CallInput): number {
    return this.add(call.callId, call.beginTime, call.fields, call.events, stageOf(call.events, call.fields.conversationId));
  }

  /** A call already built as a model (a CallModel carries its fields and events as an input does). */
  addModel(call: CallModel): number {
    return this.add(call.callId, call.beginTime, call, call.events, call.stage);
  }

  /** Calls it holds: rows added and not removed. */
  get size(): number {
    return this.beginTimes.length - this.removed.size;
  }

  /** Drops a row added earlier: the upstream sent its callId again, and the last one wins. */
  remove(row: number): void {
    this.removed.add(row);
  }

  finish(): Uint8Array {
    const table = this.table;
    const rows = Array.from({ length: this.beginTimes.length }, (_, row) => row).filter((row) => !this.removed.has(row));
    const callIdOf = (row: number) => table.text(this.callRefs[row * FIELD_COUNT]!);
    rows.sort((a, b) => {
      const byTime = this.beginTimes[a]! - this.beginTimes[b]!;
      if (byTime !== 0) return byTime;
      const [x, y] = [callIdOf(a), callIdOf(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    let events = 0;
    let offsetsFit = true;
    for (const row of rows) {
      for (let event = this.firstEvents[row]!; event < this.eventEnd(row); event++) {
        const offset = this.eventTimes[event]! - this.beginTimes[row]!;
        if (offset < INT32_MIN || offset > INT32_MAX) offsetsFit = false;
        events++;
      }
    }
    const refWidth = table.count < 0xffff ? 2 : 4;
    const layout = packLayout({
      calls: rows.length,
      events,
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
    header.setUint32(24, this.siteRef, true);
    header.setUint32(28, this.bucketRef, true);

    const Ref = refWidth === 2 ? Uint16Array : Uint32Array;
    const nullRef = refWidth === 2 ? 0xffff : NULL_REF;
    const beginTimes = new Float64Array(buffer, layout.beginTime, layout.calls);
    const eventTimes = offsetsFit ? new Int32Array(buffer, layout.eventTime, events) : new Float64Array(buffer, layout.eventTime, events);
    const firstEvents = new Uint32Array(buffer, layout.firstEvent, layout.calls + 1);
    const callRefs = new Ref(buffer, layout.callStrings, layout.calls * FIELD_COUNT);
    const rawTypeRefs = new Ref(buffer, layout.rawType, events);
    const infoRefs = new Ref(buffer, layout.info, events);
    const stages = new Uint8Array(buffer, layout.stage, layout.calls);
    const kinds = new Uint8Array(buffer, layout.kind, events);
    let at = 0;
    rows.forEach((row, index) => {
      const begin = this.beginTimes[row]!;
      beginTimes[index] = begin;
      stages[index] = this.stages[row]!;
      firstEvents[index] = at;
      for (let field = 0; field < FIELD_COUNT; field++) {
        const ref = this.callRefs[row * FIELD_COUNT + field]!;
        callRefs[index * FIELD_COUNT + field] = ref === NULL_REF ? nullRef : ref;
      }
      for (let event = this.firstEvents[row]!; event < this.eventEnd(row); event++, at++) {
        eventTimes[at] = offsetsFit ? this.eventTimes[event]! - begin : this.eventTimes[event]!;
        kinds[at] = this.kinds[event]!;
        rawTypeRefs[at] = this.rawTypeRefs[event]!;
        const info = this.infoRefs[event]!;
        infoRefs[at] = info === NULL_REF ? nullRef : info;
      }
    });
    firstEvents[layout.calls] = at;
    table.write(new Uint32Array(buffer, layout.stringEnd, layout.strings), Buffer.from(buffer, layout.text, layout.stringBytes));
    return new Uint8Array(buffer);
  }

  private add(callId: string, beginTime: number, fields: CallFields, events: readonly EventInput[], stage: Stage): number {
    const row = this.beginTimes.length;
    this.beginTimes.push(beginTime);
    this.stages.push(stageCode(stage));
    this.firstEvents.push(this.eventTimes.length);
    this.callRefs.push(this.table.ref(callId));
    for (let field = 1; field < FIELD_COUNT; field++) {
      this.callRefs.push(this.table.ref(fields[CALL_STRING_FIELDS[field] as keyof CallFields]));
    }
    for (const event of events) {
      this.eventTimes.push(event.time);
      this.kinds.push(kindCode(event.kind));
      this.rawTypeRefs.push(this.table.ref(event.rawType));
      this.infoRefs.push(this.table.ref(event.info));
    }
    return row;
  }

  private eventEnd(row: number): number {
    return row + 1 < this.firstEvents.length ? this.firstEvents[row + 1]! : this.eventTimes.length;
  }
}

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

  text(ref: number): string {
    return this.strings[ref]!;
  }

  write(ends: Uint32Array, text: Buffer): void {
    let at = 0;
    this.strings.forEach((string, index) => {
      at += text.write(string, at, 'utf8');
      ends[index] = at;
    });
  }
}
