/**
 * `npm run loadtest`: the gateway as `npm start` runs it (its own process, production mode), under
 * autocannon on loopback, with the simulator upstream failing 10% of requests with a 503. Prints the
 * figures and exits 1 when the gateway answered any 5xx, an error code other than the upstream ones the
 * faults explain, a body that is not a GraphQL response, or when its RSS grew by more than the limit.
 *
 *   npm run loadtest -- --connections 50 --duration 20
 *   npm run loadtest -- --live      (subscriptions: see liveLoad.ts; --duration defaults to 30 there)
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { generateWindow, MAX_CALL_DURATION_MS, startSimulator } from '../src/simulator/index.js';
import { spawnMain, within } from '../test/helpers/mainProcess.js';
import { runLiveLoadtest } from './liveLoad.js';

const { values: args } = parseArgs({
  options: {
    live: { type: 'boolean', default: false },
    connections: { type: 'string' },
    duration: { type: 'string' },
    'subscriptions-per-connection': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    'fault-rate': { type: 'string', default: '0.1' },
    'max-rss-growth-mb': { type: 'string' },
  },
});
const CONNECTIONS = Number(args.connections ?? (args.live ? 100 : 50));
const DURATION_S = Number(args.duration ?? (args.live ? 30 : 20));
const WARMUP_S = Number(args.warmup);
const FAULT_RATE = Number(args['fault-rate']);
// Under --live the gateway sends ~2,000 messages a second, and the heap V8 grows to for that stays allocated:
// measured 104 MB after 30 s and 70 MB after 60 s, so the bound is wider there; a leak grows with the duration.
const MAX_RSS_GROWTH_BYTES = Number(args['max-rss-growth-mb'] ?? (args.live ? 150 : 100)) * 1024 * 1024;
const SETTLE_MS = 2_000;

const SITE = '25508804';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DAYS = 7;
const FIRST_DAY = Date.UTC(2026, 0, 5);
const NOW = FIRST_DAY + DAYS * DAY_MS + MAX_CALL_DURATION_MS;
const CALLS_PER_HOUR = 20;
/** What the injected 503s can explain: retries ran out, or the breaker opened. */
const EXPECTED_CODES = new Set(['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE']);

const iso = (time: number) => new Date(time).toISOString();
const CALL_FIELDS = 'id callId beginTime skill stage conversationId customerPhone { e164 } callerInfo lastEventTime events { type info time }';

/** The operations every connection sends in turn: pages of days, a dashboard of ranges, single calls. */
function operations(): string[] {
  const days = Array.from({ length: DAYS }, (_, day) => FIRST_DAY + day * DAY_MS);
  const pages = days.map(
    (day) => `{ site(id: "${SITE}") { calls(from: "${iso(day)}", to: "${iso(day + DAY_MS)}", first: 100) {
      totalCount pageInfo { hasNextPage endCursor } nodes { ${CALL_FIELDS} } } } }`,
  );
  const dashboard = `query Dashboard { site(id: "${SITE}") {
    ${[0, 6, 12, 18].map((hour) => `h${hour}: calls(from: "${iso(FIRST_DAY + hour * HOUR_MS)}", to: "${iso(FIRST_DAY + (hour + 6) * HOUR_MS)}", first: 20) { totalCount nodes { callId stage } }`).join('\n')}
    week: calls(from: "${iso(FIRST_DAY)}", to: "${iso(FIRST_DAY + DAYS * DAY_MS)}", first: 0) { totalCount }
    events(from: "${iso(FIRST_DAY + DAY_MS)}", to: "${iso(FIRST_DAY + 2 * DAY_MS)}", first: 50) { totalCount nodes { type time call { callId } } } } }`;
  // Query.call needs ids as the API makes them: one encodes site, begin time and callId.
  const wire = generateWindow({ seed: 'livedeflect', siteId: SITE, startTime: FIRST_DAY + 3 * DAY_MS, endTime: FIRST_DAY + 3 * DAY_MS + HOUR_MS, now: NOW, callsPerHour: CALLS_PER_HOUR });
  const calls = Object.entries(wire)
    .slice(0, 10)
    .map(([callId, events], i) => `c${i}: call(id: "${Buffer.from(`Call:${SITE}:${events[0]!.beginTimeStamp}:${callId}`).toString('base64url')}") { ${CALL_FIELDS} }`);
  return [...pages, dashboard, `{ ${calls.join('\n')} }`];
}

interface Tally {
  readonly codes: Map<string, number>;
  malformed: number;
  withData: number;
  retries: number;
}

/** Reads each answer as a client would: JSON, data or errors, and what the errors' codes were. */
function tallyResponse(tally: Tally, body: string): void {
  let parsed: { data?: unknown; errors?: { extensions?: { code?: unknown } }[]; extensions?: { livedeflect?: { retries?: number } } };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    tally.malformed++;
    return;
  }
  if (parsed.data) tally.withData++;
  tally.retries += parsed.extensions?.livedeflect?.retries ?? 0;
  for (const error of parsed.errors ?? []) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : '(no code)';
    tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
  }
}

async function run(url: string, durationS: number, tally: Tally): Promise<autocannon.Result> {
  const headers = { 'content-type': 'application/json' };
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: durationS,
    requests: operations().map((query) => ({
      method: 'POST',
      path: '/graphql',
      headers,
      body: JSON.stringify({ query }),
      onResponse: (_status: number, body: string) => tallyResponse(tally, body),
    })),
  });
}

