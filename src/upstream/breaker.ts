import { UpstreamError } from './errors.js';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open before one trial request is let through. */
  readonly cooldownMs: number;
  readonly now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one upstream. While the upstream is down, every window would wait out its
 * timeout and retries; answering UPSTREAM_UNAVAILABLE at once keeps the gateway responsive and stops
 * adding load to an upstream that is trying to recover. After the cool-down, one request is let through
 * (half-open): its success closes the breaker, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Throws UPSTREAM_UNAVAILABLE when no request may be sent now; otherwise the caller must report back. */
  admit(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return;
    }
    const retryInMs = Math.max(0, this.options.cooldownMs - (this.now() - (this.openedAt ?? 0)));
    throw new UpstreamError(
      'UPSTREAM_UNAVAILABLE',
      state === 'half-open'
        ? 'LiveDeflect is failing; one trial request is under way to see whether it recovered. Try again in a few seconds.'
        : `LiveDeflect is failing; requests are paused for ${Math.ceil(retryInMs / 1000)}s more. Try again then.`,
    );
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  /** The request admitted ended without a word from the upstream (the operation ran out of time): nothing learnt, the trial slot is free again. */
  abandoned(): void {
    this.trialInFlight = false;
  }

  failed(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.openedAt !== null || this.failures >= this.options.failureThreshold) this.openedAt = this.now();
  }
}
