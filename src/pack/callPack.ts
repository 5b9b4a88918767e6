import { inflateRawSync } from 'node:zlib';
import type { Stage } from '../model/call.js';
import type { EventKind } from '../model/eventKind.js';
import { compareValues } from '../model/order.js';
import { CALL_STRING_FIELDS } from './columns.js';
import { PackedCalls } from './packedCall.js';

/**
 * One bucket's calls in one compact binary block: the form the memory tier holds and Redis stores.
 *
 * The wire repeats every call field on every event (~2.2 KB a call on a busy site); decoded into
 * objects a call still costs ~2.8 KB of heap (one object per event, one string per field, a parsed
 * callerInfo). Here a call is a row of fixed-width columns and its strings are UTF-8 in a table
 * shared by the bucket (skills, welcome texts, dialed numbers and event infos repeat), ~130 bytes a
 * call. Outside the JS heap, so a cache of them costs no GC time, and its size is known exactly.
 *
 * Resolvers read it through PackedCall views (packedCall.ts), which decode a field when it is read.
 *
 * Layout, little-endian, every column aligned to its width (the header is 32 bytes):
 *   u32 magic, u32 calls, u32 events, u32 strings, u32 plainBytes, u32 restBytes, u32 deflatedBytes,
 *   u8 refWidth (2|4), u8 timeWidth (4: i32 ms after the call's begin | 8: f64 epoch ms), u8 offsetWidth
 *   (2|4), u8 beginWidth (4: i32 ms after the bucket start | 8: f64 epoch ms)
 *   (i32|f64) beginTime[calls]; (i32|f64) eventTime[events]; offset firstEvent[calls + 1];
 *   offset stringEnd[strings]; ref callStrings[calls * (CALL_STRING_FIELDS.length - 1)]; ref rawType[events];
 *   ref info[events]; u8 stage[calls]; u8 kind[events]; utf8 plain[plainBytes]; deflated rest[deflatedBytes]
 * The string table has two parts. The first calls + 2 strings are plain text: each row's callId (string
 * `row` is row `row`'s, so callIds need no ref column), then the site and the bucket start (in decimal).
 * They are what ordering a range, finding a call and checking a Redis value against its key read, so they
 * are read in place. Every other string (the rest) is in one raw-deflate stream: callerInfo JSON, phone
 * numbers and ids compress ~3x, where the shared prefixes of LDP2 saved ~12%. The rest is
 * inflated when a call's other fields are first read, and kept for the packs read last (a few MiB in all:
 * see INFLATED_BYTES), so a warm dashboard reads inflated text and a 31-day range does not inflate
 * every bucket it counts. A ref indexes the whole table; its type's maximum value stands for null; stringEnd
 * counts from the start of its own part.
 */

export const PACK_MAGIC = 0x3350444c; // "LDP3"
export const HEADER_BYTES = 32;
/** Strings of a pack before its rest: one callId per row, then these two. */
export const PLAIN_AFTER_CALLS = 2;
/**
 * The most inflated rest text kept, over all packs: the packs read last keep theirs, so a polled dashboard
 * (a day of a busy site is ~0.9 MB of it) inflates nothing, while a range over months holds a few buckets'.
 */
const INFLATED_BYTES = 8 * 1024 * 1024;

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
  /** All strings: the plain ones (calls + PLAIN_AFTER_CALLS), then the rest. */
  readonly strings: number;
  /** Bytes of the plain strings' text. */
  readonly plainBytes: number;
  /** Bytes of the rest's text, inflated. */
  readonly restBytes: number;
  /** Bytes of the rest's text as stored (raw deflate). */
  readonly deflatedBytes: number;
  readonly refWidth: 2 | 4;
  readonly timeWidth: 4 | 8;
  /** The width of firstEvent and stringEnd: 2 when the events and each part's text fit in a u16. */
  readonly offsetWidth: 2 | 4;
  readonly beginWidth: 4 | 8;
  readonly beginTime: number;
  readonly eventTime: number;
  readonly firstEvent: number;
  readonly stringEnd: number;
  readonly callStrings: number;
  readonly rawType: number;
  readonly info: number;
  readonly stage: number;
  readonly kind: number;
  readonly plain: number;
  readonly deflated: number;
  readonly byteLength: number;
}

