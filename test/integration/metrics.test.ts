import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const DAY_CALLS = `query DayCalls($from: DateTime!, $to: DateTime!) {
  site(id: "${SITE}") { calls(from: $from, to: $to, first: 3) { totalCount nodes { callId } } }
}`;

/** The value of one sample of a Prometheus text exposition, or 0 when the series is absent. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return 0;
}

async function scrape(stack: Stack): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(`${stack.gatewayUrl}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** Polls the simulator's request log until a request arrives (at most 5 s). */
async function untilUpstreamRequest(stack: Stack): Promise<void> {
  for (let i = 0; i < 100 && stack.simulator.requests.length === 0; i++) await sleep(50);
  assert.ok(stack.simulator.requests.length > 0, 'the upstream request arrived');
}

describe('/metrics', () => {
  let stack: Stack;
  let other: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 4, now: () => TEST_NOW } });
    other = await startStack({ simulator: { callsPerHour: 4, now: () => TEST_NOW } });
  });
  after(async () => {
    await stack.close();
    await other.close();
  });

  it('after a few queries shows non-zero upstream, cache, operation and error metrics', async () => {
    const day = { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) };
    // A cold day (memory misses, one upstream request), then the same day from the memory tier.
    assert.equal((await stack.query(DAY_CALLS, day)).body.errors, undefined);
    assert.equal((await stack.query(DAY_CALLS, day)).body.errors, undefined);
    // One 503, retried: a second upstream status.
    stack.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '0', times: 1 });
    assert.equal((await stack.query(DAY_CALLS, { from: iso(TEST_DAY + DAY_MS), to: iso(TEST_DAY + 2 * DAY_MS) })).body.errors, undefined);
    // Two operations on one cold day at once: the second joins the first's upstream request.
    stack.simulator.clearRequests();
    stack.simulator.injectFault({ kind: 'latency', ms: 1500, times: 1 });
    const cold = { from: iso(TEST_DAY + 2 * DAY_MS), to: iso(TEST_DAY + 3 * DAY_MS) };
    const first = stack.query(DAY_CALLS, cold);
    await untilUpstreamRequest(stack);
    const second = await stack.query(DAY_CALLS, cold);
    assert.equal((await first).body.errors, undefined);
    assert.equal(second.body.errors, undefined);
    assert.equal(stack.simulator.requests.length, 1);
    // Errors by code: a validation error, and an upstream refusal.
    const broken = await stack.query('query Broken { site(id: "1") { nope } }');
    assert.equal(broken.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    stack.simulator.injectFault({ kind: 'status', status: 401, times: 1 });
    const refused = await stack.query(DAY_CALLS, { from: iso(TEST_DAY + 3 * DAY_MS), to: iso(TEST_DAY + 4 * DAY_MS) });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    const { status, contentType, text } = await scrape(stack);
    assert.equal(status, 200);
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const nonZero = (name: string, labels?: Record<string, string>): void =>
      assert.ok(sample(text, name, labels) > 0, `${name} ${JSON.stringify(labels ?? {})} is non-zero in:\n${text}`);
    nonZero('livedeflect_upstream_requests_total', { status: '200' });
    nonZero('livedeflect_upstream_requests_total', { status: '503' });
    nonZero('livedeflect_upstream_requests_total', { status: '401' });
    nonZero('livedeflect_upstream_request_duration_seconds_count', { status: '200' });
    nonZero('livedeflect_upstream_request_duration_seconds_sum', { status: '200' });
    nonZero('livedeflect_cache_lookups_total', { tier: 'memory', result: 'hit' });
    nonZero('livedeflect_cache_lookups_total', { tier: 'memory', result: 'miss' });
    nonZero('livedeflect_cache_lookups_total', { tier: 'inflight', result: 'hit' });
    assert.equal(sample(text, 'graphql_operations_total', { operation: 'DayCalls' }), 6);
    assert.equal(sample(text, 'graphql_operation_duration_seconds_count', { operation: 'DayCalls' }), 6);
    nonZero('graphql_operation_duration_seconds_sum', { operation: 'DayCalls' });
    nonZero('graphql_operations_total', { operation: '(invalid)' });
    nonZero('graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' });
    nonZero('graphql_errors_total', { code: 'UNAUTHENTICATED' });
  });

  it("keeps each gateway's counters apart when several run in one process", async () => {
    await stack.query(DAY_CALLS, { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) });
    const { text } = await scrape(other);
    assert.equal(sample(text, 'graphql_operations_total', { operation: 'DayCalls' }), 0);
    assert.equal(sample(text, 'livedeflect_upstream_requests_total', { status: '200' }), 0);
    assert.match(text, /# TYPE graphql_operations_total counter/);
  });

  it('answers HEAD with headers only and leaves other methods to the GraphQL route', async () => {
    const head = await fetch(`${stack.gatewayUrl}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await fetch(`${stack.gatewayUrl}/metrics`, { method: 'POST' });
    assert.equal(post.status, 404);
  });
});

describe('/healthz and /readyz', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      simulator: { callsPerHour: 2, now: () => TEST_NOW },
      env: { BREAKER_FAILURES: '2', BREAKER_COOLDOWN: '4s', LIVEDEFLECT_RETRIES: '0' },
    });
  });
  after(() => stack.close());

  const probe = async (path: string): Promise<{ status: number; body: { status: string; reason?: string } }> => {
    const response = await fetch(`${stack.gatewayUrl}${path}`);
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };

  it('turns /readyz non-ready while the upstream is down (breaker open) and ready again after, /healthz alive throughout', async () => {
    assert.equal((await probe('/readyz')).status, 200);
    stack.simulator.injectFault({ kind: 'status', status: 500, times: 2 });
    const range = { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) };
    for (let i = 0; i < 2; i++) assert.equal((await stack.query(DAY_CALLS, range)).body.errors?.[0]?.extensions?.code, 'UPSTREAM_ERROR');

    const down = await probe('/readyz');
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'not ready');
    assert.match(down.body.reason ?? '', /circuit breaker open/);
    assert.equal((await probe('/healthz')).status, 200);
    const paused = await stack.query(DAY_CALLS, range);
    assert.equal(paused.body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE');

    // After the cool-down one trial request is let through; /readyz says ready so traffic can return.
    let ready = down;
    for (let i = 0; i < 100 && ready.status !== 200; i++) {
      await sleep(100);
      ready = await probe('/readyz');
    }
    assert.equal(ready.status, 200);
    const recovered = await stack.query(DAY_CALLS, range);
    assert.equal(recovered.body.errors, undefined);
    assert.equal(stack.gateway.client.breakerState, 'closed');
    assert.deepEqual((await probe('/readyz')).body, { status: 'ready' });
  });
});