/** Linux keeps it in /proc; elsewhere the RSS check is skipped and says so. */
function rssOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const mb = (bytes: number | null) => (bytes === null ? 'unknown' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const emptyTally = (): Tally => ({ codes: new Map(), malformed: 0, withData: 0, retries: 0 });

async function main(): Promise<number> {
  const simulator = await startSimulator({ callsPerHour: CALLS_PER_HOUR, now: () => NOW, precompute: true });
  simulator.injectFault({ kind: 'status', status: 503, probability: FAULT_RATE });
  const gateway = spawnMain({
    LIVEDEFLECT_URL: simulator.url,
    LIVEDEFLECT_AUTHORIZATION: 'Bearer loadtest',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    GRAPHIQL: 'false',
    // Short TTLs keep the upstream (and its 503s) in play for the whole run instead of only the first seconds.
    CACHE_SETTLED_TTL: '2s',
    CACHE_RECENT_TTL: '2s',
  });
  try {
    const url = (await within(gateway.graphqlUrl, 30_000, 'the gateway to start')).replace(/\/graphql$/, '');
    const pid = gateway.child.pid!;
    process.stdout.write(`warm-up: ${WARMUP_S}s, ${CONNECTIONS} connections\n`);
    await run(url, WARMUP_S, emptyTally());
    simulator.clearRequests();
    const rssBefore = rssOf(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      const rss = rssOf(pid);
      if (rss !== null && (rssPeak === null || rss > rssPeak)) rssPeak = rss;
    }, 250);
    process.stdout.write(`load: ${DURATION_S}s, ${CONNECTIONS} connections, ${FAULT_RATE * 100}% upstream 503s\n`);
    const tally = emptyTally();
    const result = await run(url, DURATION_S, tally).finally(() => clearInterval(sampler));
    // What stays once the load is over is what a leak would leave; the peak also holds garbage not yet collected.
    await sleep(SETTLE_MS);
    const rssAfter = rssOf(pid);

    const statuses = Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [Number(status), count ?? 0] as const);
    const upstream = simulator.requests;
    const upstream503 = upstream.filter((request) => request.status === 503).length;
    const logLines = gateway.lines.length;
    const warnings = gateway.lines.filter((line) => line.includes('"level":40')).length;
    const errorLines = gateway.lines.filter((line) => /"level":(50|60)/.test(line)).length;
    const rssGrowth = rssBefore !== null && rssAfter !== null ? rssAfter - rssBefore : null;

    const figures: [string, string][] = [
      ['requests', `${result.requests.total} in ${result.duration.toFixed(1)} s (${result.requests.average.toFixed(0)}/s)`],
      ['latency', `p50 ${result.latency.p50} ms, p97.5 ${result.latency.p97_5} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`],
      ['HTTP statuses', statuses.map(([status, count]) => `${status}: ${count}`).join(', ')],
      ['connection errors, timeouts', `${result.errors}, ${result.timeouts}`],
      ['answers with data', String(tally.withData)],
      ['error codes', [...tally.codes].map(([code, count]) => `${code}: ${count}`).join(', ') || 'none'],
      ['bodies that are not JSON', String(tally.malformed)],
      ['upstream requests', `${upstream.length}, of which 503: ${upstream503} (${((100 * upstream503) / Math.max(1, upstream.length)).toFixed(1)}%)`],
      ['retries the gateway made', String(tally.retries)],
      ['gateway log lines', `${logLines} (warnings ${warnings}, errors ${errorLines})`],
      ['gateway RSS', `${mb(rssBefore)} after warm-up, peak ${mb(rssPeak)} under load, ${mb(rssAfter)} ${SETTLE_MS / 1000} s after; growth ${mb(rssGrowth)}`],
    ];
    const width = Math.max(...figures.map(([name]) => name.length));
    process.stdout.write(`\n${figures.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n\n`);

    const failures = [
      ...statuses.filter(([status, count]) => status >= 500 && count > 0).map(([status, count]) => `${count} answers with HTTP ${status}`),
      ...[...tally.codes].filter(([code]) => !EXPECTED_CODES.has(code)).map(([code, count]) => `${count} errors with unexpected code ${code}`),
      ...(tally.malformed > 0 ? [`${tally.malformed} answers that are not JSON`] : []),
      ...(result.errors > 0 ? [`${result.errors} connection errors`] : []),
      ...(rssGrowth !== null && rssGrowth > MAX_RSS_GROWTH_BYTES ? [`RSS grew by ${mb(rssGrowth)}, over ${mb(MAX_RSS_GROWTH_BYTES)}`] : []),
      ...(upstream503 === 0 ? ['no 503 reached the gateway: the fault injection did not apply'] : []),
    ];
    gateway.child.kill('SIGTERM');
    const exitCode = await within(gateway.exited, 30_000, 'the gateway to stop');
    if (exitCode !== 0) failures.push(`the gateway exited ${exitCode} on SIGTERM`);
    if (rssGrowth === null) process.stdout.write('RSS not measured: /proc is not available on this platform\n');
    process.stdout.write(failures.length === 0 ? 'PASS\n' : `FAIL\n${failures.map((failure) => `  - ${failure}`).join('\n')}\n`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
    await simulator.close();
  }
}

process.exitCode = args.live
  ? await runLiveLoadtest({
      connections: CONNECTIONS,
      subscriptionsPerConnection: Number(args['subscriptions-per-connection']),
      durationS: DURATION_S,
      maxRssGrowthBytes: MAX_RSS_GROWTH_BYTES,
    })
  : await main();