type PackCounts = Pick<
  PackLayout,
  'calls' | 'events' | 'strings' | 'plainBytes' | 'restBytes' | 'deflatedBytes' | 'refWidth' | 'timeWidth' | 'offsetWidth' | 'beginWidth'
>;

/** Ref columns of a row: every string field but callId, whose ref is the row itself. */
export const CALL_REF_COLUMNS = CALL_STRING_FIELDS.length - 1;

export function packLayout(counts: PackCounts): PackLayout {
  const { calls, events, strings, plainBytes, deflatedBytes, refWidth, timeWidth, offsetWidth, beginWidth } = counts;
  const beginTime = HEADER_BYTES;
  const eventTime = align(beginTime + beginWidth * calls, timeWidth);
  const firstEvent = align(eventTime + timeWidth * events, offsetWidth);
  const stringEnd = firstEvent + offsetWidth * (calls + 1);
  const callStrings = align(stringEnd + offsetWidth * strings, refWidth);
  const rawType = callStrings + refWidth * calls * CALL_REF_COLUMNS;
  const info = rawType + refWidth * events;
  const stage = info + refWidth * events;
  const kind = stage + calls;
  const plain = kind + events;
  const deflated = plain + plainBytes;
  return {
    ...counts,
    beginTime,
    eventTime,
    firstEvent,
    stringEnd,
    callStrings,
    rawType,
    info,
    stage,
    kind,
    plain,
    deflated,
    byteLength: deflated + deflatedBytes,
  };
}

