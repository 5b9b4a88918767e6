import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../../src/upstream/breaker.js';
import { UpstreamError } from '../../../src/upstream/errors.js';

const unavailable = (message: RegExp) => (error: unknown) =>
  error instanceof UpstreamError && error.code === 'UPSTREAM_UNAVAILABLE' && message.test(error.message);

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one trial through after the cool-down, and closes on its success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 10_000, now: () => now });
    breaker.admit();
    breaker.failed();
    assert.equal(breaker.state, 'closed');
    breaker.admit();
    breaker.failed();
    assert.equal(breaker.state, 'open');
    now = 4_000;
    assert.throws(() => breaker.admit(), unavailable(/paused for 6s more/));
    now = 10_000;
    assert.equal(breaker.state, 'half-open');
    breaker.admit();
    assert.throws(() => breaker.admit(), unavailable(/one trial request is under way/));
    breaker.succeeded();
    assert.equal(breaker.state, 'closed');
    breaker.admit();
  });

  it('opens again for a whole cool-down when the trial fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000, now: () => now });
    breaker.failed();
    now = 1_000;
    breaker.admit();
    breaker.failed();
    assert.equal(breaker.state, 'open');
    now = 1_999;
    assert.throws(() => breaker.admit(), unavailable(/paused for 1s more/));
    now = 2_000;
    assert.equal(breaker.state, 'half-open');
  });

  it('forgets failures after a success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000, now: () => 0 });
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    assert.equal(breaker.state, 'closed');
  });
});
