/**
 * `npm run bench:warm`: only the warm rows of `npm run bench` (5 and 6), each on a fresh gateway over the
 * same simulator, in about 45 s: the loop for profiling and measuring the warm path
 * (`BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' npm run bench:warm` profiles the gateways).
 */
import { startSimulator } from '../src/simulator/index.js';
import { startChild, type Child } from './children.js';
import { formatTable } from './report.js';
import { CALLS_PER_HOUR, gatewayEnv, NOW } from './setup.js';
import { runWarmRows } from './warm.js';

const simulator = await startSimulator({ precompute: true, callsPerHour: CALLS_PER_HOUR, now: () => NOW });
const children: Child[] = [];
const gateway = async (extra: Record<string, string> = {}): Promise<Child> => {
  const started = await startChild('gateway', gatewayEnv(simulator.url, extra));
  children.push(started);
  return started;
};
try {
  const warm = await runWarmRows(await gateway(), async () => {
    await Promise.all(children.splice(0).map((running) => running.stop()));
    return gateway({ RESPONSE_CACHE: 'true' });
  });
  process.stdout.write(`${formatTable(warm.rows)}\n`);
} finally {
  await Promise.all(children.map((running) => running.stop()));
  await simulator.close();
}
