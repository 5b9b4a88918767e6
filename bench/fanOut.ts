import type { Simulator } from '../src/simulator/index.js';
import type { Child } from './children.js';
import { dashboardQuery } from './dashboard.js';
import type { Row } from './report.js';
import { ms } from './report.js';
import { CALLS_PER_HOUR, DAY0, DAY_MS, median, NOW, post, SITE } from './setup.js';

const RUNS = 3;
export const DASHBOARD_DAY = DAY0 + 9 * DAY_MS;

export interface FanOutFigures {
  readonly ours: { readonly requests: number; readonly windows: number; readonly ms: number[] };
  readonly naive: { readonly requests: number; readonly ms: number[] };
}

export function dashboard(): string {
  return dashboardQuery({ siteId: SITE, day: DASHBOARD_DAY, now: NOW, callsPerHour: CALLS_PER_HOUR });
}

/**
 * Scenario 2: the dashboard operation, cold, through the gateway and through the naive baseline
 * (bench/naiveServer.ts: plain resolvers, one upstream request per field or call). Counts what each
 * sent upstream, from the simulator's request log, and times each.
 */
export async function runFanOut(simulator: Simulator, gateway: Child, naive: Child): Promise<{ figures: FanOutFigures; row: Row }> {
  const query = dashboard();
  const oursMs: number[] = [];
  const naiveMs: number[] = [];
  let oursRequests = 0;
  let windows = 0;
  let naiveRequests = 0;
  for (let run = 0; run < RUNS; run++) {
    simulator.clearRequests();
    oursMs.push((await post(gateway.url, query, `Bearer fan-out-${run}`)).ms);
    oursRequests = simulator.requests.length;
    windows = new Set(simulator.requests.map((request) => `${request.startTime}-${request.endTime}`)).size;
    simulator.clearRequests();
    naiveMs.push((await post(naive.url, query, 'Bearer naive')).ms);
    naiveRequests = simulator.requests.length;
  }
  const ratio = naiveRequests / oursRequests;
  return {
    figures: { ours: { requests: oursRequests, windows, ms: oursMs }, naive: { requests: naiveRequests, ms: naiveMs } },
    row: {
      scenario: 'fan-out: dashboard (10 ranges, 50 Query.call, 10 nested), cold',
      ours: `${oursRequests} requests (${windows} distinct windows), ${ms(median(oursMs))}`,
      baseline: `naive ${naiveRequests} requests, ${ms(median(naiveMs))}`,
      ratio,
      goal: 'ours = windows; naive/ours >= 50',
      met: oursRequests === windows && ratio >= 50,
      note: `time naive/ours ${(median(naiveMs) / median(oursMs)).toFixed(1)}x`,
    },
  };
}
