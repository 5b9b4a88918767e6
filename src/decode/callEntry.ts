import { emptyCallFields, type CallFields, type CallInput, type EventInput } from '../model/call.js';
import { eventKindOf } from '../model/eventKind.js';
import { isJsonObject } from '../wire/json.js';
import type { WindowRequest } from '../wire/livedeflect.js';
import { BodyFault } from './bodyFault.js';
import { logId } from './logId.js';

export type WireObject = Readonly<Record<string, unknown>>;

/** Each call field and the wire members it is read from, the later one winning when an event has both. */
const CALL_FIELD_NAMES: readonly (readonly [keyof CallFields, readonly string[]])[] = [
  ['externalCallId', ['externalCallId']],
  ['skill', ['skill']],
  ['callerEnteredDigits', ['callerEnteredDigits']],
  ['callerInfoRaw', ['callerInfo']],
  ['conversationId', ['conversationId']],
  ['customerCountryCode', ['customerCountryCode']],
  ['customerPhoneNumber', ['customerPhoneNumber']],
  ['dialedCountryCode', ['dialedCountryCode']],
  ['dialedPhoneNumber', ['dialedPhoneNumber']],
  // The definition table calls it externalCustomerId, the example externalConsumerId.
  ['externalConsumerId', ['externalConsumerId', 'externalCustomerId']],
];

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
  const rawEvents = Array.isArray(value) ? (value as unknown[]) : [value];
  const wireEvents: WireObject[] = [];
  const times: number[] = [];
  let sorted = true;
  for (let order = 0; order < rawEvents.length; order++) {
    const event = rawEvents[order];
    if (!isJsonObject(event)) {
      issues.push(`${call()}: event ${order} is not an object`);
      continue;
    }
    const time = readTime(event.eventTime);
    if (time === null) {
      issues.push(`${call()}: event ${order} has no valid eventTime`);
      continue;
    }
    if (times.length > 0 && time < times[times.length - 1]!) sorted = false;
    wireEvents.push(event);
    times.push(time);
  }
  for (const event of wireEvents) {
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
  // Stable: equal times keep wire order, which decides ties in the field merge below. Events mostly come
  // in order, and then are not sorted at all.
  const order = wireEvents.map((_, index) => index);
  if (!sorted) order.sort((a, b) => times[a]! - times[b]! || a - b);

  // A field is the last value set in that order (the later member first within an event), so it is looked
  // for from the last event back: most calls repeat every field on every event, and the last one has them all.
  const fields = emptyCallFields();
  for (const [field, names] of CALL_FIELD_NAMES) fields[field] = lastText(wireEvents, order, names);
  let beginTime: number | null = null;
  for (let at = order.length - 1; at >= 0 && beginTime === null; at--) beginTime = readTime(wireEvents[order[at]!]!.beginTimeStamp);
  const events: EventInput[] = order.map((index) => {
    const event = wireEvents[index]!;
    const rawType = readString(event.eventType) ?? '';
    return { rawType, type: eventKindOf(rawType), info: readString(event.eventInfo), time: times[index]! };
  });
  if (beginTime === null) {
    issues.push(`${call()}: no beginTimeStamp; its first event time is used`);
    beginTime = events[0]!.time;
  }
  return { siteId: request.siteId, callId, beginTime, fields, events };
}

/** The text of the last event (in `order`) that sets one of these members, the later member winning within an event. */
function lastText(events: readonly WireObject[], order: readonly number[], names: readonly string[]): string | null {
  for (let at = order.length - 1; at >= 0; at--) {
    const event = events[order[at]!]!;
    for (let name = names.length - 1; name >= 0; name--) {
      const text = readString(event[names[name]!]);
      if (text) return text;
    }
  }
  return null;
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
