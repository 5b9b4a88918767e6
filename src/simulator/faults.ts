// Injected failures, so tests and benchmarks can make the upstream misbehave on demand. Faults are
// checked in injection order and the first that matches the request applies; a fault with `times`
// is dropped once used up. `probability` draws from a generator seeded by the simulator's seed, so a
// load test that sends the same requests in the same order sees the same failures.
import { createRng, type Rng } from './prng.js';

interface FaultScope {
  /** Apply to the next N matching requests, then drop the fault. Default: every matching request. */
  times?: number;
  /** Only requests for this site match. */
  siteId?: string;
  /** Each matching request is hit with this probability (0..1). Default 1. */
  probability?: number;
}

export type Fault = FaultScope &
  (
    | { kind: 'status'; status: number; /** Retry-After header value. */ retryAfter?: string; body?: string }
    /** Delay, then answer normally. */
    | { kind: 'latency'; ms: number }
    /** 200 with a body cut off halfway: not JSON. */
    | { kind: 'malformed-json' }
    /** 200 with exactly this body, for wrong-shape tests. */
    | { kind: 'body'; body: string }
    /** Accept the request and never answer; close() ends it. */
    | { kind: 'hang' }
    /** Destroy the socket without an answer. */
    | { kind: 'reset' }
  );

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

function invalid(what: string, received: unknown): TypeError {
  return new TypeError(`injectFault: ${what}, but got ${JSON.stringify(received)}`);
}

// Checked once here so the request path can trust every field.
function validFault(fault: Fault): Fault {
  const { times, probability, siteId } = fault;
  if (times !== undefined && !(Number.isSafeInteger(times) && times > 0)) throw invalid('times must be a positive integer', times);
  if (probability !== undefined && !(probability >= 0 && probability <= 1)) throw invalid('probability must be in [0, 1]', probability);
  if (siteId !== undefined && typeof siteId !== 'string') throw invalid('siteId must be a string', siteId);
  switch (fault.kind) {
    case 'status':
      if (!(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599))
        throw invalid('status must be an HTTP status in 200..599', fault.status);
      return { ...fault };
    case 'latency':
      if (!(Number.isFinite(fault.ms) && fault.ms >= 0)) throw invalid('latency ms must be a finite number >= 0', fault.ms);
      return { ...fault };
    case 'body':
      if (typeof fault.body !== 'string') throw invalid('body must be a string', fault.body);
      return { ...fault };
    case 'malformed-json':
    case 'hang':
    case 'reset':
      return { ...fault };
    default:
      throw invalid('kind must be one of "status", "latency", "malformed-json", "body", "hang", "reset"', (fault as { kind: unknown }).kind);
  }
}

export class FaultList {
  readonly #active: ActiveFault[] = [];
  readonly #rng: Rng;

  constructor(seed: string) {
    this.#rng = createRng('faults', seed);
  }

  add(fault: Fault): void {
    this.#active.push({ fault: validFault(fault), remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.#active.length = 0;
  }

  /** The fault that applies to a request for this site, if any; uses up one of its `times`. */
  take(siteId: string): Fault | undefined {
    for (const [index, active] of this.#active.entries()) {
      const { fault } = active;
      if (fault.siteId !== undefined && fault.siteId !== siteId) continue;
      if (fault.probability !== undefined && !this.#rng.chance(fault.probability)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.#active.splice(index, 1);
      return fault;
    }
    return undefined;
  }
}
