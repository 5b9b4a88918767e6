import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rememberAnswers } from '../../../src/model/rememberAnswers.js';

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
});
