import { MAX_CALL_DURATION_MS } from '../src/simulator/index.js';
import type { OperationCost } from '../src/model/operation.js';

export const SITE = '25508804';
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** A Monday long settled: the data of every range is fixed and complete, and the gateway caches it as history. */
export const DAY0 = Date.UTC(2025, 2, 3);
export const NOW = DAY0 + 40 * DAY_MS + MAX_CALL_DURATION_MS;
/** A busy site: ~7,200 calls and ~16 MB of wire JSON a day. */
export const CALLS_PER_HOUR = 300;
/** The gateway's default LIVEDEFLECT_CONCURRENCY, used by the floor too. */
export const CONCURRENCY = 4;

export const iso = (time: number): string => new Date(time).toISOString();

export const CALL_FIELDS = 'id callId beginTime skill stage conversationId customerPhone { e164 } callerInfo lastEventTime events { type info time }';

/** Scenario 1's and 4's operation: a page of 500 calls with their events, and the range's count. */
export function rangeQuery(from: number, to: number): string {
  return `query Range { site(id: "${SITE}") { calls(from: "${iso(from)}", to: "${iso(to)}", first: 500) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${CALL_FIELDS} } } } }`;
}

export function dayWindows(from: number, days: number): { startTime: number; endTime: number }[] {
  return Array.from({ length: days }, (_, day) => ({ startTime: from + day * DAY_MS, endTime: from + (day + 1) * DAY_MS }));
}

/** The environment of a benchmarked gateway: the simulator upstream, and limits that let the bench's operations through. */
export function gatewayEnv(upstreamUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LIVEDEFLECT_URL: upstreamUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    GRAPHIQL: 'false',
    // The dashboard has 60 aliases (10 ranges, 50 Query.call): over the default MAX_ALIASES of 50.
    MAX_ALIASES: '100',
    MAX_COST: '10000000',
    LIVEDEFLECT_TIMEOUT: '60s',
    OPERATION_DEADLINE: '120s',
    ...extra,
  };
}

export interface Answer {
  readonly ms: number;
  readonly body: {
    readonly data?: unknown;
    readonly errors?: unknown[];
    readonly extensions?: { readonly livedeflect?: OperationCost; readonly upstreamRequests?: number };
  };
}

/** POSTs an operation and reads the whole answer; throws on errors, so a broken run never yields figures. */
export async function post(url: string, query: string, authorization: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as Answer['body'];
  const ms = performance.now() - started;
  if (response.status !== 200 || body.errors) {
    throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return { ms, body };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
