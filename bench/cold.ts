import type { Simulator } from '../src/simulator/index.js';
import type { Child } from './children.js';
import type { Row } from './report.js';
import { ms } from './report.js';
import { CONCURRENCY, DAY0, dayWindows, median, post, rangeQuery, SITE } from './setup.js';

const RUNS = 9;
/** The cold range's days: one window each. */
export const COLD_DAYS = 7;
const GOAL = 1.1;
/** What the profile (README "Performance") says the cold path waits on, printed when the goal is missed. */
const HELD_BACK =
  'held back by decoding: the decode threads parse every window (the floor only JSON.parses), and on 2 shared cores they compete with the upstream and the floor';

export interface ColdFigures {
  readonly gatewayMs: number[];
  readonly floorMs: number[];
  /** The independent client (its own process, fetch + text() + JSON.parse): the query, and its own floor. */
  readonly clientMs: number[];
  readonly clientFloorMs: number[];
  readonly windows: number;
  readonly wireBytes: number;
  readonly calls: number;
  readonly upstreamRequests: number;
}

/**
 * Scenario 1: a 7-day range on a busy site, `calls(first: 500)` with its events and `totalCount`, cold
 * (each run with a credential the gateway has not seen, so no tier can answer), against the floor: the
 * same 7 windows fetched with undici and JSON.parse'd. The same query is also timed by an independent
 * client (another process, Node's fetch) against its own floor: the 7 windows fetched at once with
 * fetch, text() and JSON.parse. Runs interleave the four, after one warm-up of each; ratios are of medians.
 */
export async function runCold(simulator: Simulator, gateway: Child, floor: Child, client: Child): Promise<{ figures: ColdFigures; rows: Row[] }> {
  const query = rangeQuery(DAY0, DAY0 + COLD_DAYS * 86_400_000);
  const windows = dayWindows(DAY0, COLD_DAYS);
  const floorRequest = { upstreamUrl: simulator.url, siteId: SITE, windows, concurrency: CONCURRENCY };
  await post(gateway.url, query, 'Bearer cold-warmup');
  await floor.floor(floorRequest);
  await client.fetchWindows(floorRequest);
  await client.fetchQuery({ url: gateway.url, query, authorization: 'Bearer client-warmup' });
  const gatewayMs: number[] = [];
  const floorMs: number[] = [];
  const clientMs: number[] = [];
  const clientFloorMs: number[] = [];
  let upstreamRequests = 0;
  let wireBytes = 0;
  let calls = 0;
  for (let run = 0; run < RUNS; run++) {
    const floorRun = await floor.floor(floorRequest);
    floorMs.push(floorRun.ms);
    wireBytes = floorRun.bodyBytes;
    simulator.clearRequests();
    const answer = await post(gateway.url, query, `Bearer cold-${run}`);
    gatewayMs.push(answer.ms);
    upstreamRequests = simulator.requests.length;
    calls = (answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount;
    if (calls !== floorRun.calls) throw new Error(`the gateway counted ${calls} calls, the floor parsed ${floorRun.calls}`);
    const clientQuery = await client.fetchQuery({ url: gateway.url, query, authorization: `Bearer client-${run}` });
    clientMs.push(clientQuery.ms);
    const clientFloor = await client.fetchWindows(floorRequest);
    clientFloorMs.push(clientFloor.ms);
    if (clientQuery.calls !== clientFloor.calls)
      throw new Error(`the client was answered ${clientQuery.calls} calls, its floor parsed ${clientFloor.calls}`);
  }
  const ratio = median(gatewayMs) / median(floorMs);
  const clientRatio = median(clientMs) / median(clientFloorMs);
  const held = (met: boolean): string => (met ? '' : `; ${HELD_BACK}`);
  return {
    figures: { gatewayMs, floorMs, clientMs, clientFloorMs, windows: windows.length, wireBytes, calls, upstreamRequests },
    rows: [
      {
        scenario: `cold: ${COLD_DAYS} days, ${calls} calls, first: 500 + totalCount`,
        ours: `${ms(median(gatewayMs))} (${upstreamRequests} requests)`,
        baseline: `floor ${ms(median(floorMs))} (undici + JSON.parse, ${windows.length} windows, ${(wireBytes / 1e6).toFixed(0)} MB)`,
        ratio,
        goal: `<= ${GOAL}`,
        met: ratio <= GOAL,
        note: `median of ${RUNS} interleaved; gateway/floor${held(ratio <= GOAL)}`,
      },
      {
        scenario: `cold, independent client: the same query with fetch from another process`,
        ours: `${ms(median(clientMs))}`,
        baseline: `its floor ${ms(median(clientFloorMs))} (fetch + text() + JSON.parse, ${windows.length} windows at once)`,
        ratio: clientRatio,
        goal: `<= ${GOAL}`,
        met: clientRatio <= GOAL,
        note: `median of ${RUNS} interleaved; client's answer/client's floor${held(clientRatio <= GOAL)}`,
      },
    ],
  };
}
