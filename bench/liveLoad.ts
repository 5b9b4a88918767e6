/**
 * `npm run loadtest -- --live`: the gateway as `npm start` runs it (its own process, production mode)
 * with 1,000 subscribers of Subscription.callUpdates over 100 graphql-ws connections, against a simulator
 * whose clock runs ten times as fast, so calls arrive and change all the time. Reports RSS growth, the
 * delivery latency from poll to receipt (`at` to the client's clock), upstream requests per interval, and
 * lost updates: at the end every subscriber must know each call that changed in the state the simulator
 * shows. Exits 1 on any lost update, error, or RSS growth over the limit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator } from '../src/simulator/index.js';
import { liveClient, record, simulatedClock, until, type Recorded } from '../test/helpers/liveClient.js';
import { callStates, type CallState } from '../test/helpers/liveExpectations.js';
import { spawnMain, within } from '../test/helpers/mainProcess.js';
import { rssOf, watchRss } from './rss.js';

export interface LiveLoadOptions {
  readonly connections: number;
  readonly subscriptionsPerConnection: number;
  readonly durationS: number;
  readonly maxRssGrowthBytes: number;
}

const SITE = '25508804';
const CALLS_PER_HOUR = 300;
/** Simulated time runs this many times faster than the wall clock. */
const SPEED = 10;
const TICK_MS = 100;
const POLL_INTERVAL_MS = 1_000;
const MINUTE = 60_000;
const SUBSCRIPTION = `subscription($site: ID!) { callUpdates(siteId: $site) { kind at call { callId events { time } } } }`;

