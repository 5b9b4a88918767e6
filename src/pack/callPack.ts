import type { CallModel, Stage } from '../model/call.js';
import type { EventKind } from '../model/eventKind.js';
import { CALL_STRING_FIELDS } from './columns.js';
import { PackedCall } from './packedCall.js';

/**
 * One bucket's calls in one compact binary block: the form the memory tier holds and Redis stores.
 *
 * The wire repeats every call field on every event (~2.2 KB a call on a busy site); decoded into
 * objects a call still costs ~2.8 KB of heap (one object per event, one string per field, a parsed
 * callerInfo). Here a call is a row of fixed-width columns and its strings are UTF-8 in a table
 * shared by the bucket (skills, welcome texts, dialed numbers and event infos repeat), ~200 bytes a
 * call. Outside the JS heap, so a cache of them costs no GC time, and its size is known exactly.
 *
 * Resolvers read it through PackedCall views (packedCall.ts), which decode a field when it is read.
 *
 * Layout, little-endian, every column aligned to its width (the header is 40 bytes):
 *   u32 magic, u32 calls, u32 events, u32 strings, u32 stringBytes, u8 refWidth (2|4), u8 timeWidth
 *   (4: i32 ms after the call's begin | 8: f64 epoch ms), u8 offsetWidth (2|4), u8 beginWidth (4: i32 ms
 *   after the bucket start | 8: f64 epoch ms), u32 siteId ref, u32 bucket ref (its start, in decimal),
 *   u32 prefixed, u32 0
 *   (i32|f64) beginTime[calls]; (i32|f64) eventTime[events]; offset firstEvent[calls + 1];
 *   offset stringEnd[strings]; ref prefixBase[prefixed]; offset prefixLength[prefixed];
 *   ref callStrings[calls * CALL_STRING_FIELDS.length]; ref rawType[events]; ref info[events];
 *   u8 stage[calls]; u8 kind[events]; utf8 text[stringBytes]
 * A ref is an index into the string table; its type's maximum value stands for null. The last
 * `prefixed` strings of the table store only what follows a prefix they share with an earlier string
 * (a base, never itself prefixed): callerInfo JSON and sequential ids share long prefixes. So a string
 * is at most two slices of the text, and reading one stays O(1).
 */

export const PACK_MAGIC = 0x3250444c; // "LDP2"
export const HEADER_BYTES = 40;

// Records, so the compiler names a stage or kind added to the model and forgotten here.
const STAGE_CODES: Readonly<Record<Stage, number>> = { STARTED: 0, ACCEPTED: 1, DECLINED: 2, TEXT_SENT: 3, CONVERSATION_STARTED: 4 };
const KIND_CODES: Readonly<Record<EventKind, number>> = {
  CALL_START: 0,
  SKILL_CHOICE: 1,
  CHANNEL_OVERRIDE: 2,
  DEFLECTION_RESPONSE: 3,
  SEND_TEXT: 4,
  CONVERSATION_ID: 5,
  UNKNOWN: 6,
};
const STAGES = codesToNames(STAGE_CODES);
const KINDS = codesToNames(KIND_CODES);

export const stageCode = (stage: Stage): number => STAGE_CODES[stage];
export const kindCode = (kind: EventKind): number => KIND_CODES[kind];

/** Where each column starts, for a pack of the given counts; shared by the writer and the reader. */
export interface PackLayout {
  readonly calls: number;
  readonly events: number;
  readonly strings: number;
  readonly stringBytes: number;
  /** How many of the last strings share a prefix with a base string. */
  readonly prefixed: number;
  readonly refWidth: 2 | 4;
  readonly timeWidth: 4 | 8;
  /** The width of firstEvent, stringEnd and prefixLength: 2 when the events and the text fit in a u16. */
  readonly offsetWidth: 2 | 4;
  readonly beginWidth: 4 | 8;
  readonly beginTime: number;
  readonly eventTime: number;
  readonly firstEvent: number;
  readonly stringEnd: number;
  readonly prefixBase: number;
  readonly prefixLength: number;
  readonly callStrings: number;
  readonly rawType: number;
  readonly info: number;
  readonly stage: number;
  readonly kind: number;
  readonly text: number;
  readonly byteLength: number;
}

type PackCounts = Pick<
  PackLayout,
  'calls' | 'events' | 'strings' | 'stringBytes' | 'prefixed' | 'refWidth' | 'timeWidth' | 'offsetWidth' | 'beginWidth'
>;

