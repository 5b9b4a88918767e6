// Synthetic LiveDeflect data as a pure function of (seed, siteId, hour, now). Calls are planned per
// aligned UTC hour: the hour's generator fixes how many calls begin in it and when; each call's own
// generator, keyed by its index in the hour, fixes everything else. So any window can be answered by
// regenerating just the hours it touches, without storage, and a call's data never depends on which
// window asked for it. "now" only hides the events that have not happened yet.
import { callCountForHour, defaultCallsPerHour, HOUR_MS, type CallsPerHour } from './callRate.js';
import { callerInfoString } from './callerInfo.js';
import { planFunnel, type Step } from './funnel.js';
import { mobileNumber, type Country } from './phoneNumbers.js';
import { createRng, type Rng } from './prng.js';
import { siteProfile, type SiteProfile } from './siteProfile.js';

export type { CallsPerHour } from './callRate.js';

/** One element of a call's event list, exactly as the wire carries it: every number is a string. */
export interface WireEvent {
  callId: string;
  siteId: string;
  externalCallId: string;
  beginTimeStamp: string;
  skill: string;
  callerEnteredDigits: string;
  /** A JSON string of a flat dictionary; sometimes empty, rarely an array or not JSON at all. */
  callerInfo: string;
  /** Null on events before the conversationid event; the conversation's UUID on it and after. */
  conversationId: string | null;
  customerCountryCode: string;
  customerPhoneNumber: string;
  dialedCountryCode: string;
  dialedPhoneNumber: string;
  eventType: string;
  eventInfo: string;
  eventTime: string;
  externalConsumerId: string;
}

export interface HourOptions {
  seed: string;
  siteId: string;
  /** Epoch ms of an aligned UTC hour (a multiple of 3,600,000). */
  hourStart: number;
  /** Epoch ms; events after it have not happened yet. */
  now: number;
  /** Defaults to the site's business-day curve (callRate.ts). */
  callsPerHour?: CallsPerHour;
}

export interface WindowOptions {
  seed: string;
  siteId: string;
  /** Epoch ms, inclusive: calls whose begin time is in [startTime, endTime) are returned. */
  startTime: number;
  endTime: number;
  now: number;
  callsPerHour?: CallsPerHour;
}

type CallFields = Omit<WireEvent, 'eventType' | 'eventInfo' | 'eventTime' | 'conversationId'>;

interface PlannedCall {
  fields: CallFields;
  /** In time order. */
  steps: Step[];
  /** Indexes into steps, in the order the wire lists them (occasionally not time order). */
  wireOrder: number[];
  conversationId: string;
}

const SKILLS: readonly (readonly [string, number])[] = [
  ['service', 30],
  ['sales', 22],
  ['billing', 18],
  ['support', 15],
  ['retention', 8],
  ['technical', 5],
  ['', 2],
];
const WELCOME_TEMPLATES: readonly ((brand: string, skill: string) => string)[] = [
  (brand, skill) => `Hi, this is ${brand} ${skill}. Thanks for choosing to text us: reply here and an agent will be with you shortly.`,
  (brand) => `Welcome to ${brand} messaging! Tell us how we can help and we'll reply right here.`,
  (brand, skill) => `Thanks for contacting ${brand}. Your ${skill} request is in the queue; reply STOP to opt out.`,
];
const OUT_OF_ORDER_SHARE = 0.03;
const ANONYMOUS_SHARE = 0.06;
const HOME_CALLER_SHARE = 0.75;
// callIds are the hour's index since the epoch followed by a five-digit index within the hour.
const CALL_INDEX_DIGITS = 5;

function uuid(rng: Rng): string {
  const hex = (n: number): string => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
}

function callerCountry(rng: Rng, home: Country): Country {
  if (rng.chance(HOME_CALLER_SHARE)) return home;
  const others: Country[] = (['AU', 'US', 'GB'] as const).filter((country) => country !== home);
  return rng.pick(others);
}

function enteredDigits(rng: Rng): string {
  return rng.weighted<() => string>([
    [() => '', 15],
    [() => rng.digits(4), 35],
    [() => String(rng.int(1, 9)) + (rng.chance(0.4) ? String(rng.int(1, 9)) : ''), 30],
    [() => rng.digits(8), 20],
  ])();
}

// A rare adjacent swap: the upstream does not promise time order, and the gateway must sort.
function wireOrder(rng: Rng, length: number): number[] {
  const order = Array.from({ length }, (_, i) => i);
  if (length >= 2 && rng.chance(OUT_OF_ORDER_SHARE)) {
    const i = rng.int(0, length - 2);
    order.splice(i, 2, i + 1, i);
  }
  return order;
}

