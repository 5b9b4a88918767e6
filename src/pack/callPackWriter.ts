import type { CallFields, CallInput, CallModel, EventInput, Stage } from '../model/call.js';
import { stageOf } from '../model/call.js';
import { HEADER_BYTES, kindCode, offsetWidthFor, PACK_MAGIC, packLayout, stageCode } from './callPack.js';
import { CALL_STRING_FIELDS } from './columns.js';

const FIELD_COUNT = CALL_STRING_FIELDS.length;
const NULL_REF = 0xffffffff;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/**
 * The least a string must share with its base to be stored as a prefix and the rest: the prefix's base
 * ref and length cost 4 bytes (2 + 2 in a busy bucket), so shorter shares would not pay.
 */
const MIN_SHARED_CHARS = 8;
/**
 * Only strings this long are sorted for shared prefixes: sorting every string of a bucket made the pack's
 * writing ~50% slower (on the decode threads, the cold path), and strings of 8 to 15 characters saved ~2% of
 * a busy bucket's pack.
 */
const MIN_SORTED_CHARS = 16;

const fitsInt32 = (value: number): boolean => Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;

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
  private readonly bucket: number;
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
    let beginsFit = true;
    for (const row of rows) {
      if (!fitsInt32(this.beginTimes[row]! - this.bucket)) beginsFit = false;
      for (let event = this.firstEvents[row]!; event < this.eventEnd(row); event++) {
        if (!fitsInt32(this.eventTimes[event]! - this.beginTimes[row]!)) offsetsFit = false;
        events++;
      }
    }
    const strings = table.plan();
    const refWidth = table.count < 0xffff ? 2 : 4;
    const layout = packLayout({
      calls: rows.length,
      events,
      strings: table.count,
      stringBytes: strings.bytes,
      prefixed: strings.prefixed,
      refWidth,
      timeWidth: offsetsFit ? 4 : 8,
      offsetWidth: offsetWidthFor(Math.max(strings.bytes, events)),
      beginWidth: beginsFit ? 4 : 8,
    });
    const buffer = new ArrayBuffer(layout.byteLength);
    const header = new DataView(buffer, 0, HEADER_BYTES);
    header.setUint32(0, PACK_MAGIC, true);
    header.setUint32(4, layout.calls, true);
    header.setUint32(8, layout.events, true);
    header.setUint32(12, layout.strings, true);
    header.setUint32(16, layout.stringBytes, true);
    header.setUint8(20, layout.refWidth);
    header.setUint8(21, layout.timeWidth);
    header.setUint8(22, layout.offsetWidth);
    header.setUint8(23, layout.beginWidth);
    header.setUint32(24, strings.refOf[this.siteRef]!, true);
    header.setUint32(28, strings.refOf[this.bucketRef]!, true);
    header.setUint32(32, layout.prefixed, true);

    const Ref = refWidth === 2 ? Uint16Array : Uint32Array;
    const Offset = layout.offsetWidth === 2 ? Uint16Array : Uint32Array;
    const nullRef = refWidth === 2 ? 0xffff : NULL_REF;
    const refOf = (ref: number): number => (ref === NULL_REF ? nullRef : strings.refOf[ref]!);
    const beginTimes = beginsFit ? new Int32Array(buffer, layout.beginTime, layout.calls) : new Float64Array(buffer, layout.beginTime, layout.calls);
    const eventTimes = offsetsFit ? new Int32Array(buffer, layout.eventTime, events) : new Float64Array(buffer, layout.eventTime, events);
    const firstEvents = new Offset(buffer, layout.firstEvent, layout.calls + 1);
    const callRefs = new Ref(buffer, layout.callStrings, layout.calls * FIELD_COUNT);
    const rawTypeRefs = new Ref(buffer, layout.rawType, events);
    const infoRefs = new Ref(buffer, layout.info, events);
    const stages = new Uint8Array(buffer, layout.stage, layout.calls);
    const kinds = new Uint8Array(buffer, layout.kind, events);
    let at = 0;
    rows.forEach((row, index) => {
      const begin = this.beginTimes[row]!;
      beginTimes[index] = beginsFit ? begin - this.bucket : begin;
      stages[index] = this.stages[row]!;
      firstEvents[index] = at;
      for (let field = 0; field < FIELD_COUNT; field++) callRefs[index * FIELD_COUNT + field] = refOf(this.callRefs[row * FIELD_COUNT + field]!);
      for (let event = this.firstEvents[row]!; event < this.eventEnd(row); event++, at++) {
        eventTimes[at] = offsetsFit ? this.eventTimes[event]! - begin : this.eventTimes[event]!;
        kinds[at] = this.kinds[event]!;
        rawTypeRefs[at] = refOf(this.rawTypeRefs[event]!);
        infoRefs[at] = refOf(this.infoRefs[event]!);
      }
    });
    firstEvents[layout.calls] = at;
    table.write(
      strings,
      new Offset(buffer, layout.stringEnd, layout.strings),
      new Ref(buffer, layout.prefixBase, layout.prefixed),
      new Offset(buffer, layout.prefixLength, layout.prefixed),
      Buffer.from(buffer, layout.text, layout.stringBytes),
    );
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

