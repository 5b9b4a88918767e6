import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { defaultCallsPerHour } from '../../../src/simulator/callRate.js';
import { generateHour, generateWindow, type WireEvent } from '../../../src/simulator/generator.js';

const HOUR = 3_600_000;
const SITE = '25508804';
const SEED = 'unit';
const HOUR_START = Date.UTC(2025, 0, 15, 0);
const LATER = HOUR_START + 30 * 24 * HOUR;
const FUNNEL = ['callstart', 'skillchoice', 'ovrchan', 'deflresponse', 'sendtext', 'conversationid'];
const WIRE_KEYS = [
  'callId',
  'siteId',
  'externalCallId',
  'beginTimeStamp',
  'skill',
  'callerEnteredDigits',
  'callerInfo',
  'conversationId',
  'customerCountryCode',
  'customerPhoneNumber',
  'dialedCountryCode',
  'dialedPhoneNumber',
  'eventType',
  'eventInfo',
  'eventTime',
  'externalConsumerId',
];

function byTime(events: readonly WireEvent[]): WireEvent[] {
  return [...events].sort((a, b) => Number(a.eventTime) - Number(b.eventTime));
}

// One day at the default rate: a large sample for statistical properties.
const day = generateWindow({
  seed: SEED,
  siteId: SITE,
  startTime: HOUR_START,
  endTime: HOUR_START + 24 * HOUR,
  now: LATER,
});
const dayCalls = Object.values(day);

