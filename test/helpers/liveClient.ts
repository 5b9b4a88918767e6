import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What a subscription delivered: each `next` payload in order, and how it ended. */
export interface Recorded {
  readonly results: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }[];
  /** Resolves once the server completed the subscription (or it errored: then `error` holds the payload). */
  readonly ended: Promise<void>;
  error: unknown;
  completed: boolean;
  /** Waits (bounded) until at least n results arrived; throws with what came when it takes longer. */
  atLeast(n: number, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export interface LiveClientOptions {
  readonly connectionParams?: Record<string, unknown>;
  /** Headers of the upgrade request. */
  readonly headers?: Record<string, string>;
  /**
   * How long the client keeps its socket once its last subscription ended (graphql-ws; 0 by default). A test of
   * the server's own close sets it, or the client's close (1000) races the server's (1001).
   */
  readonly lazyCloseTimeout?: number;
}

/** A real graphql-ws client over `ws`, as a Node service would subscribe. */
export function liveClient(gatewayUrl: string, options: LiveClientOptions = {}): Client & { closeCodes: number[] } {
  const closeCodes: number[] = [];
  const headers = options.headers ?? {};
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: HeaderSocket,
    connectionParams: options.connectionParams,
    retryAttempts: 0,
    lazy: true,
    lazyCloseTimeout: options.lazyCloseTimeout ?? 0,
    on: { closed: (event) => void closeCodes.push((event as { code: number }).code) },
  });
  return Object.assign(client, { closeCodes });
}

export function record(client: Client, query: string, variables: Record<string, unknown> = {}): Recorded {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const recorded: Recorded = {
    results: [],
    ended,
    error: undefined,
    completed: false,
    async atLeast(n, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (recorded.results.length < n) {
        if (Date.now() > until)
          throw new Error(`expected ${n} results within ${timeoutMs} ms, got ${JSON.stringify(recorded.results).slice(0, 2000)}`);
        if (recorded.completed || recorded.error !== undefined)
          throw new Error(`ended after ${recorded.results.length} results: ${JSON.stringify(recorded.error)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (value) => void recorded.results.push(value as Recorded['results'][number]),
      error: (error) => {
        recorded.error = error;
        end();
      },
      complete: () => {
        recorded.completed = true;
        end();
      },
    },
  );
  return recorded;
}

/** Polls a condition every 20 ms for at most timeoutMs: tests wait on states, never on durations. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A simulator clock the test moves by hand, starting half an hour behind the real one: the gateway polls
 * the last LIVE_LOOKBACK of real time, and everything the simulator shows has happened inside it.
 */
export function simulatedClock(): { now: () => number; readonly start: number; advance(ms: number): void } {
  const start = Date.now() - 30 * 60_000;
  let offset = 0;
  return { start, now: () => start + offset, advance: (ms) => void (offset += ms) };
}
