import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCallId } from '../../src/model/callId.js';
import { decodeCallId } from '../../src/resolvers/globalId.js';
import { rememberAnswers } from '../../src/model/rememberAnswers.js';
import { DateTimeScalar } from '../../src/resolvers/scalars.js';

describe('rememberAnswers', () => {
  it('answers as the function does, read again and past its bound, and a throw is thrown again each time', () => {
    let calls = 0;
    const half = rememberAnswers((value: number) => {
      calls++;
      if (value < 0) throw new RangeError(`negative: ${value}`);
      return value / 2;
    }, 10);
    for (let pass = 0; pass < 2; pass++) for (let value = 0; value < 25; value++) assert.equal(half(value), value / 2);
    assert.equal(half(24), 12);
    assert.ok(calls < 51, 'the last value was remembered');
    assert.throws(() => half(-1), /negative: -1/);
    assert.throws(() => half(-1), /negative: -1/);
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

  it('a remembered Call id decodes to a frozen identity, so no caller can change what the next one reads', () => {
    const id = encodeCallId({ siteId: '1', callId: 'abc', beginTime: 5 });
    assert.equal(decodeCallId(id), decodeCallId(id));
    assert.ok(Object.isFrozen(decodeCallId(id)));
    assert.deepEqual(decodeCallId(id), { siteId: '1', callId: 'abc', beginTime: 5 });
    for (let pass = 0; pass < 2; pass++) assert.throws(() => decodeCallId('nope'), /is not a Call id/);
  });
});
