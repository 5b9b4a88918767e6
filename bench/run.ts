/**
 * `npm run bench`: how much the gateway costs the upstream and adds on top of fetching and parsing,
 * as ratios against baselines measured in the same run, on loopback only. Prints a table and writes
 * bench/results/latest.json. Bounded: every scenario has a fixed number of runs or a fixed duration,
 * and the whole bench takes a few minutes on 2 cores. See README "Performance" for how to read it.
 * `BENCH_ONLY=memory` runs the memory rows alone (about four minutes), for changes that only move memory.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { startChild, type Child } from './children.js';
import { COLD_DAYS, runCold } from './cold.js';
import { runFanOut } from './fanOut.js';
import { MEMORY_DAYS, runMemory, type MemoryFigures } from './memory.js';
import { runMesh } from './mesh.js';
import { runReplicas } from './replicas.js';
import { runTracing } from './tracing.js';
import { formatTable, writeResults, type Row } from './report.js';
import { startCompactUpstream } from './compactUpstream.js';
import { CALLS_PER_HOUR, CONCURRENCY, DAY0, DAY_MS, dayWindows, gatewayEnv, median, NOW, SITE } from './setup.js';
import { runTimeline } from './timeline.js';
import { runWarmRows } from './warm.js';

const RESULTS = new URL('./results/latest.json', import.meta.url);

async function main(): Promise<void> {
  const started = performance.now();
  // Precomputed answers: the simulator serves each window's body from memory, so the bench measures the
  // gateway and not data generation.
  const simulator = await startSimulator({ precompute: true, callsPerHour: CALLS_PER_HOUR, now: () => NOW });
  const children: Child[] = [];
  const child = async (...args: Parameters<typeof startChild>): Promise<Child> => {
    const started = await startChild(...args);
    children.push(started);
    return started;
  };
  const rows: Row[] = [];
  const figures: Record<string, unknown> = {};
  let printed = 0;
  // Each step first prints the rows the one before it added: a run that fails later still shows them.
  const step = (name: string) => {
    if (rows.length > printed) process.stderr.write(`${formatTable(rows.slice(printed))}\n`);
    printed = rows.length;
    process.stderr.write(`bench: ${name} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  };
  try {
    if (process.env.BENCH_ONLY === 'memory') {
      // One window's wire size as the cold row measures it: the mean body of its 7 day-windows.
      const floor = await child('floor');
      const floorRun = await floor.floor({
        upstreamUrl: simulator.url,
        siteId: SITE,
        windows: dayWindows(DAY0, COLD_DAYS),
        concurrency: CONCURRENCY,
      });
      await Promise.all(children.splice(0).map((running) => running.stop()));
      const memory = await runMemoryRows(simulator, floorRun.bodyBytes / COLD_DAYS, child);
      rows.push(...memory.rows);
      figures.memory = memory.figures;
    } else {
      await runAllRows(simulator, children, child, rows, figures, step);
    }
  } finally {
    await Promise.all(children.map((running) => running.stop()));
    await simulator.close();
  }
  report(rows, figures, started);
}

/** Every scenario, in order: rows 1-13. */
async function runAllRows(
  simulator: Simulator,
  children: Child[],
  child: (...args: Parameters<typeof startChild>) => Promise<Child>,
  rows: Row[],
  figures: Record<string, unknown>,
  step: (name: string) => void,
): Promise<void> {
  const gateway = await child('gateway', gatewayEnv(simulator.url));
  const floor = await child('floor');
  const client = await child('client');
  step('1 cold');
  const cold = await runCold(simulator, gateway, floor, client);
  rows.push(...cold.rows);
  figures.cold = cold.figures;

  step('1b tracing');
  const tracing = await runTracing(simulator, gateway);
  rows.push(tracing.row);
  figures.tracing = tracing.figures;

  step('2 fan-out');
  const naive = await child('naive', { LIVEDEFLECT_URL: simulator.url });
  const fanOut = await runFanOut(simulator, gateway, naive);
  rows.push(fanOut.row);
  figures.fanOut = fanOut.figures;

  step('3 warm');
  // The bucket-cache row on the gateway the rows above warmed; the response cache on one of its own.
  const warm = await runWarmRows(gateway, async () => {
    await Promise.all(children.splice(0).map((running) => running.stop()));
    return child('gateway', gatewayEnv(simulator.url, { RESPONSE_CACHE: 'true' }));
  });
  rows.push(...warm.rows);
  figures.warm = warm.figures;
  await Promise.all(children.splice(0).map((running) => running.stop()));

  step('4 memory');
  const windowWireBytes = cold.figures.wireBytes / cold.figures.windows;
  const memory = await runMemoryRows(simulator, windowWireBytes, child);
  rows.push(...memory.rows);
  figures.memory = memory.figures;

  step('5 replicas');
  const replicas = await runReplicas(simulator);
  rows.push(...replicas.rows);
  figures.replicas = replicas.figures;

  step('6 Hive Gateway / Mesh');
  // A row for scale, with no goal of ours: if the other stack fails, the row says so and the rest still runs.
  try {
    const mesh = await runMesh(simulator, median(cold.figures.floorMs));
    rows.push(...mesh.rows);
    figures.mesh = mesh.figures;
  } catch (error) {
    const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
    rows.push({ scenario: 'Hive Gateway + Mesh json-schema', ours: 'failed', baseline: '-', ratio: null, goal: '(row 1)', met: null, note: reason });
    figures.mesh = { failed: reason };
  }

  step('7 timeline');
  const timeline = await runTimeline(await child('gateway', gatewayEnv(simulator.url)), await child('floor'), simulator.url);
  rows.push(timeline.row);
  figures.timeline = timeline.figures;
}

/** Prints the table and writes bench/results/latest.json. */
function report(rows: readonly Row[], figures: Record<string, unknown>, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n\n${rows.length} rows in ${seconds.toFixed(0)} s on ${availableParallelism()} cores, Node ${process.version}\n`);
  writeResults(RESULTS, {
    finishedAt: new Date().toISOString(),
    seconds,
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), node: process.version },
    rows,
    figures,
    table,
  });
  process.stdout.write(`written to ${RESULTS.pathname}\n`);
}

/** Scenario 4, rows 7-8: fresh gateways on the simulator's windows, then on the same data written compactly. */
async function runMemoryRows(
  simulator: Simulator,
  windowWireBytes: number,
  child: (...args: Parameters<typeof startChild>) => Promise<Child>,
): Promise<{ rows: Row[]; figures: Record<string, MemoryFigures> }> {
  const memory = await runMemory(() => child('gateway', gatewayEnv(simulator.url)), {
    name: "the simulator's windows",
    windowWireBytes: () => windowWireBytes,
  });
  const compactUpstream = await startCompactUpstream(simulator.url, DAY_MS);
  try {
    await compactUpstream.prepare(SITE, dayWindows(DAY0, MEMORY_DAYS));
    const compact = await runMemory(() => child('gateway', gatewayEnv(compactUpstream.url)), {
      name: 'compact windows (short ids)',
      windowWireBytes: () => compactUpstream.dayWindowBytes(),
    });
    return { rows: [memory.row, compact.row], figures: { simulator: memory.figures, compact: compact.figures } };
  } finally {
    await compactUpstream.close();
  }
}

await main();
