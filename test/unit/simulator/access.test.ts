import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAccess } from '../../../src/simulator/access.js';

describe('simulator access check', () => {
  const credentials = { 'Bearer all': '*', 'Bearer one': ['25508804'] } as const;

  it('allows everything without a credentials table', () => {
    assert.equal(checkAccess(undefined, null, '1'), 'allowed');
  });

  it('treats a missing or unknown Authorization as unauthenticated', () => {
    assert.equal(checkAccess(credentials, null), 'unauthenticated');
    assert.equal(checkAccess(credentials, 'Bearer nope', '25508804'), 'unauthenticated');
    assert.equal(checkAccess(credentials, 'toString'), 'unauthenticated');
  });

  it('forbids a known credential from reading a site it is not given', () => {
    assert.equal(checkAccess(credentials, 'Bearer one', '25508804'), 'allowed');
    assert.equal(checkAccess(credentials, 'Bearer one', '38856538'), 'forbidden');
    assert.equal(checkAccess(credentials, 'Bearer all', '38856538'), 'allowed');
  });
});
