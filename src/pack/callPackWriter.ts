import { deflateRawSync } from 'node:zlib';
import type { CallFields, CallInput, CallModel, EventInput, Stage } from '../model/call.js';
import { stageOf } from '../model/call.js';
import { CALL_REF_COLUMNS, HEADER_BYTES, kindCode, offsetWidthFor, PACK_MAGIC, packLayout, PLAIN_AFTER_CALLS, stageCode } from './callPack.js';
import { CALL_STRING_FIELDS } from './columns.js';

const NULL_REF = 0xffffffff;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** The rest's string columns, as StringTable numbers them: the call's (CALL_STRING_FIELDS from 1 on), then an event's rawType and info. */
const RAW_TYPE_COLUMN = CALL_REF_COLUMNS;
const INFO_COLUMN = CALL_REF_COLUMNS + 1;
/**
 * Deflate's fastest level: on a busy bucket's rest it gives 39 bytes a call against 36 at the default (6),
 * for about half the time on the decode threads (the cold path).
 */
const DEFLATE_LEVEL = 1;

const fitsInt32 = (value: number): boolean => Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;

/**
 * Builds one bucket's CallPack (layout in callPack.ts). Each call is encoded as it is added: its
 * strings go into the bucket's table as UTF-8 and its numbers into columns, so the objects the decoder
 * made for it die young instead of waiting for the window to end. finish() sorts the calls by
 * (beginTime, callId), the order every range answer uses, and writes the pack.
 */
export class CallPackWriter {
  private readonly table = new StringTable(INFO_COLUMN + 1);
  private readonly siteId: string;
  private readonly bucket: number;
  // One entry per row (a call added), in the order added.
  private readonly callIds: string[] = [];
  private readonly beginTimes: number[] = [];
  private readonly stages: number[] = [];
  /** The rest's refs of each row's string fields but callId, CALL_REF_COLUMNS a row. */
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
    this.siteId = siteId;
    this.bucket = bucket;
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

  /** Bytes of the rest's text it holds (outside the JS heap): every string added, a removed row's too. */
  get textBytes(): number {
    return this.table.byteLength;
  }

  /** Drops a row added earlier: the upstream sent its callId again, and the last one wins. */
  remove(row: number): void {
    this.removed.add(row);
  }

