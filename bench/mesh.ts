import type { Simulator } from '../src/simulator/index.js';
import { startChild } from './children.js';
import { DASHBOARD_DAY } from './fanOut.js';
import { meshRangeQuery } from './meshServer.js';
import type { Row } from './report.js';
import { ms } from './report.js';
import { DAY0, DAY_MS, dayWindows, median, post, SITE } from './setup.js';
import { throughput, type Throughput } from './warm.js';

const RUNS = 3;
const DAYS = 7;

export interface MeshFigures {
  readonly coldMs: number[];
  readonly coldAnswerBytes: number;
  readonly warm: Throughput;
  readonly typename: Throughput;
}

/**
 * Scenario 6: Hive Gateway over a Mesh json-schema source for the same endpoint (bench/meshServer.ts),
 * the row a user would pick instead. Cold: the same 7 windows as scenario 1, one aliased field each,
 * against scenario 1's floor. Warm: the dashboard's day as Mesh serves it (one field, the day's raw
 * map: a Mesh client computes its ranges itself), with Hive Gateway's response cache, against
 * `{ __typename }` on the same server.
 */
export async function runMesh(simulator: Simulator, floorMs: number): Promise<{ figures: MeshFigures; rows: Row[] }> {
  const cold = await startChild('mesh', { LIVEDEFLECT_URL: simulator.url });
  const coldMs: number[] = [];
  let coldAnswerBytes = 0;
  try {
    const query = meshRangeQuery(SITE, dayWindows(DAY0, DAYS));
    await post(cold.url, query, 'Bearer mesh-warmup');
    for (let run = 0; run < RUNS; run++) {
      const answer = await post(cold.url, query, `Bearer mesh-${run}`);
      coldMs.push(answer.ms);
      coldAnswerBytes = JSON.stringify(answer.body).length;
    }
  } finally {
    await cold.stop();
  }
  const cached = await startChild('mesh', { LIVEDEFLECT_URL: simulator.url, MESH_RESPONSE_CACHE: 'true' });
  let warm: Throughput;
  let typename: Throughput;
  try {
    const day = meshRangeQuery(SITE, [{ startTime: DASHBOARD_DAY, endTime: DASHBOARD_DAY + DAY_MS }]);
    await post(cached.url, day, 'Bearer mesh-warm');
    typename = await throughput(cached.url, '{ __typename }', 'Bearer mesh-warm');
    warm = await throughput(cached.url, day, 'Bearer mesh-warm');
  } finally {
    await cached.stop();
  }
  const coldRatio = median(coldMs) / floorMs;
  const warmRatio = warm.rps / typename.rps;
  return {
    figures: { coldMs, coldAnswerBytes, warm, typename },
    rows: [
      {
        scenario: `Hive Gateway + Mesh json-schema, cold: the same ${DAYS} windows, raw map`,
        ours: `${ms(median(coldMs))} (${(coldAnswerBytes / 1e6).toFixed(0)} MB answer)`,
        baseline: `floor ${ms(floorMs)}`,
        ratio: coldRatio,
        goal: '(ours: row 1)',
        met: null,
        note: `median of ${RUNS}; untyped: the client still has to decode every call`,
      },
      {
        scenario: 'Hive Gateway + Mesh, warm: the dashboard day, response cache on',
        ours: `${warm.rps.toFixed(1)} req/s, p99 ${warm.p99Ms} ms`,
        baseline: `{ __typename } ${typename.rps.toFixed(0)} req/s`,
        ratio: warmRatio,
        goal: '(ours: row 4)',
        met: null,
        note: 'each answer is the whole day (~16 MB)',
      },
    ],
  };
}