export function packLayout(counts: PackCounts): PackLayout {
  const { calls, events, strings, prefixed, stringBytes, refWidth, timeWidth, offsetWidth, beginWidth } = counts;
  const beginTime = HEADER_BYTES;
  const eventTime = align(beginTime + beginWidth * calls, timeWidth);
  const firstEvent = align(eventTime + timeWidth * events, offsetWidth);
  const stringEnd = firstEvent + offsetWidth * (calls + 1);
  const prefixBase = align(stringEnd + offsetWidth * strings, refWidth);
  const prefixLength = align(prefixBase + refWidth * prefixed, offsetWidth);
  const callStrings = align(prefixLength + offsetWidth * prefixed, refWidth);
  const rawType = callStrings + refWidth * calls * CALL_STRING_FIELDS.length;
  const info = rawType + refWidth * events;
  const stage = info + refWidth * events;
  const kind = stage + calls;
  const text = kind + events;
  return {
    ...counts,
    beginTime,
    eventTime,
    firstEvent,
    stringEnd,
    prefixBase,
    prefixLength,
    callStrings,
    rawType,
    info,
    stage,
    kind,
    text,
    byteLength: text + stringBytes,
  };
}

/** The layout a pack's header describes; PackFormatError for bytes that are not a pack of this format. */
export function headerLayout(header: DataView): PackLayout {
  if (header.getUint32(0, true) !== PACK_MAGIC) throw new PackFormatError('not a call pack (bad magic number)');
  const refWidth = header.getUint8(20);
  const timeWidth = header.getUint8(21);
  const offsetWidth = header.getUint8(22);
  const beginWidth = header.getUint8(23);
  if (!isWidth(refWidth, 2, 4) || !isWidth(timeWidth, 4, 8) || !isWidth(offsetWidth, 2, 4) || !isWidth(beginWidth, 4, 8)) {
    throw new PackFormatError('unknown column widths');
  }
  return packLayout({
    calls: header.getUint32(4, true),
    events: header.getUint32(8, true),
    strings: header.getUint32(12, true),
    stringBytes: header.getUint32(16, true),
    prefixed: header.getUint32(32, true),
    refWidth,
    timeWidth,
    offsetWidth,
    beginWidth,
  });
}

/** The narrowest offset column that holds every value up to `largest`. */
export const offsetWidthFor = (largest: number): 2 | 4 => (largest <= 0xffff ? 2 : 4);

/** Thrown for bytes that are not a pack (a foreign or corrupt Redis value): the caller treats it as a miss. */
export class PackFormatError extends Error {
  override readonly name = 'PackFormatError';
}

export class CallPack {
  readonly byteLength: number;
  /** How many calls: they are sorted by (beginTime, callId). */
  readonly count: number;
  readonly siteId: string;
  /** The start of the bucket the pack holds (epoch ms), as its writer was told. */
  readonly bucket: number;
  private readonly bytes: Buffer;
  private readonly beginTimes: Float64Array | Int32Array;
  private readonly beginTimesAreOffsets: boolean;
  private readonly eventTimes: Float64Array | Int32Array;
  private readonly eventTimesAreOffsets: boolean;
  private readonly firstEvents: Uint16Array | Uint32Array;
  private readonly stringEnds: Uint16Array | Uint32Array;
  /** Strings from this index on are prefixed: prefixBases and prefixLengths, at index - firstPrefixed, say with what. */
  private readonly firstPrefixed: number;
  private readonly prefixBases: Uint16Array | Uint32Array;
  private readonly prefixLengths: Uint16Array | Uint32Array;
  private readonly callStrings: Uint16Array | Uint32Array;
  private readonly rawTypes: Uint16Array | Uint32Array;
  private readonly infos: Uint16Array | Uint32Array;
  private readonly stages: Uint8Array;
  private readonly kinds: Uint8Array;
  private readonly nullRef: number;
  private readonly textStart: number;
  private views: readonly CallModel[] | null = null;

