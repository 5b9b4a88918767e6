import autocannon from 'autocannon';
import type { Child } from './children.js';
import { dashboard } from './fanOut.js';
import { graphqlFloorMs } from './graphqlFloor.js';
import type { Row } from './report.js';
import { post } from './setup.js';

const CONNECTIONS = 10;
const WARMUP_S = 2;
const DURATION_S = 8;
const TOKEN = 'Bearer warm';

export interface Throughput {
  /** Requests per second, mean over the run. */
  readonly rps: number;
  readonly p99Ms: number;
  readonly requests: number;
}

export interface WarmFigures {
  readonly dashboard: Throughput;
  readonly typename: Throughput;
  readonly dashboardBytes: number;
}

/** autocannon against one operation: a warm-up, then the measured run; any error or non-200 fails the bench. */
export async function throughput(url: string, query: string, authorization: string): Promise<Throughput> {
  const options = {
    url: `${url}/graphql`,
    connections: CONNECTIONS,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query }),
  };
  await autocannon({ ...options, duration: WARMUP_S });
  const result = await autocannon({ ...options, duration: DURATION_S });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts on ${url}`);
  }
  return { rps: result.requests.average, p99Ms: result.latency.p99, requests: result.requests.total };
}

export interface WarmGoal {
  /** The least share of the `{ __typename }` ceiling that meets the goal. */
  readonly ratio: number;
  /** What the profile (README "Performance") says the path spends its time on, printed when the goal is missed. */
  readonly heldBack: string;
}

/**
 * Scenario 3: the dashboard with a warm cache, under autocannon, against `{ __typename }` on the same
 * server in the same run: the most the server answers at all, Apollo and HTTP included. Run once with
 * the default settings (every answer executed, from the bucket cache) and once with RESPONSE_CACHE=true.
 */
async function runWarm(gateway: Child, setting: string, goal: WarmGoal): Promise<{ figures: WarmFigures; row: Row }> {
  const query = dashboard();
  const primed = await post(gateway.url, query, TOKEN);
  const dashboardBytes = JSON.stringify(primed.body).length;
  const typename = await throughput(gateway.url, '{ __typename }', TOKEN);
  const warm = await throughput(gateway.url, query, TOKEN);
  const ratio = warm.rps / typename.rps;
  return {
    figures: { dashboard: warm, typename, dashboardBytes },
    row: {
      scenario: `warm, ${setting}: dashboard (${(dashboardBytes / 1024).toFixed(0)} KB answer), ${CONNECTIONS} connections`,
      ours: `${warm.rps.toFixed(0)} req/s, p99 ${warm.p99Ms} ms`,
      baseline: `{ __typename } ${typename.rps.toFixed(0)} req/s, p99 ${typename.p99Ms} ms`,
      ratio,
      goal: `>= ${goal.ratio}`,
      met: ratio >= goal.ratio,
      note: `${DURATION_S} s each after ${WARMUP_S} s warm-up; dashboard/typename${ratio >= goal.ratio ? '' : `; held back by ${goal.heldBack}`}`,
    },
  };
}

/**
 * Rows 5 and 6: the bucket-cache dashboard on `gateway`, then the response cache on the gateway that
 * `responseCached` starts (RESPONSE_CACHE=true), each against its own `{ __typename }` ceiling.
 */
export async function runWarmRows(
  gateway: Child,
  responseCached: () => Promise<Child>,
): Promise<{ figures: { bucketCache: WarmFigures & { graphqlFloorMs: number }; responseCache: WarmFigures }; rows: Row[] }> {
  const bucketCache = await runWarm(gateway, 'bucket cache', {
    ratio: 0.2,
    heldBack:
      "execution, compiled by graphql-jit over reads answered at once (README Performance): ~0.8 ms of a ~1.2 ms request with the GC it causes (an executor answering a remembered result reads ~0.4 here), spread over the generated code, graphql-jit's runtime, 181 resolver calls (60 root lookups, 50 events, 50 Call ids), 150 call views and their events, no frame over ~2%; then JSON.stringify ~7% and the socket write ~4%",
  });
  // What graphql-js alone needs for the same answer: the bound COMPILED_EXECUTION=off could not pass.
  const query = dashboard();
  const floorMs = graphqlFloorMs(query, (await post(gateway.url, query, TOKEN)).body.data);
  const bucketRow = {
    ...bucketCache.row,
    note: `${bucketCache.row.note}; graphql-js alone on this document (sync reads of the same answer, in the bench process), what executing it without graphql-jit costs at least: ${floorMs.toFixed(2)} ms, at most ${Math.floor(1000 / floorMs)} req/s a core`,
  };
  const responseCache = await runWarm(await responseCached(), 'RESPONSE_CACHE=true', {
    ratio: 0.5,
    heldBack:
      "what every request costs around the lookup: Apollo's pipeline and content negotiation, reading the 9.5 KB request, hashing its query text (Apollo) and the credential (ours), and writing the 29 KB answer to the socket",
  });
  return {
    figures: { bucketCache: { ...bucketCache.figures, graphqlFloorMs: floorMs }, responseCache: responseCache.figures },
    rows: [bucketRow, responseCache.row],
  };
}
