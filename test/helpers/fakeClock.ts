/**
 * A clock for the upstream client that runs with real time but can be moved ahead, and a retry wait that
 * moves it instead of waiting: breaker cool-downs and Retry-After delays are tested without sleeping.
 * It stays ahead of real time rather than frozen, so operation deadlines (real time) keep their meaning.
 */
export interface FakeClock {
  readonly now: () => number;
  /** Records the wait asked for and moves the clock by it at once. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Moves the clock ahead, as a cool-down passing would. */
  advance(ms: number): void;
  /** Every wait asked for, in order. */
  readonly waits: number[];
}

export function fakeClock(): FakeClock {
  let ahead = 0;
  const waits: number[] = [];
  return {
    now: () => Date.now() + ahead,
    sleep: (ms) => {
      waits.push(ms);
      ahead += ms;
      return Promise.resolve();
    },
    advance: (ms) => void (ahead += ms),
    waits,
  };
}
