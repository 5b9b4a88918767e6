import { parseCallerInfo, type CallModel, type EventModel, type Stage } from '../model/call.js';
import type { EventKind } from '../model/eventKind.js';
import type { CallPack } from './callPack.js';

// Column numbers of CALL_STRING_FIELDS, spelled out so each getter is one array read.
const CALL_ID = 0;
const EXTERNAL_CALL_ID = 1;
const SKILL = 2;
const CALLER_ENTERED_DIGITS = 3;
const CALLER_INFO_RAW = 4;
const CONVERSATION_ID = 5;
const CUSTOMER_COUNTRY_CODE = 6;
const CUSTOMER_PHONE_NUMBER = 7;
const DIALED_COUNTRY_CODE = 8;
const DIALED_PHONE_NUMBER = 9;
const EXTERNAL_CONSUMER_ID = 10;

/**
 * A call of a CallPack, seen as a CallModel. It holds only its pack and row; a field is decoded from
 * the pack when read, so a 31-day range costs one small object per call, not a model per call.
 * callId is kept once read: sorting, paging and lookups compare it often.
 *
 * A view has no own data fields: copy one with Object.create(call), not a spread.
 */
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
    this.id ??= this.pack.callString(this.index, CALL_ID)!;
    return this.id;
  }

  get beginTime(): number {
    return this.pack.beginTime(this.index);
  }

  get externalCallId(): string | null {
    return this.pack.callString(this.index, EXTERNAL_CALL_ID);
  }

  get skill(): string | null {
    return this.pack.callString(this.index, SKILL);
  }

  get callerEnteredDigits(): string | null {
    return this.pack.callString(this.index, CALLER_ENTERED_DIGITS);
  }

  get callerInfoRaw(): string | null {
    return this.pack.callString(this.index, CALLER_INFO_RAW);
  }

  get callerInfo(): Readonly<Record<string, unknown>> | null {
    return parseCallerInfo(this.callerInfoRaw);
  }

  get conversationId(): string | null {
    return this.pack.callString(this.index, CONVERSATION_ID);
  }

  get customerCountryCode(): string | null {
    return this.pack.callString(this.index, CUSTOMER_COUNTRY_CODE);
  }

  get customerPhoneNumber(): string | null {
    return this.pack.callString(this.index, CUSTOMER_PHONE_NUMBER);
  }

  get dialedCountryCode(): string | null {
    return this.pack.callString(this.index, DIALED_COUNTRY_CODE);
  }

  get dialedPhoneNumber(): string | null {
    return this.pack.callString(this.index, DIALED_PHONE_NUMBER);
  }

  get externalConsumerId(): string | null {
    return this.pack.callString(this.index, EXTERNAL_CONSUMER_ID);
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

/** An event of a PackedCall, seen as an EventModel. */
export class PackedEvent implements EventModel {
  constructor(
    readonly call: PackedCall,
    readonly position: number,
    private readonly row: number,
  ) {}

  get kind(): EventKind {
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
