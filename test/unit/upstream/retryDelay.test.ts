import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter, retryDelayMs } from '../../../src/upstream/retryDelay.js';

const now = Date.UTC(2026, 0, 1);

describe('retry delays', () => {
  it('honour Retry-After in seconds', () => assert.equal(retryDelayMs({ attempt: 0, retryAfter: '2', maxMs: 10_000, now }), 2000));
  it('honour Retry-After as an HTTP date', () => {
    assert.equal(parseRetryAfter(new Date(now + 3000).toUTCString(), now), 3000);
    assert.equal(parseRetryAfter(new Date(now - 3000).toUTCString(), now), 0);
  });
  it('cap a long Retry-After', () => assert.equal(retryDelayMs({ attempt: 0, retryAfter: '3600', maxMs: 10_000, now }), 10_000));
  it('ignore a Retry-After they cannot read and back off instead', () => {
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(retryDelayMs({ attempt: 0, retryAfter: 'soon', maxMs: 10_000, now, random: () => 1 }), 200);
  });
  it('double with each attempt, with jitter between half and all of the step', () => {
    const low = [0, 1, 2, 3].map((attempt) => retryDelayMs({ attempt, retryAfter: null, maxMs: 10_000, now, random: () => 0 }));
    const high = [0, 1, 2, 3].map((attempt) => retryDelayMs({ attempt, retryAfter: null, maxMs: 10_000, now, random: () => 1 }));
    assert.deepEqual(low, [100, 200, 400, 800]);
    assert.deepEqual(high, [200, 400, 800, 1600]);
  });
  it('never back off longer than the cap', () => {
    assert.equal(retryDelayMs({ attempt: 20, retryAfter: null, maxMs: 5000, now, random: () => 1 }), 5000);
  });
});
