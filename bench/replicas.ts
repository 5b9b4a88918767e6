import type { Simulator } from '../src/simulator/index.js';
import { startRedisServer } from '../test/helpers/redisServer.js';
import { startChild, type Child } from './children.js';
import type { Row } from './report.js';
import { DAY0, DAY_MS, gatewayEnv, post, rangeQuery } from './setup.js';

const DAYS = 3;

export interface ReplicaFigures {
  readonly firstRequests: number;
  readonly secondRequests: number;
  readonly threeColdRequests: number;
  readonly windows: number;
}

/**
 * Scenario 5: gateway processes sharing one real redis-server. The second replica runs an operation
 * the first already ran (goal: no upstream request); then three fresh replicas run another operation
 * at once (goal: one request per window in total, the others waiting on the first one's leases).
 */
export async function runReplicas(simulator: Simulator): Promise<{ figures: ReplicaFigures; rows: Row[] }> {
  const redis = await startRedisServer();
  const replicas: Child[] = [];
  const replica = async (): Promise<Child> => {
    const child = await startChild('gateway', gatewayEnv(simulator.url, { REDIS_URL: redis.url, CACHE_KEY_SECRET: 'bench replicas' }));
    replicas.push(child);
    return child;
  };
  try {
    const first = await replica();
    const second = await replica();
    const shared = rangeQuery(DAY0 + 20 * DAY_MS, DAY0 + (20 + DAYS) * DAY_MS);
    simulator.clearRequests();
    await post(first.url, shared, 'Bearer replicas');
    const firstRequests = simulator.requests.length;
    simulator.clearRequests();
    await post(second.url, shared, 'Bearer replicas');
    const secondRequests = simulator.requests.length;

    const cold = await Promise.all([replica(), replica(), replica()]);
    const other = rangeQuery(DAY0 + 24 * DAY_MS, DAY0 + (24 + DAYS) * DAY_MS);
    simulator.clearRequests();
    await Promise.all(cold.map((child) => post(child.url, other, 'Bearer replicas')));
    const threeColdRequests = simulator.requests.length;
    return {
      figures: { firstRequests, secondRequests, threeColdRequests, windows: DAYS },
      rows: [
        {
          scenario: `replicas: 2nd replica repeats a ${DAYS}-day operation (shared redis-server)`,
          ours: `${secondRequests} upstream requests`,
          baseline: `1st replica: ${firstRequests}`,
          ratio: null,
          goal: '0 requests',
          met: secondRequests === 0,
          note: 'answered from Redis',
        },
        {
          scenario: `replicas: 3 start cold at once on a ${DAYS}-day operation`,
          ours: `${threeColdRequests} upstream requests in total`,
          baseline: `${DAYS} windows`,
          ratio: threeColdRequests / DAYS,
          goal: '1 per window',
          met: threeColdRequests === DAYS,
          note: 'Redis leases: one replica fetches, two wait',
        },
      ],
    };
  } finally {
    await Promise.all(replicas.map((child) => child.stop()));
    await redis.kill();
  }
}
