import { emptyCallFields, type CallFields, type CallInput, type EventInput } from '../model/call.js';
import { eventKindOf } from '../model/eventKind.js';
import { isJsonObject } from '../wire/json.js';
import type { WindowRequest } from '../wire/livedeflect.js';
import { BodyFault } from './bodyFault.js';
import { logId } from './logId.js';

export type WireObject = Readonly<Record<string, unknown>>;

const CALL_FIELD_NAMES = {
  externalCallId: ['externalCallId'],
  skill: ['skill'],
  callerEnteredDigits: ['callerEnteredDigits'],
  callerInfoRaw: ['callerInfo'],
  conversationId: ['conversationId'],
  customerCountryCode: ['customerCountryCode'],
  customerPhoneNumber: ['customerPhoneNumber'],
  dialedCountryCode: ['dialedCountryCode'],
  dialedPhoneNumber: ['dialedPhoneNumber'],
  // The definition table calls it externalCustomerId, the example externalConsumerId.
  externalConsumerId: ['externalConsumerId', 'externalCustomerId'],
} as const satisfies Record<keyof CallFields, readonly string[]>;

const FIELD_KEYS = Object.keys(CALL_FIELD_NAMES) as (keyof CallFields)[];

/**
 * The envelope's verdict: the map of callId to events, or null for an empty answer. Throws a BodyFault
 * for a failure the upstream reported and for a body that is not the documented envelope. The streaming
 * reader (windowStream.ts) hands it the envelope with `data` already taken apart.
 *
 * Tolerant where real deployments differ from the published example (see livedeflect-api.md):
 * numbers or numeric strings, success as "true" or true, one event object instead of a list, events
 * in any order, unknown event types, bad callerInfo, missing optional fields, externalCustomerId.
 * Strict where reading on would serve wrong data: a body that is not the documented envelope fails
 * the whole window, and a call whose events name another call or site is skipped.
 */
export function windowData(body: unknown): WireObject | null {
  if (!isJsonObject(body)) throw shapeError('the body is not a JSON object');
  if (body.success !== true && body.success !== 'true') {
    // The upstream's own words (its message, the success value) are not logged: they may echo anything.
    throw new BodyFault('LiveDeflect reported a failure for this time window', `success was not true (a ${typeof body.success})`);
  }
  const data = body.data;
  // An empty result is sometimes sent as null or [] rather than {}.
  if (data === null || data === undefined || (Array.isArray(data) && data.length === 0)) return null;
  if (!isJsonObject(data)) throw shapeError('"data" is not a map of callId to events');
  return data;
}

/**
 * One entry of `data` read into a call's parts, or null (with the reason in issues) when it must be skipped.
 * Issues go to the log, so they name a call by a hash of its callId (logId), never by what the upstream sent.
 */
export function decodeCallInput(callId: string, value: unknown, request: WindowRequest, issues: string[]): CallInput | null {
  const call = (): string => `call ${logId(callId)}`;
  const rawEvents = Array.isArray(value) ? value : [value];
  const wireEvents: { event: WireObject; time: number; order: number }[] = [];
  rawEvents.forEach((event, order) => {
    if (!isJsonObject(event)) return void issues.push(`${call()}: event ${order} is not an object`);
    const time = readTime(event.eventTime);
    if (time === null) return void issues.push(`${call()}: event ${order} has no valid eventTime`);
    wireEvents.push({ event, time, order });
  });
  for (const { event } of wireEvents) {
    const eventCallId = readString(event.callId);
    if (eventCallId !== null && eventCallId !== callId) {
      issues.push(`${call()}: an event names another callId (${logId(eventCallId)}); call skipped`);
      return null;
    }
    const eventSiteId = readString(event.siteId);
    if (eventSiteId !== null && eventSiteId !== request.siteId) {
      issues.push(`${call()}: an event names another site; call skipped`);
      return null;
    }
  }
  if (wireEvents.length === 0) {
    issues.push(`${call()}: no usable events; call skipped`);
    return null;
  }
  // Stable sort: equal times keep wire order, which decides ties in the field merge below.
  wireEvents.sort((a, b) => a.time - b.time || a.order - b.order);

  const fields = emptyCallFields();
  let beginTime: number | null = null;
  const events: EventInput[] = [];
  for (const { event, time } of wireEvents) {
    for (const key of FIELD_KEYS) {
      for (const name of CALL_FIELD_NAMES[key]) {
        const text = readString(event[name]);
        if (text) fields[key] = text;
      }
    }
    beginTime = readTime(event.beginTimeStamp) ?? beginTime;
    const rawType = readString(event.eventType) ?? '';
    events.push({ rawType, kind: eventKindOf(rawType), info: readString(event.eventInfo), time });
  }
  if (beginTime === null) {
    issues.push(`${call()}: no beginTimeStamp; its first event time is used`);
    beginTime = events[0]!.time;
  }
  return { siteId: request.siteId, callId, beginTime, fields, events };
}

function shapeError(what: string): BodyFault {
  return new BodyFault(BodyFault.UNREADABLE, what);
}

/** The largest time a Date can hold: a later one could not be served as a DateTime. */
const MAX_TIME = 8_640_000_000_000_000;

/** Epoch milliseconds, sent as a number or a numeric string. */
function readTime(value: unknown): number | null {
  const time = typeof value === 'number' ? value : typeof value === 'string' ? digitsValue(value.trim()) : null;
  return time !== null && Number.isSafeInteger(time) && time >= 0 && time <= MAX_TIME ? time : null;
}

/** The number 1 to 16 decimal digits spell, else null. A loop, not a regular expression: it runs twice per event. */
function digitsValue(text: string): number | null {
  if (text.length === 0 || text.length > 16) return null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return null;
  }
  return Number(text);
}

/** A field's text: numbers become their decimal string; empty strings, null and other types are "not set". */
function readString(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