/** The layout a pack's header describes; PackFormatError for bytes that are not a pack of this format. */
export function headerLayout(header: DataView): PackLayout {
  if (header.getUint32(0, true) !== PACK_MAGIC) throw new PackFormatError('not a call pack (bad magic number)');
  const refWidth = header.getUint8(28);
  const timeWidth = header.getUint8(29);
  const offsetWidth = header.getUint8(30);
  const beginWidth = header.getUint8(31);
  if (!isWidth(refWidth, 2, 4) || !isWidth(timeWidth, 4, 8) || !isWidth(offsetWidth, 2, 4) || !isWidth(beginWidth, 4, 8)) {
    throw new PackFormatError('unknown column widths');
  }
  return packLayout({
    calls: header.getUint32(4, true),
    events: header.getUint32(8, true),
    strings: header.getUint32(12, true),
    plainBytes: header.getUint32(16, true),
    restBytes: header.getUint32(20, true),
    deflatedBytes: header.getUint32(24, true),
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
  /**
   * The packs whose rest is inflated, least recently read first, with its size: one bound for the
   * process (INFLATED_BYTES), so text kept inflated never grows with the cache.
   */
  private static readonly kept = new Map<CallPack, number>();
  private static keptBytes = 0;

  /** Bytes of inflated text kept now, over all packs (at most INFLATED_BYTES but for the pack read last). */
  static get inflatedBytes(): number {
    return CallPack.keptBytes;
  }

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
  /** Strings from this index on are the rest: read from its inflated text. */
  private readonly firstRest: number;
  private readonly restBytes: number;
  private readonly deflated: Buffer;
  /** The rest's text while this pack is among those read last; null before and after. */
  private rest: Buffer | null = null;
  private readonly callStrings: Uint16Array | Uint32Array;
  private readonly rawTypes: Uint16Array | Uint32Array;
  private readonly infos: Uint16Array | Uint32Array;
  private readonly stages: Uint8Array;
  private readonly kinds: Uint8Array;
  private readonly nullRef: number;
  private readonly plainStart: number;
  private list: PackedCalls | null = null;
  private ascendingVerdict: boolean | null = null;

  /**
   * A pack from bytes from outside this process (Redis, another replica): its rest is inflated and
   * checked now, so a corrupt one is a PackFormatError here rather than when a field is read.
   */
  static verified(bytes: Uint8Array): CallPack {
    const pack = new CallPack(bytes);
    pack.restText();
    return pack;
  }

  /**
   * Reads a pack; the bytes are used in place when they are aligned, else copied once. Checks all but the
   * deflated rest, which is inflated when first read (see verified()).
   */
  constructor(bytes: Uint8Array) {
    const own = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
    if (own.byteLength < HEADER_BYTES) throw new PackFormatError(`a pack has a ${HEADER_BYTES}-byte header; got ${own.byteLength} bytes`);
    const header = new DataView(own.buffer, own.byteOffset, HEADER_BYTES);
    const layout = headerLayout(header);
    const { refWidth, timeWidth, offsetWidth, beginWidth, calls, strings } = layout;
    if (layout.byteLength !== own.byteLength)
      throw new PackFormatError(`pack length ${own.byteLength} does not match its header (${layout.byteLength})`);
    const { buffer, byteOffset } = own;
    const column = <T>(Type: new (buffer: ArrayBufferLike, offset: number, length: number) => T, at: number, length: number): T =>
      new Type(buffer, byteOffset + at, length);
    const unsigned = (width: 2 | 4, at: number, length: number): Uint16Array | Uint32Array =>
      width === 2 ? column(Uint16Array, at, length) : column(Uint32Array, at, length);
    const times = (width: 4 | 8, at: number, length: number): Int32Array | Float64Array =>
      width === 4 ? column(Int32Array, at, length) : column(Float64Array, at, length);
    this.byteLength = own.byteLength;
    this.count = calls;
    this.bytes = Buffer.from(buffer, byteOffset, own.byteLength);
    this.beginTimesAreOffsets = beginWidth === 4;
    this.beginTimes = times(beginWidth, layout.beginTime, calls);
    this.eventTimesAreOffsets = timeWidth === 4;
    this.eventTimes = times(timeWidth, layout.eventTime, layout.events);
    this.firstEvents = unsigned(offsetWidth, layout.firstEvent, calls + 1);
    this.stringEnds = unsigned(offsetWidth, layout.stringEnd, strings);
    this.firstRest = calls + PLAIN_AFTER_CALLS;
    this.restBytes = layout.restBytes;
    this.deflated = this.bytes.subarray(layout.deflated);
    this.callStrings = unsigned(refWidth, layout.callStrings, calls * CALL_REF_COLUMNS);
    this.rawTypes = unsigned(refWidth, layout.rawType, layout.events);
    this.infos = unsigned(refWidth, layout.info, layout.events);
    this.stages = column(Uint8Array, layout.stage, calls);
    this.kinds = column(Uint8Array, layout.kind, layout.events);
    this.nullRef = refWidth === 2 ? 0xffff : 0xffffffff;
    this.plainStart = layout.plain;
    const restEnd = strings > this.firstRest ? this.stringEnds[strings - 1]! : 0;
    if (
      strings < this.firstRest ||
      this.firstEvents[calls] !== layout.events ||
      this.stringEnds[this.firstRest - 1] !== layout.plainBytes ||
      restEnd !== layout.restBytes
    ) {
      throw new PackFormatError('pack columns disagree with its header');
    }
    this.siteId = this.plainString(calls);
    const bucket = Number(this.plainString(calls + 1));
    if (!Number.isSafeInteger(bucket)) throw new PackFormatError('pack names no bucket');
    this.bucket = bucket;
  }

  /** The pack's bytes, for Redis. */
  get data(): Buffer {
    return this.bytes;
  }

  /**
   * The calls as a list of CallModel views, each made when first read: a cached bucket answers every later
   * read with the same list and the same views. Each read counts as a use of the pack's inflated text, so
   * the buckets an operation reads keep theirs longest.
   */
  calls(): PackedCalls {
    this.list ??= new PackedCalls(this);
    const bytes = CallPack.kept.get(this);
    if (bytes !== undefined) {
      CallPack.kept.delete(this);
      CallPack.kept.set(this, bytes);
    }
    return this.list;
  }

  /**
   * Whether the calls are in strictly ascending (beginTime, callId) order, as the writer leaves them: read
   * from the columns once, with no view made. A pack read back from Redis is anyone's bytes, so the range
   * readers ask rather than assume (src/loaders/callsInRange.ts).
   */
  get ascending(): boolean {
    this.ascendingVerdict ??= this.readAscending();
    return this.ascendingVerdict;
  }

  private readAscending(): boolean {
    for (let call = 1; call < this.count; call++) {
      // compareCalls' order, compared as it compares: by begin time, then (only on a tie) by callId.
      const byTime = compareValues(this.beginTime(call - 1), this.beginTime(call));
      if (byTime > 0 || (byTime === 0 && compareValues(this.callId(call - 1), this.callId(call)) >= 0)) return false;
    }
    return true;
  }

  // The readers below are for PackedCall and PackedEvent: indexes are trusted, as they come from the pack.

  beginTime(call: number): number {
    const time = this.beginTimes[call]!;
    return this.beginTimesAreOffsets ? this.bucket + time : time;
  }

  callId(call: number): string {
    return this.plainString(call);
  }

  /** Bytes of UTF-8 the callIds take, all together. */
  get callIdBytes(): number {
    return this.count === 0 ? 0 : this.stringEnds[this.count - 1]!;
  }

  /**
   * A 53-bit hash of the callId's UTF-8 bytes, read in place: equal callIds hash alike, in any pack. For a
   * check over a whole range that must not make a string of every callId (a 31-day range has 200,000).
   */
  callIdHash(call: number): number {
    const start = this.plainTextStart(call);
    const end = this.plainStart + this.stringEnds[call]!;
    const bytes = this.bytes;
    // Two FNV-1a hashes with different offset bases, 32 and 21 bits of them side by side.
    let low = 0x811c9dc5;
    let high = 0x01000193;
    for (let at = start; at < end; at++) {
      low = Math.imul(low ^ bytes[at]!, 0x01000193);
      high = Math.imul(high ^ bytes[at]!, 0x01000193) ^ (high >>> 15);
    }
    return (high >>> 11) * 0x100000000 + (low >>> 0);
  }

  /** A string field other than callId, by its column in CALL_STRING_FIELDS (1 on). */
  callString(call: number, field: number): string | null {
    return this.string(this.callStrings[call * CALL_REF_COLUMNS + field - 1]!);
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
    if (ref < this.firstRest) return this.plainString(ref);
    const start = ref === this.firstRest ? 0 : this.stringEnds[ref - 1]!;
    return (this.rest ?? this.restText()).toString('utf8', start, this.stringEnds[ref]);
  }

  private plainString(ref: number): string {
    return this.bytes.toString('utf8', this.plainTextStart(ref), this.plainStart + this.stringEnds[ref]!);
  }

  /** Where a plain string's bytes start in the pack; they end at plainStart + stringEnds[ref]. */
  private plainTextStart(ref: number): number {
    return this.plainStart + (ref === 0 ? 0 : this.stringEnds[ref - 1]!);
  }

  /** Inflates the rest and keeps it among the packs read last, letting go of the least recently read past the bound. */
  private restText(): Buffer {
    if (this.rest) return this.rest;
    let rest: Buffer;
    try {
      // The header's size caps the output: a stream that inflates to more is refused, not followed.
      rest =
        this.restBytes === 0 && this.deflated.length === 0
          ? Buffer.alloc(0)
          : inflateRawSync(this.deflated, { maxOutputLength: Math.max(1, this.restBytes) });
    } catch {
      throw new PackFormatError('pack text does not inflate');
    }
    if (rest.length !== this.restBytes) throw new PackFormatError(`pack text inflates to ${rest.length} bytes, not ${this.restBytes}`);
    this.rest = rest;
    CallPack.kept.set(this, rest.length);
    CallPack.keptBytes += rest.length;
    for (const [pack, bytes] of CallPack.kept) {
      if (CallPack.keptBytes <= INFLATED_BYTES || pack === this) break;
      CallPack.kept.delete(pack);
      CallPack.keptBytes -= bytes;
      pack.rest = null;
    }
    return rest;
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
