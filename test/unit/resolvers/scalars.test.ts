import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTimeScalar } from '../../../src/resolvers/scalars.js';

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
  for (const text of [
    '2026-02-30T00:00:00Z',
    '2023-02-29',
    '2024-04-31T00:00:00Z',
    '2024-13-01',
    '2024-05-01T00:00:00',
    'yesterday',
    '1714521600000',
    '',
  ]) {
    it(`refuses ${JSON.stringify(text)} (no rolling over, no missing zone)`, () => assert.throws(() => DateTimeScalar.parseValue(text), /ISO-8601/));
  }
  it('refuses a number', () => assert.throws(() => DateTimeScalar.parseValue(1714521600000), /ISO-8601/));
  it('serializes epoch milliseconds as UTC with milliseconds', () => {
    assert.equal(DateTimeScalar.serialize(1528932953300), '2018-06-13T23:35:53.300Z');
  });

  it('DateTime writes every time as toISOString does, past the bound of remembered strings too', () => {
    const times = Array.from({ length: 20_000 }, (_, i) => Date.UTC(2025, 2, 3) + i * 7_919);
    for (let pass = 0; pass < 2; pass++) {
      for (const time of times) assert.equal(DateTimeScalar.serialize(time), new Date(time).toISOString());
    }
    assert.equal(DateTimeScalar.serialize(-0), '1970-01-01T00:00:00.000Z');
    assert.throws(() => DateTimeScalar.serialize(8.64e15 + 1), RangeError);
    assert.throws(() => DateTimeScalar.serialize(Number.NaN), /DateTime cannot represent NaN/);
  });

  it('DateTime parses a literal again to the same time, and refuses a bad one every time', () => {
    for (let pass = 0; pass < 2; pass++) {
      assert.equal(DateTimeScalar.parseValue('2025-03-03T01:00:00Z'), Date.UTC(2025, 2, 3, 1));
      assert.throws(() => DateTimeScalar.parseValue('2026-02-30'), /DateTime must be an ISO-8601 date-time/);
    }
  });
});
