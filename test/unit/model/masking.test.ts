import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskDigits } from '../../../src/model/masking.js';

describe('maskDigits', () => {
  it('hides all but the last four digits', () => {
    assert.equal(maskDigits('+61400111222'), '+*******1222');
    assert.equal(maskDigits('0400111222'), '******1222');
    assert.equal(maskDigits('123'), '123');
  });
});
