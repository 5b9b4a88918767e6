import type { Simulator } from '../src/simulator/index.js';
import type { Child } from './children.js';
import type { Row } from './report.js';
import { ms } from './report.js';
import { CONCURRENCY, DAY0, dayWindows, median, post, rangeQuery, SITE } from './setup.js';

const RUNS = 5;
const DAYS = 7;

export interface ColdFigures {
  readonly gatewayMs: number[];
  readonly floorMs: number[];
  readonly windows: number;
  readonly wireBytes: number;
  readonly calls: number;
  readonly upstreamRequests: number;
}

/**
 * Scenario 1: a 7-day range on a busy site, `calls(first: 500)` with its events and `totalCount`, cold
 * (each run with a credential the gateway has not seen, so no tier can answer), against the floor: the
 * same 7 windows fetched with undici and JSON.parse'd. Runs alternate, after one warm-up of each.
 */
export async function runCold(simulator: Simulator, gateway: Child, floor: Child): Promise<{ figures: ColdFigures; row: Row }> {
  const query = rangeQuery(DAY0, DAY0 + DAYS * 86_400_000);
  const windows = dayWindows(DAY0, DAYS);
  const floorRequest = { upstreamUrl: simulator.url, siteId: SITE, windows, concurrency: CONCURRENCY };
  await post(gateway.url, query, 'Bearer cold-warmup');
  await floor.floor(floorRequest);
  const gatewayMs: number[] = [];
  const floorMs: number[] = [];
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
  }
  const ratio = median(gatewayMs) / median(floorMs);
  return {
    figures: { gatewayMs, floorMs, windows: windows.length, wireBytes, calls, upstreamRequests },
    row: {
      scenario: `cold: ${DAYS} days, ${calls} calls, first: 500 + totalCount`,
      ours: `${ms(median(gatewayMs))} (${upstreamRequests} requests)`,
      baseline: `floor ${ms(median(floorMs))} (undici + JSON.parse, ${windows.length} windows, ${(wireBytes / 1e6).toFixed(0)} MB)`,
      ratio,
      goal: '<= 1.2',
      met: ratio <= 1.2,
      note: `median of ${RUNS}; gateway/floor`,
    },
  };
}
