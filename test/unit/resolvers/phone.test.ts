import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phoneNumberOf } from '../../../src/resolvers/phone.js';

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
