import { isJsonObject } from '../wire/json.js';
import type { EventKind } from './eventKind.js';
import type { PositionalList } from './positionalList.js';

/** How far a call got in the funnel; the values equal the GraphQL enum values. */
export type Stage = 'STARTED' | 'ACCEPTED' | 'DECLINED' | 'TEXT_SENT' | 'CONVERSATION_STARTED';

/**
 * One event of a call. The call's own fields live once on CallModel: the wire repeats them on
 * every event, and keeping one copy is most of what makes a cached window small.
 */
export interface EventModel {
  /** DeflectionEvent.type's name, so the field needs no resolver (a warm dashboard reads hundreds of them). */
  readonly type: EventKind;
  readonly rawType: string;
  readonly info: string | null;
  readonly time: number;
  /** Index in the call's sorted events; the last key of the event sort. */
  readonly position: number;
  readonly call: CallModel;
}

export interface CallFields {
  readonly externalCallId: string | null;
  readonly skill: string | null;
  readonly callerEnteredDigits: string | null;
  readonly callerInfoRaw: string | null;
  readonly conversationId: string | null;
  readonly customerCountryCode: string | null;
  readonly customerPhoneNumber: string | null;
  readonly dialedCountryCode: string | null;
  readonly dialedPhoneNumber: string | null;
  readonly externalConsumerId: string | null;
}

/** Every call field unset. A literal rather than one built from the keys: the decoder calls this once per call. */
export function emptyCallFields(): { -readonly [K in keyof CallFields]: string | null } {
  return {
    externalCallId: null,
    skill: null,
    callerEnteredDigits: null,
    callerInfoRaw: null,
    conversationId: null,
    customerCountryCode: null,
    customerPhoneNumber: null,
    dialedCountryCode: null,
    dialedPhoneNumber: null,
    externalConsumerId: null,
  };
}

/** A call as the gateway serves it: fields merged from its events, events sorted, stage derived. */
export interface CallModel extends CallFields {
  readonly siteId: string;
  readonly callId: string;
  readonly beginTime: number;
  /** Parsed callerInfo: null when it is empty, not JSON, or not a JSON object. */
  readonly callerInfo: Readonly<Record<string, unknown>> | null;
  readonly events: readonly EventModel[];
  readonly stage: Stage;
  readonly lastEventTime: number | null;
}

/**
 * A bucket's calls, read by position or in order: an array is one, and so is a cached bucket (PackedCalls,
 * src/pack/packedCall.ts), which makes a call's view only when that call is read.
 */
export interface CallList extends PositionalList<CallModel>, Iterable<CallModel> {}

/** An event before it belongs to a call: what the decoder reads off one wire event. */
export interface EventInput {
  readonly rawType: string;
  readonly type: EventKind;
  readonly info: string | null;
  readonly time: number;
}

export interface CallInput {
  readonly siteId: string;
  readonly callId: string;
  readonly beginTime: number;
  readonly fields: CallFields;
  /** Sorted by time; ties keep wire order. */
  readonly events: readonly EventInput[];
}

/**
 * The funnel's furthest step. A conversation outranks a sent text, which outranks the caller's
 * answer, because later steps can only happen after the earlier ones even when an event is missing.
 */
export function stageOf(events: readonly EventInput[], conversationId: string | null): Stage {
  if (conversationId || events.some((event) => event.type === 'CONVERSATION_ID')) return 'CONVERSATION_STARTED';
  if (events.some((event) => event.type === 'SEND_TEXT')) return 'TEXT_SENT';
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type !== 'DEFLECTION_RESPONSE') continue;
    const answer = event.info?.trim().toUpperCase();
    if (answer === 'Y') return 'ACCEPTED';
    if (answer === 'N') return 'DECLINED';
  }
  return 'STARTED';
}

/**
 * How deep callerInfo may nest and still be parsed. A real one is a flat dictionary; one nested thousands
 * deep would parse, then overflow the stack of whatever walks it next (the JSON scalar, the response's
 * serialisation), failing every answer that selects it for as long as the bucket is cached.
 */
const MAX_CALLER_INFO_DEPTH = 32;

/** callerInfo is a JSON string the IVR passed; anything but a JSON object (or one nested too deep) is kept raw only. */
export function parseCallerInfo(raw: string | null): Record<string, unknown> | null {
  if (!raw || nestingDepth(raw) > MAX_CALLER_INFO_DEPTH) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** The deepest bracket nesting of JSON text, strings skipped; stops counting once past the limit. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length && deepest <= MAX_CALLER_INFO_DEPTH; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}