/** Private: how a StringTable is written: the pack's order of its strings, and which of them are stored as a shared prefix and the rest. */
interface TablePlan {
  /** The pack's ref of each string, by the table's own number. */
  readonly refOf: Uint32Array;
  /** The table's number of each of the pack's strings, in the pack's order: the plain ones, then the prefixed. */
  readonly order: readonly number[];
  /** By the table's number: the base (its table number) and the characters taken from it, for each prefixed string. */
  readonly prefixes: ReadonlyMap<number, { readonly base: number; readonly chars: number; readonly bytes: number }>;
  readonly prefixed: number;
  /** The text's bytes: each plain string whole, each prefixed one after its prefix. */
  readonly bytes: number;
}

/** Private: each distinct string once, UTF-8, numbered in order of first use. */
class StringTable {
  private readonly refs = new Map<string, number>();
  private readonly strings: string[] = [];
  private byteCount = 0;

  get count(): number {
    return this.strings.length;
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

  /**
   * Which strings share a prefix with another: in sorted order, strings with a long common prefix are
   * neighbours, so each string of at least MIN_SORTED_CHARS is compared with the last plain one before it.
   * One that shares at least MIN_SHARED_CHARS with it keeps only the rest; one that does not becomes the
   * next base. A base is always plain, so a string is read in at most two slices.
   */
  plan(): TablePlan {
    const strings = this.strings;
    // The default sort compares strings by UTF-16 code units, as `<` does; with no comparator to call it is the fastest.
    const sorted = strings.filter((text) => text.length >= MIN_SORTED_CHARS).sort();
    const prefixes = new Map<number, { base: number; chars: number; bytes: number }>();
    let base: string | null = null;
    let baseRef = -1;
    let sharedBytes = 0;
    for (const text of sorted) {
      const chars = base === null ? 0 : sharedChars(base, text);
      if (chars < MIN_SHARED_CHARS) {
        base = text;
        baseRef = this.refs.get(text)!;
        continue;
      }
      const bytes = Buffer.byteLength(text.slice(0, chars), 'utf8');
      prefixes.set(this.refs.get(text)!, { base: baseRef, chars, bytes });
      sharedBytes += bytes;
    }
    const order: number[] = [];
    for (let ref = 0; ref < strings.length; ref++) if (!prefixes.has(ref)) order.push(ref);
    for (let ref = 0; ref < strings.length; ref++) if (prefixes.has(ref)) order.push(ref);
    const refOf = new Uint32Array(strings.length);
    order.forEach((ref, index) => (refOf[ref] = index));
    return { refOf, order, prefixes, prefixed: prefixes.size, bytes: this.byteCount - sharedBytes };
  }

  write(plan: TablePlan, ends: Uint16Array | Uint32Array, bases: Uint16Array | Uint32Array, lengths: Uint16Array | Uint32Array, text: Buffer): void {
    let at = 0;
    const firstPrefixed = this.strings.length - plan.prefixed;
    plan.order.forEach((ref, index) => {
      const prefix = plan.prefixes.get(ref);
      at += text.write(prefix ? this.strings[ref]!.slice(prefix.chars) : this.strings[ref]!, at, 'utf8');
      ends[index] = at;
      if (!prefix) return;
      bases[index - firstPrefixed] = plan.refOf[prefix.base]!;
      lengths[index - firstPrefixed] = prefix.bytes;
    });
  }
}

/** How many leading UTF-16 units two strings share, never ending inside a surrogate pair (so both parts are whole characters). */
function sharedChars(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let chars = 0;
  while (chars < max && a.charCodeAt(chars) === b.charCodeAt(chars)) chars++;
  const last = chars > 0 ? b.charCodeAt(chars - 1) : 0;
  return last >= 0xd800 && last <= 0xdbff ? chars - 1 : chars;
}