function planCall(seed: string, profile: SiteProfile, siteId: string, hourStart: number, index: number, begin: number): PlannedCall {
  const rng = createRng('call', seed, siteId, hourStart, index);
  const skill = rng.weighted(SKILLS);
  const customer = mobileNumber(rng, callerCountry(rng, profile.homeCountry));
  const dialed = rng.pick(profile.ivrLines);
  const conversationId = uuid(rng);
  const fields: CallFields = {
    callId: `${hourStart / HOUR_MS}${String(index).padStart(CALL_INDEX_DIGITS, '0')}`,
    siteId,
    externalCallId: String(rng.int(1000, 9_999_999)),
    beginTimeStamp: String(begin),
    skill,
    callerEnteredDigits: enteredDigits(rng),
    callerInfo: callerInfoString(rng),
    customerCountryCode: customer.countryCode,
    customerPhoneNumber: customer.national,
    dialedCountryCode: dialed.countryCode,
    dialedPhoneNumber: dialed.national,
    externalConsumerId: rng.chance(ANONYMOUS_SHARE) ? '' : `${rng.digits(3)}-${rng.digits(9)}`,
  };
  const welcomeMessage = rng.pick(WELCOME_TEMPLATES)(profile.brand, skill);
  const steps = planFunnel(rng, { begin, skill, welcomeMessage, conversationId });
  return { fields, steps, wireOrder: wireOrder(rng, steps.length), conversationId };
}

/** The events of the call that have happened by now, in wire order; empty if it has not begun. */
function eventsByNow(call: PlannedCall, now: number): WireEvent[] {
  const opened = call.steps.find((step) => step.eventType === 'conversationid')?.eventTime ?? Infinity;
  const events: WireEvent[] = [];
  for (const index of call.wireOrder) {
    const step = call.steps[index];
    if (step === undefined || step.eventTime > now) continue;
    const { fields } = call;
    // Spelled out to keep the wire's key order.
    events.push({
      callId: fields.callId,
      siteId: fields.siteId,
      externalCallId: fields.externalCallId,
      beginTimeStamp: fields.beginTimeStamp,
      skill: fields.skill,
      callerEnteredDigits: fields.callerEnteredDigits,
      callerInfo: fields.callerInfo,
      conversationId: step.eventTime >= opened ? call.conversationId : null,
      customerCountryCode: fields.customerCountryCode,
      customerPhoneNumber: fields.customerPhoneNumber,
      dialedCountryCode: fields.dialedCountryCode,
      dialedPhoneNumber: fields.dialedPhoneNumber,
      eventType: step.eventType,
      eventInfo: step.eventInfo,
      eventTime: String(step.eventTime),
      externalConsumerId: fields.externalConsumerId,
    });
  }
  return events;
}

/** Begin times of the hour's calls, ascending; a call's index in this list is its index in the hour. */
function beginTimes(seed: string, siteId: string, hourStart: number, rate: CallsPerHour): number[] {
  const rng = createRng('hour', seed, siteId, hourStart);
  const count = callCountForHour(rate, siteId, hourStart, rng.next());
  return Array.from({ length: count }, () => hourStart + rng.int(0, HOUR_MS - 1)).sort((a, b) => a - b);
}

// Calls of one hour with begin time in [from, to), in begin order, each with its events by now.
function* callsOfHour(options: HourOptions, from: number, to: number): Generator<[string, WireEvent[]]> {
  const { seed, siteId, hourStart, now } = options;
  const begins = beginTimes(seed, siteId, hourStart, options.callsPerHour ?? defaultCallsPerHour);
  const profile = siteProfile(siteId);
  for (const [index, begin] of begins.entries()) {
    if (begin < from || begin >= to || begin > now) continue;
    const call = planCall(seed, profile, siteId, hourStart, index, begin);
    yield [call.fields.callId, eventsByNow(call, now)];
  }
}

function assertEpochMs(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer epoch in ms, but got ${value}`);
}

function assertNow(now: number): void {
  if (!Number.isFinite(now)) throw new TypeError(`now must be a finite epoch in ms, but got ${now}`);
}

/**
 * The calls that begin in one UTC hour, keyed by callId in begin-time order, each with the events that
 * have happened by options.now (in wire order, which is rarely not time order). Calls that have not
 * begun by now are absent.
 */
export function generateHour(options: HourOptions): Map<string, WireEvent[]> {
  assertEpochMs('hourStart', options.hourStart);
  assertNow(options.now);
  if (options.hourStart % HOUR_MS !== 0) {
    throw new RangeError(`hourStart must be the start of a UTC hour (a multiple of ${HOUR_MS}), but got ${options.hourStart}`);
  }
  return new Map(callsOfHour(options, options.hourStart, options.hourStart + HOUR_MS));
}

/** The response's `data` map for a window: the calls whose begin time is in [startTime, endTime). */
export function generateWindow(options: WindowOptions): Record<string, WireEvent[]> {
  const { seed, siteId, startTime, endTime, now, callsPerHour } = options;
  assertEpochMs('startTime', startTime);
  assertEpochMs('endTime', endTime);
  assertNow(now);
  const data: Record<string, WireEvent[]> = {};
  // Hours after now hold no calls yet; skipping them keeps far-future windows cheap.
  const beginsBefore = Math.min(endTime, Math.floor(now) + 1);
  for (let hourStart = Math.floor(startTime / HOUR_MS) * HOUR_MS; hourStart < beginsBefore; hourStart += HOUR_MS) {
    const hour = { seed, siteId, hourStart, now, callsPerHour };
    for (const [callId, events] of callsOfHour(hour, startTime, endTime)) data[callId] = events;
  }
  return data;
}