  /** Reads a pack; the bytes are used in place when they are aligned, else copied once. */
  constructor(bytes: Uint8Array) {
    const own = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
    if (own.byteLength < HEADER_BYTES) throw new PackFormatError(`a pack has a ${HEADER_BYTES}-byte header; got ${own.byteLength} bytes`);
    const header = new DataView(own.buffer, own.byteOffset, HEADER_BYTES);
    const layout = headerLayout(header);
    const { refWidth, timeWidth, offsetWidth, beginWidth } = layout;
    if (layout.byteLength !== own.byteLength || layout.prefixed > layout.strings)
      throw new PackFormatError(`pack length ${own.byteLength} does not match its header (${layout.byteLength})`);
    const { buffer, byteOffset } = own;
    const column = <T>(Type: new (buffer: ArrayBufferLike, offset: number, length: number) => T, at: number, length: number): T =>
      new Type(buffer, byteOffset + at, length);
    const unsigned = (width: 2 | 4, at: number, length: number): Uint16Array | Uint32Array =>
      width === 2 ? column(Uint16Array, at, length) : column(Uint32Array, at, length);
    const times = (width: 4 | 8, at: number, length: number): Int32Array | Float64Array =>
      width === 4 ? column(Int32Array, at, length) : column(Float64Array, at, length);
    this.byteLength = own.byteLength;
    this.count = layout.calls;
    this.bytes = Buffer.from(buffer, byteOffset, own.byteLength);
    this.beginTimesAreOffsets = beginWidth === 4;
    this.beginTimes = times(beginWidth, layout.beginTime, layout.calls);
    this.eventTimesAreOffsets = timeWidth === 4;
    this.eventTimes = times(timeWidth, layout.eventTime, layout.events);
    this.firstEvents = unsigned(offsetWidth, layout.firstEvent, layout.calls + 1);
    this.stringEnds = unsigned(offsetWidth, layout.stringEnd, layout.strings);
    this.firstPrefixed = layout.strings - layout.prefixed;
    this.prefixBases = unsigned(refWidth, layout.prefixBase, layout.prefixed);
    this.prefixLengths = unsigned(offsetWidth, layout.prefixLength, layout.prefixed);
    this.callStrings = unsigned(refWidth, layout.callStrings, layout.calls * CALL_STRING_FIELDS.length);
    this.rawTypes = unsigned(refWidth, layout.rawType, layout.events);
    this.infos = unsigned(refWidth, layout.info, layout.events);
    this.stages = column(Uint8Array, layout.stage, layout.calls);
    this.kinds = column(Uint8Array, layout.kind, layout.events);
    this.nullRef = refWidth === 2 ? 0xffff : 0xffffffff;
    this.textStart = layout.text;
    if (this.firstEvents[layout.calls] !== layout.events || (layout.strings > 0 && this.stringEnds[layout.strings - 1] !== layout.stringBytes)) {
      throw new PackFormatError('pack columns disagree with its header');
    }
    // A prefix is a leading part of a string that is not prefixed itself: bytes of any other kind would read as a wrong string.
    for (let at = 0; at < layout.prefixed; at++) {
      const base = this.prefixBases[at]!;
      if (base >= this.firstPrefixed || this.prefixLengths[at]! > this.stringEnds[base]! - (base === 0 ? 0 : this.stringEnds[base - 1]!)) {
        throw new PackFormatError('pack has a prefix that is not part of a plain string');
      }
    }
    const site = this.string(header.getUint32(24, true));
    if (site === null) throw new PackFormatError('pack has no site');
    this.siteId = site;
    const bucket = Number(this.string(header.getUint32(28, true)) ?? Number.NaN);
    if (!Number.isSafeInteger(bucket)) throw new PackFormatError('pack names no bucket');
    this.bucket = bucket;
  }

  /** The pack's bytes, for Redis. */
  get data(): Buffer {
    return this.bytes;
  }

  /** The calls as CallModel views, made once per pack: a cached bucket answers every later read with the same array. */
  calls(): readonly CallModel[] {
    if (!this.views) this.views = Array.from({ length: this.count }, (_, index) => new PackedCall(this, index));
    return this.views;
  }

  // The readers below are for PackedCall and PackedEvent: indexes are trusted, as they come from the pack.

  beginTime(call: number): number {
    const time = this.beginTimes[call]!;
    return this.beginTimesAreOffsets ? this.bucket + time : time;
  }

  callString(call: number, field: number): string | null {
    return this.string(this.callStrings[call * CALL_STRING_FIELDS.length + field]!);
  }

  stage(call: number): Stage {
    return STAGES[this.stages[call]!]!;
  }

  firstEvent(call: number): number {
    return this.firstEvents[call]!;
  }

  eventCount(call: number): number {
    return this.firstEvents[call + 1]! - this.firstEvents[call]!;
  }

  eventTime(call: number, event: number): number {
    const time = this.eventTimes[event]!;
    return this.eventTimesAreOffsets ? this.beginTime(call) + time : time;
  }

  eventKind(event: number): EventKind {
    return KINDS[this.kinds[event]!]!;
  }

  eventRawType(event: number): string {
    return this.string(this.rawTypes[event]!) ?? '';
  }

  eventInfo(event: number): string | null {
    return this.string(this.infos[event]!);
  }

  private string(ref: number): string | null {
    if (ref === this.nullRef) return null;
    const own = this.text(ref, this.stringEnds[ref]!);
    if (ref < this.firstPrefixed) return own;
    const at = ref - this.firstPrefixed;
    const base = this.prefixBases[at]!;
    // The writer cuts a prefix between characters, so each part decodes on its own.
    return this.text(base, (base === 0 ? 0 : this.stringEnds[base - 1]!) + this.prefixLengths[at]!) + own;
  }

  /** The text of a string's own bytes, from its start to `end`. */
  private text(ref: number, end: number): string {
    const start = ref === 0 ? 0 : this.stringEnds[ref - 1]!;
    return this.bytes.toString('utf8', this.textStart + start, this.textStart + end);
  }
}

function isWidth<A extends number, B extends number>(width: number, narrow: A, wide: B): width is A | B {
  return width === narrow || width === wide;
}

function align(offset: number, width: number): number {
  return Math.ceil(offset / width) * width;
}

function codesToNames<T extends string>(codes: Readonly<Record<T, number>>): readonly T[] {
  const names: T[] = [];
  for (const [name, code] of Object.entries(codes) as [T, number][]) names[code] = name;
  return names;
}
