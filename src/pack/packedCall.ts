import { parseCallerInfo, type CallFields, type CallList, type CallModel, type EventModel, type Stage } from '../model/call.js';
import type { EventKind } from '../model/eventKind.js';
import type { CallPack } from './callPack.js';
import { CALL_STRING_FIELDS, type CallStringField } from './columns.js';

/** The string columns that are plain fields of a call; callId has a getter of its own, which keeps what it read. */
type FieldColumn = Exclude<CallStringField, 'callId'>;

const CALL_ID = CALL_STRING_FIELDS.indexOf('callId');

// The string columns' getters are made from CALL_STRING_FIELDS below; this declares them to the compiler.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- its members are the class's prototype getters
export interface PackedCall extends Readonly<Pick<CallFields, FieldColumn>> {}

/**
 * A pack's calls as a list (CallPack.calls()): a call's view is made when the call is first read, then
 * kept, so every read of the bucket sees the same view. A range that counts 31 days and shows a page makes
 * a page of views, not one per call of the range (~56 bytes of heap each, 200,000 for a busy site).
 * Checks over a whole bucket read the pack's columns instead (CallPack.ascending, callIdHash), and a
 * bucket's tally walks passing views (passing()); what reads every call otherwise (events, a filter) makes
 * every view, as before.
 */
export class PackedCalls implements CallList {
  readonly length: number;
  private views: (PackedCall | undefined)[] | null = null;

  constructor(readonly pack: CallPack) {
    this.length = pack.count;
  }

  /** As Array.prototype.at: a fraction is cut off, and a negative index counts from the end. */
  at(index: number): PackedCall | undefined {
    const whole = Math.trunc(index) || 0;
    const position = whole < 0 ? whole + this.length : whole;
    if (!(position >= 0 && position < this.length)) return undefined;
    this.views ??= new Array<PackedCall | undefined>(this.length);
    return (this.views[position] ??= new PackedCall(this.pack, position));
  }

  *[Symbol.iterator](): Iterator<PackedCall> {
    for (let position = 0; position < this.length; position++) yield this.at(position)!;
  }

  /**
   * Each call in order, for a walk that reads every call once and keeps none of them (a bucket's tally):
   * the view at() made, or one made for the walk and let go, so the walk leaves no view per call behind.
   */
  *passing(): Generator<PackedCall> {
    for (let position = 0; position < this.length; position++) yield this.views?.[position] ?? new PackedCall(this.pack, position);
  }

  /** What JSON.stringify and a logger see: which bucket it is, never its calls (nor the whole pack). */
  toJSON(): { siteId: string; bucket: number; calls: number } {
    return { siteId: this.pack.siteId, bucket: this.pack.bucket, calls: this.length };
  }
}

/**
 * A call of a CallPack, seen as a CallModel. It holds only its pack and row; a field is decoded from
 * the pack when read, so a call read costs one small object, not a model. callId is kept once read:
 * sorting, paging and lookups compare it often (the memory tier counts it).
 *
 * A view has no own data fields: copy one with Object.create(call), not a spread.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class PackedCall implements CallModel {
  private id: string | null = null;

  constructor(
    readonly pack: CallPack,
    readonly index: number,
  ) {}

  get siteId(): string {
    return this.pack.siteId;
  }

  get callId(): string {
    this.id ??= this.pack.callId(this.index);
    return this.id;
  }

  get beginTime(): number {
    return this.pack.beginTime(this.index);
  }

  get callerInfo(): Readonly<Record<string, unknown>> | null {
    return parseCallerInfo(this.callerInfoRaw);
  }

  get stage(): Stage {
    return this.pack.stage(this.index);
  }

  get lastEventTime(): number | null {
    const count = this.pack.eventCount(this.index);
    return count === 0 ? null : this.pack.eventTime(this.index, this.pack.firstEvent(this.index) + count - 1);
  }

  /** Made on each read and not kept: most operations never look at events, and those that do read them once. */
  get events(): readonly EventModel[] {
    const first = this.pack.firstEvent(this.index);
    const count = this.pack.eventCount(this.index);
    const events: PackedEvent[] = [];
    for (let position = 0; position < count; position++) events.push(new PackedEvent(this, position, first + position));
    return events;
  }

  /** What JSON.stringify and a logger see: which call it is, never its personal data (nor the whole pack). */
  toJSON(): { siteId: string; callId: string; beginTime: number } {
    return { siteId: this.siteId, callId: this.callId, beginTime: this.beginTime };
  }
}

// One getter per string column, in the pack's own column order: a column added to CALL_STRING_FIELDS is a
// field of every view, with no second list to keep in step.
CALL_STRING_FIELDS.forEach((field, column) => {
  if (column === CALL_ID) return;
  Object.defineProperty(PackedCall.prototype, field, {
    get(this: PackedCall): string | null {
      return this.pack.callString(this.index, column);
    },
  });
});

/** An event of a PackedCall, seen as an EventModel. */
class PackedEvent implements EventModel {
  constructor(
    readonly call: PackedCall,
    readonly position: number,
    private readonly row: number,
  ) {}

  get type(): EventKind {
    return this.call.pack.eventKind(this.row);
  }

  get rawType(): string {
    return this.call.pack.eventRawType(this.row);
  }

  get info(): string | null {
    return this.call.pack.eventInfo(this.row);
  }

  get time(): number {
    return this.call.pack.eventTime(this.call.index, this.row);
  }
}