  finish(): Uint8Array {
    const table = this.table;
    const rows = Array.from({ length: this.beginTimes.length }, (_, row) => row).filter((row) => !this.removed.has(row));
    rows.sort((a, b) => {
      const byTime = this.beginTimes[a]! - this.beginTimes[b]!;
      if (byTime !== 0) return byTime;
      const [x, y] = [this.callIds[a]!, this.callIds[b]!];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    let events = 0;
    let offsetsFit = true;
    let beginsFit = true;
    for (const row of rows) {
      if (!fitsInt32(this.beginTimes[row]! - this.bucket)) beginsFit = false;
      for (let event = this.firstEvents[row]!; event < this.eventEnd(row); event++) {
        if (!fitsInt32(this.eventTimes[event]! - this.beginTimes[row]!)) offsetsFit = false;
        events++;
      }
    }
    const plain = Buffer.from([...rows.map((row) => this.callIds[row]!), this.siteId, String(this.bucket)].join(''), 'utf8');
    const rest = table.text();
    const deflated = rest.length === 0 ? rest : deflateRawSync(rest, { level: DEFLATE_LEVEL });
    const firstRest = rows.length + PLAIN_AFTER_CALLS;
    const strings = firstRest + table.count;
    const refWidth = strings < 0xffff ? 2 : 4;
    const layout = packLayout({
      calls: rows.length,
      events,
      strings,
      plainBytes: plain.length,
      restBytes: rest.length,
      deflatedBytes: deflated.length,
      refWidth,
      timeWidth: offsetsFit ? 4 : 8,
      offsetWidth: offsetWidthFor(Math.max(plain.length, rest.length, events)),
      beginWidth: beginsFit ? 4 : 8,
    });
    const buffer = new ArrayBuffer(layout.byteLength);
    const header = new DataView(buffer, 0, HEADER_BYTES);
    header.setUint32(0, PACK_MAGIC, true);
    header.setUint32(4, layout.calls, true);
    header.setUint32(8, layout.events, true);
    header.setUint32(12, layout.strings, true);
    header.setUint32(16, layout.plainBytes, true);
    header.setUint32(20, layout.restBytes, true);
    header.setUint32(24, layout.deflatedBytes, true);
    header.setUint8(28, layout.refWidth);
    header.setUint8(29, layout.timeWidth);
    header.setUint8(30, layout.offsetWidth);
    header.setUint8(31, layout.beginWidth);

    const Ref = refWidth === 2 ? Uint16Array : Uint32Array;
    const nullRef = refWidth === 2 ? 0xffff : NULL_REF;
    const refOf = (ref: number): number => (ref === NULL_REF ? nullRef : firstRest + ref);
    const beginTimes = beginsFit ? new Int32Array(buffer, layout.beginTime, layout.calls) : new Float64Array(buffer, layout.beginTime, layout.calls);
    const eventTimes = offsetsFit ? new Int32Array(buffer, layout.eventTime, events) : new Float64Array(buffer, layout.eventTime, events);
    const Offset = layout.offsetWidth === 2 ? Uint16Array : Uint32Array;
    const firstEvents = new Offset(buffer, layout.firstEvent, layout.calls + 1);
    const stringEnds = new Offset(buffer, layout.stringEnd, strings);
    const callRefs = new Ref(buffer, layout.callStrings, layout.calls * CALL_REF_COLUMNS);
    const rawTypeRefs = new Ref(buffer, layout.rawType, events);
    const infoRefs = new Ref(buffer, layout.info, events);
    const stages = new Uint8Array(buffer, layout.stage, layout.calls);
    const kinds = new Uint8Array(buffer, layout.kind, events);
    let at = 0;
    let plainEnd = 0;
    rows.forEach((row, index) => {
      const begin = this.beginTimes[row]!;
      beginTimes[index] = beginsFit ? begin - this.bucket : begin;
      stages[index] = this.stages[row]!;
      firstEvents[index] = at;
      plainEnd += Buffer.byteLength(this.callIds[row]!, 'utf8');
      stringEnds[index] = plainEnd;
      for (let field = 0; field < CALL_REF_COLUMNS; field++)
        callRefs[index * CALL_REF_COLUMNS + field] = refOf(this.callRefs[row * CALL_REF_COLUMNS + field]!);
      for (let event = this.firstEvents[row]!; event < this.eventEnd(row); event++, at++) {
        eventTimes[at] = offsetsFit ? this.eventTimes[event]! - begin : this.eventTimes[event]!;
        kinds[at] = this.kinds[event]!;
        rawTypeRefs[at] = refOf(this.rawTypeRefs[event]!);
        infoRefs[at] = refOf(this.infoRefs[event]!);
      }
    });
    firstEvents[layout.calls] = at;
    plainEnd += Buffer.byteLength(this.siteId, 'utf8');
    stringEnds[rows.length] = plainEnd;
    stringEnds[rows.length + 1] = plain.length;
    table.writeEnds(stringEnds, firstRest);
    const bytes = new Uint8Array(buffer);
    bytes.set(plain, layout.plain);
    bytes.set(deflated, layout.deflated);
    return bytes;
  }

  private add(callId: string, beginTime: number, fields: CallFields, events: readonly EventInput[], stage: Stage): number {
    const row = this.beginTimes.length;
    this.callIds.push(callId);
    this.beginTimes.push(beginTime);
    this.stages.push(stageCode(stage));
    this.firstEvents.push(this.eventTimes.length);
    for (let field = 1; field < CALL_STRING_FIELDS.length; field++) {
      this.callRefs.push(this.table.ref(fields[CALL_STRING_FIELDS[field] as keyof CallFields], field - 1));
    }
    for (const event of events) {
      this.eventTimes.push(event.time);
      this.kinds.push(kindCode(event.type));
      this.rawTypeRefs.push(this.table.ref(event.rawType, RAW_TYPE_COLUMN));
      this.infoRefs.push(this.table.ref(event.info, INFO_COLUMN));
    }
    return row;
  }

  private eventEnd(row: number): number {
    return row + 1 < this.firstEvents.length ? this.firstEvents[row + 1]! : this.eventTimes.length;
  }
}

/**
 * A column's first lookups, after which it stops looking its strings up if most of them were new: a
 * column of ids or callerInfo JSON then writes each value without keeping it, and deflate still finds
 * what repeats.
 */
const DEDUP_TRIAL = 32;

/**
 * Private: the rest's strings, numbered in order of first use, written as UTF-8 as they come, so a window
 * being decoded holds its text as bytes, not as strings on the decode thread's heap. A column whose
 * values repeat (skills, country codes, event types and infos) shares each distinct string; one whose
 * values are nearly all distinct stops looking them up after DEDUP_TRIAL values (see ref).
 */
class StringTable {
  private readonly refs = new Map<string, number>();
  private readonly lookups: Uint32Array;
  private readonly misses: Uint32Array;
  private readonly ends: number[] = [];
  private bytes = Buffer.allocUnsafeSlow(16 * 1024);
  private used = 0;

  constructor(columns: number) {
    this.lookups = new Uint32Array(columns);
    this.misses = new Uint32Array(columns);
  }

  get count(): number {
    return this.ends.length;
  }

  get byteLength(): number {
    return this.used;
  }

  ref(text: string | null, column: number): number {
    if (text === null) return NULL_REF;
    const lookups = this.lookups[column]!;
    // Past its trial, a column with more new values than repeated ones is written without a lookup.
    if (lookups >= DEDUP_TRIAL && 2 * this.misses[column]! > lookups) return this.append(text);
    this.lookups[column] = lookups + 1;
    let ref = this.refs.get(text);
    if (ref === undefined) {
      this.misses[column]!++;
      ref = this.append(text);
      this.refs.set(text, ref);
    }
    return ref;
  }

  /** The text of every string, one after the other. */
  text(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  /** Each string's end in text(), into the pack's ends from `first` on. */
  writeEnds(ends: Uint16Array | Uint32Array, first: number): void {
    this.ends.forEach((end, index) => (ends[first + index] = end));
  }

  private append(text: string): number {
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    if (this.used + 3 * text.length > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.used + 3 * text.length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
    this.ends.push(this.used);
    return this.ends.length - 1;
  }
}