describe('simulator generator', () => {
  it('produces identical output for the same seed, site and hour', () => {
    const options = { seed: SEED, siteId: SITE, hourStart: HOUR_START, now: LATER, callsPerHour: 20 };
    assert.deepEqual(generateHour(options), generateHour(options));
  });

  it('produces different data for a different seed or site', () => {
    const base = { seed: SEED, siteId: SITE, hourStart: HOUR_START, now: LATER, callsPerHour: 20 };
    const calls = [...generateHour(base).values()];
    assert.notDeepEqual([...generateHour({ ...base, seed: 'other' }).values()], calls);
    const otherSite = [...generateHour({ ...base, siteId: '38856538' }).values()];
    assert.notDeepEqual(
      otherSite.map((events) => events.map((event) => event.customerPhoneNumber)),
      calls.map((events) => events.map((event) => event.customerPhoneNumber)),
    );
  });

  it("gives every call a unique callId equal to its map key and its events' callId", () => {
    const seen = new Set<string>();
    for (const siteId of [SITE, '38856538']) {
      const data = generateWindow({
        seed: SEED,
        siteId,
        startTime: HOUR_START,
        endTime: HOUR_START + 3 * HOUR,
        now: LATER,
        callsPerHour: 50,
      });
      for (const [callId, events] of Object.entries(data)) {
        assert.match(callId, /^\d+$/);
        for (const event of events) assert.equal(event.callId, callId);
        if (siteId === SITE) {
          assert.ok(!seen.has(callId), `duplicate callId ${callId}`);
          seen.add(callId);
        }
      }
    }
    assert.equal(seen.size, 150);
  });

  it('uses callsPerHour as the exact count of calls each hour, and passes the function site and hour', () => {
    const asked: [string, number][] = [];
    const data = generateWindow({
      seed: SEED,
      siteId: SITE,
      startTime: HOUR_START,
      endTime: HOUR_START + 2 * HOUR,
      now: LATER,
      callsPerHour: (siteId, hourStart) => {
        asked.push([siteId, hourStart]);
        return hourStart === HOUR_START ? 3 : 7;
      },
    });
    assert.deepEqual(asked, [
      [SITE, HOUR_START],
      [SITE, HOUR_START + HOUR],
    ]);
    assert.equal(Object.keys(data).length, 10);
    assert.equal(generateHour({ seed: SEED, siteId: SITE, hourStart: HOUR_START, now: LATER, callsPerHour: 0 }).size, 0);
  });

  it('selects calls by begin time in [startTime, endTime), across hour boundaries', () => {
    const all = generateWindow({
      seed: SEED,
      siteId: SITE,
      startTime: HOUR_START,
      endTime: HOUR_START + 3 * HOUR,
      now: LATER,
      callsPerHour: 40,
    });
    const begins = Object.values(all)
      .map((events) => Number(events[0]?.beginTimeStamp))
      .sort((a, b) => a - b);
    const startTime = begins[10] ?? NaN;
    const endTime = begins[90] ?? NaN;
    const window = generateWindow({ seed: SEED, siteId: SITE, startTime, endTime, now: LATER, callsPerHour: 40 });
    const expected = Object.entries(all).filter(([, events]) => {
      const begin = Number(events[0]?.beginTimeStamp);
      return begin >= startTime && begin < endTime;
    });
    assert.equal(expected.length, 80);
    assert.deepEqual(window, Object.fromEntries(expected));
  });

  it('returns the same call whichever window asks for it', () => {
    const hour = generateHour({ seed: SEED, siteId: SITE, hourStart: HOUR_START, now: LATER, callsPerHour: 10 });
    const wide = generateWindow({
      seed: SEED,
      siteId: SITE,
      startTime: HOUR_START - 5 * HOUR,
      endTime: HOUR_START + 5 * HOUR,
      now: LATER,
      callsPerHour: 10,
    });
    for (const [callId, events] of hour) assert.deepEqual(wide[callId], events);
  });

  it('shows only events that have happened by now, and omits calls not yet begun', () => {
    const now = HOUR_START + HOUR / 2;
    const data = generateWindow({
      seed: SEED,
      siteId: SITE,
      startTime: HOUR_START,
      endTime: HOUR_START + HOUR,
      now,
      callsPerHour: 60,
    });
    const calls = Object.values(data);
    assert.ok(calls.length > 10 && calls.length < 60, `about half the calls have begun, got ${calls.length}`);
    for (const events of calls) {
      assert.ok(events.length > 0);
      for (const event of events) assert.ok(Number(event.eventTime) <= now);
    }
  });

  it('lets a call in progress gain events as now advances', () => {
    const finished = generateHour({ seed: SEED, siteId: SITE, hourStart: HOUR_START, now: LATER, callsPerHour: 30 });
    const [callId, events] = [...finished].find(([, candidate]) => candidate.length >= 4) ?? assert.fail('no call with 4 events');
    const times = byTime(events).map((event) => Number(event.eventTime));
    let previous: WireEvent[] = [];
    for (const now of times) {
      const current = generateHour({ seed: SEED, siteId: SITE, hourStart: HOUR_START, now, callsPerHour: 30 }).get(callId) ?? [];
      assert.equal(current.length, previous.length + 1);
      for (const event of previous) assert.ok(current.some((candidate) => candidate.eventTime === event.eventTime));
      previous = current;
    }
    assert.deepEqual(byTime(previous), byTime(events));
  });

  it('sets conversationId only on the conversationid event and the events after it', () => {
    let conversations = 0;
    for (const events of dayCalls) {
      const sorted = byTime(events);
      const opened = sorted.findIndex((event) => event.eventType === 'conversationid');
      for (const [index, event] of sorted.entries()) {
        if (opened === -1 || index < opened) assert.equal(event.conversationId, null);
        else assert.equal(event.conversationId, sorted[opened]?.eventInfo);
      }
      if (opened !== -1) {
        conversations += 1;
        assert.match(sorted[opened]?.eventInfo ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    }
    assert.ok(conversations > dayCalls.length * 0.2, 'a good share of calls reach a conversation');
  });

  it('speaks the wire format: every field a string (conversationId may be null), numbers as digit strings', () => {
    for (const events of dayCalls) {
      for (const event of events) {
        assert.deepEqual(Object.keys(event), WIRE_KEYS);
        for (const [key, value] of Object.entries(event)) {
          if (key === 'conversationId') assert.ok(value === null || typeof value === 'string');
          else assert.equal(typeof value, 'string', key);
        }
        for (const key of [
          'callId',
          'siteId',
          'beginTimeStamp',
          'eventTime',
          'customerCountryCode',
          'customerPhoneNumber',
          'dialedCountryCode',
          'dialedPhoneNumber',
          'externalCallId',
        ] as const) {
          assert.match(event[key], /^\d+$/, key);
        }
        assert.equal(event.siteId, SITE);
      }
    }
  });

  it('follows the funnel: callstart at the begin time, then the documented steps in order', () => {
    for (const events of dayCalls) {
      const sorted = byTime(events);
      const types = sorted.map((event) => event.eventType).filter((type) => type !== 'callend');
      assert.deepEqual(types, FUNNEL.slice(0, types.length));
      assert.equal(sorted[0]?.eventInfo, 'Y');
      assert.equal(sorted[0]?.eventTime, sorted[0]?.beginTimeStamp);
      for (const event of sorted) {
        if (event.eventType === 'skillchoice') assert.equal(event.eventInfo, event.skill);
        if (event.eventType === 'ovrchan') assert.equal(event.eventInfo, 'sms');
        if (event.eventType === 'deflresponse') assert.match(event.eventInfo, /^[YN]$/);
      }
      if (types.includes('sendtext')) assert.ok(sorted.some((event) => event.eventType === 'deflresponse' && event.eventInfo === 'Y'));
    }
  });

  it('occasionally lists events out of time order and rarely reports an unknown eventType', () => {
    const outOfOrder = dayCalls.filter((events) => byTime(events).some((event, index) => event !== events[index])).length;
    const unknown = dayCalls.filter((events) => events.some((event) => !FUNNEL.includes(event.eventType))).length;
    assert.ok(outOfOrder > 0 && outOfOrder < dayCalls.length * 0.1, `out of order: ${outOfOrder}/${dayCalls.length}`);
    assert.ok(unknown > 0 && unknown < dayCalls.length * 0.05, `unknown type: ${unknown}/${dayCalls.length}`);
  });

  it('mostly sends callerInfo as a JSON dictionary, sometimes empty, rarely an array or invalid JSON', () => {
    const kinds = { dictionary: 0, empty: 0, other: 0 };
    for (const events of dayCalls) {
      const info = events[0]?.callerInfo ?? '';
      if (info === '') {
        kinds.empty += 1;
        continue;
      }
      try {
        const value: unknown = JSON.parse(info);
        const flat =
          typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((field) => typeof field !== 'object');
        kinds[flat ? 'dictionary' : 'other'] += 1;
      } catch {
        kinds.other += 1;
      }
    }
    assert.ok(kinds.dictionary > dayCalls.length * 0.8, JSON.stringify(kinds));
    assert.ok(kinds.empty > 0 && kinds.other > 0, JSON.stringify(kinds));
    assert.ok(kinds.other < dayCalls.length * 0.05, JSON.stringify(kinds));
  });

  it('generates caller and dialed numbers that libphonenumber-js considers valid, in national format', () => {
    const regions: Record<string, CountryCode> = { '61': 'AU', '1': 'US', '44': 'GB' };
    const callerCountries = new Set<string>();
    for (const events of dayCalls) {
      const event = events[0] ?? assert.fail('call without events');
      for (const [code, national] of [
        [event.customerCountryCode, event.customerPhoneNumber],
        [event.dialedCountryCode, event.dialedPhoneNumber],
      ] as const) {
        const region = regions[code] ?? assert.fail(`unexpected country code ${code}`);
        const parsed = parsePhoneNumberFromString(national, region);
        assert.ok(parsed?.isValid(), `invalid ${region} number`);
        assert.equal(parsed?.countryCallingCode, code);
        if (region !== 'US') assert.match(national, /^0/);
        else assert.match(national, /^\d{10}$/);
      }
      callerCountries.add(event.customerCountryCode);
      if (event.customerCountryCode !== '1')
        assert.equal(parsePhoneNumberFromString(event.customerPhoneNumber, regions[event.customerCountryCode])?.getType(), 'MOBILE');
    }
    assert.deepEqual([...callerCountries].sort(), ['1', '44', '61']);
  });

  it('gives site 25508804 about 100-150 calls an hour on average, a few hundred at peak', () => {
    const weekStart = Date.UTC(2025, 0, 13);
    const rates = Array.from({ length: 7 * 24 }, (_, hour) => defaultCallsPerHour(SITE, weekStart + hour * HOUR));
    const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
    assert.ok(mean >= 100 && mean <= 150, `mean ${mean}`);
    assert.ok(Math.max(...rates) >= 200 && Math.max(...rates) <= 400, `peak ${Math.max(...rates)}`);
    assert.ok(Math.min(...rates) < 30, 'quiet at night');
    assert.ok(dayCalls.length > 24 * 50, `a weekday has many calls, got ${dayCalls.length}`);
  });

  it('rejects an hourStart that is not the start of a UTC hour', () => {
    assert.throws(() => generateHour({ seed: SEED, siteId: SITE, hourStart: HOUR_START + 1, now: LATER }), RangeError);
  });
});