const mb = (bytes: number | null) => (bytes === null ? 'unknown' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

interface Received {
  readonly callId: string;
  readonly events: number;
  readonly latencyMs: number;
}

function receivedOf(recorded: Recorded, arrivals: number[]): { updates: Received[]; errors: number } {
  let errors = 0;
  const updates: Received[] = [];
  recorded.results.forEach((result, index) => {
    if (result.errors) {
      errors++;
      return;
    }
    const update = (result.data as { callUpdates: { at: string; call: { callId: string; events: unknown[] } } }).callUpdates;
    updates.push({ callId: update.call.callId, events: update.call.events.length, latencyMs: (arrivals[index] ?? NaN) - Date.parse(update.at) });
  });
  return { updates, errors };
}

export async function runLiveLoadtest(options: LiveLoadOptions): Promise<number> {
  const clock = simulatedClock();
  const simulator = await startSimulator({ callsPerHour: CALLS_PER_HOUR, now: clock.now });
  const gateway = spawnMain({
    LIVEDEFLECT_URL: simulator.url,
    LIVEDEFLECT_AUTHORIZATION: 'Bearer loadtest',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    GRAPHIQL: 'false',
    LIVE_POLL_INTERVAL: `${POLL_INTERVAL_MS}ms`,
    MAX_SUBSCRIPTIONS_PER_CONNECTION: String(options.subscriptionsPerConnection),
  });
  const clients: ReturnType<typeof liveClient>[] = [];
  try {
    const url = (await within(gateway.graphqlUrl, 30_000, 'the gateway to start')).replace(/\/graphql$/, '');
    const pid = gateway.child.pid!;
    const subscriptions: { recorded: Recorded; arrivals: number[] }[] = [];
    for (let c = 0; c < options.connections; c++) {
      const client = liveClient(url);
      clients.push(client);
      for (let s = 0; s < options.subscriptionsPerConnection; s++) {
        const recorded = record(client, SUBSCRIPTION, { site: SITE });
        const arrivals: number[] = [];
        // Arrival times, taken as each result is pushed: the recorder's array grows in the same order.
        const push = recorded.results.push.bind(recorded.results);
        recorded.results.push = (...items) => {
          for (let i = 0; i < items.length; i++) arrivals.push(Date.now());
          return push(...items);
        };
        subscriptions.push({ recorded, arrivals });
      }
    }
    const total = subscriptions.length;
    // The baseline is read once the first subscriber is in; the clock stands still until every subscriber is.
    await until(() => simulator.requests.length >= 2, 'the first polls', 30_000);
    await sleep(2 * POLL_INTERVAL_MS);
    const baseline = callStates(SITE, CALLS_PER_HOUR, clock.now(), clock.start - 60 * MINUTE, clock.now() + 1);
    simulator.clearRequests();
    const rss = watchRss(pid);
    process.stdout.write(
      `live load: ${total} subscribers over ${options.connections} connections, ${options.durationS}s, simulator clock x${SPEED}\n`,
    );
    const started = Date.now();
    const ticker = setInterval(() => {
      clock.advance(TICK_MS * SPEED);
    }, TICK_MS);
    await sleep(options.durationS * 1000);
    clearInterval(ticker);
    rss.stop();
    const elapsedMs = Date.now() - started;
    // Clock stopped: two more polls read the final state and every update has time to arrive.
    await sleep(3 * POLL_INTERVAL_MS);
    const final = callStates(SITE, CALLS_PER_HOUR, clock.now(), clock.start - 60 * MINUTE, clock.now() + 1);
    const rssAfter = rssOf(pid);

    const changed = [...final.values()].filter((state) => baseline.get(state.callId)?.events !== state.events);
    let lost = 0;
    let errors = 0;
    let delivered = 0;
    const latencies: number[] = [];
    for (const { recorded, arrivals } of subscriptions) {
      const received = receivedOf(recorded, arrivals);
      errors += received.errors;
      delivered += received.updates.length;
      for (const update of received.updates) latencies.push(update.latencyMs);
      const latest = new Map<string, number>();
      for (const update of received.updates) latest.set(update.callId, Math.max(latest.get(update.callId) ?? 0, update.events));
      lost += changed.filter((state: CallState) => latest.get(state.callId) !== state.events).length;
      if (recorded.completed || recorded.error !== undefined) errors++;
    }
    latencies.sort((a, b) => a - b);
    const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
    const upstream = simulator.requests.length;
    const rssGrowth = rss.before !== null && rssAfter !== null ? rssAfter - rss.before : null;
    const figures: [string, string][] = [
      ['subscribers', `${total} over ${options.connections} connections`],
      ['calls that changed', `${changed.length} (simulated ${((clock.now() - clock.start) / MINUTE).toFixed(1)} min)`],
      ['updates delivered', `${delivered} (${(delivered / (elapsedMs / 1000)).toFixed(0)}/s)`],
      ['lost updates', `${lost} (subscriber x call whose final state never arrived)`],
      ['errors', String(errors)],
      [
        'delivery latency poll -> receipt',
        `p50 ${percentile(50).toFixed(0)} ms, p99 ${percentile(99).toFixed(0)} ms, max ${percentile(100).toFixed(0)} ms`,
      ],
      ['upstream requests', `${upstream} in ${((elapsedMs + 3 * POLL_INTERVAL_MS) / 1000).toFixed(1)} s (interval ${POLL_INTERVAL_MS} ms)`],
      ['gateway RSS', `${mb(rss.before)} with every subscriber in, peak ${mb(rss.peak())}, ${mb(rssAfter)} at the end; growth ${mb(rssGrowth)}`],
    ];
    const width = Math.max(...figures.map(([name]) => name.length));
    process.stdout.write(`\n${figures.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n\n`);
    const failures = [
      ...(lost > 0 ? [`${lost} lost updates`] : []),
      ...(errors > 0 ? [`${errors} errors`] : []),
      ...(changed.length === 0 ? ['no call changed: the simulator clock did not move'] : []),
      ...(rssGrowth !== null && rssGrowth > options.maxRssGrowthBytes ? [`RSS grew by ${mb(rssGrowth)}, over ${mb(options.maxRssGrowthBytes)}`] : []),
    ];
    for (const client of clients.splice(0)) await client.dispose();
    gateway.child.kill('SIGTERM');
    const exitCode = await within(gateway.exited, 30_000, 'the gateway to stop');
    if (exitCode !== 0) failures.push(`the gateway exited ${exitCode} on SIGTERM`);
    process.stdout.write(failures.length === 0 ? 'PASS\n' : `FAIL\n${failures.map((failure) => `  - ${failure}`).join('\n')}\n`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    for (const client of clients) await client.dispose();
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
    await simulator.close();
  }
}
