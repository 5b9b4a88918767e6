import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phoneNumberOf } from '../../src/resolvers/phone.js';
import { DateTimeScalar } from '../../src/resolvers/scalars.js';

describe('DateTime', () => {
  for (const [text, iso] of [
    ['2024-05-01T00:00:00Z', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:00:00+10:00', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T00:00:00.123456789Z', '2024-05-01T00:00:00.123Z'],
    ['2024-05-01T00:00Z', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
  ] as const) {
    it(`reads ${text} as ${iso}`, () => assert.equal(new Date(DateTimeScalar.parseValue(text)).toISOString(), iso));
  }
  for (const text of ['2026-02-30T00:00:00Z', '2023-02-29', '2024-04-31T00:00:00Z', '2024-13-01', '2024-05-01T00:00:00', 'yesterday', '1714521600000', '']) {
    it(`refuses ${JSON.stringify(text)} (no rolling over, no missing zone)`, () => assert.throws(() => DateTimeScalar.parseValue(text), /ISO-8601/));
  }
  it('refuses a number', () => assert.throws(() => DateTimeScalar.parseValue(1714521600000), /ISO-8601/));
  it('serializes epoch milliseconds as UTC with milliseconds', () => {
    assert.equal(DateTimeScalar.serialize(1528932953300), '2018-06-13T23:35:53.300Z');
  });
});

describe('phone numbers', () => {
  it('give E.164 for a valid national number with its country code', () => {
    assert.deepEqual(phoneNumberOf('61', '0400111222', false), { countryCode: '61', number: '0400111222', e164: '+61400111222' });
    assert.equal(phoneNumberOf('1', '4049903068', false)?.e164, '+14049903068');
  });
  for (const [countryCode, number] of [
    ['61', '0400'],
    ['999', '0400111222'],
    ['0', '12345'],
    [null, '0400111222'],
    ['44', 'not a number'],
  ] as const) {
    it(`give e164 null for ${countryCode} / ${number}, keeping what was sent`, () => {
      const phone = phoneNumberOf(countryCode, number, false);
      assert.deepEqual(phone, { countryCode, number, e164: null });
    });
  }
  it('are absent when no number was sent', () => assert.equal(phoneNumberOf('61', null, false), null));
  it('are masked to their last four digits under MASK_PII, E.164 included', () => {
    assert.deepEqual(phoneNumberOf('61', '0400111222', true), { countryCode: '61', number: '******1222', e164: '+*******1222' });
  });
});
