import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { bucketsForRange, windowsForBuckets } from '../../src/model/buckets.js';
import { startTracing } from '../../src/tracing/startTracing.js';
import type { Telemetry } from '../../src/tracing/telemetry.js';
import { readTracingConfig } from '../../src/tracing/tracingConfig.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { captureLog } from '../helpers/logCapture.js';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const FROM = TEST_DAY;
const TO = TEST_DAY + 2 * DAY_MS;
const QUERY = `query TwoDays { site(id: "${SITE}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}", first: 5) {
  totalCount nodes { callId customerPhone { number e164 } dialedPhone { number } callerInfoRaw } } } }`;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A caller (a router) with its own span: the traceparent it sends. */
function caller(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function tracingFor(exporter: InMemorySpanExporter): Promise<Telemetry> {
  const config = readTracingConfig({ OTEL_TRACES_EXPORTER: 'console', OTEL_BSP_SCHEDULE_DELAY: '10' }, (message) => new Error(message));
  return startTracing(config!, { exporter });
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;

describe('OpenTelemetry traces, exported in memory', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let stack: Stack;
  let log: ReturnType<typeof captureLog>;
  /** Every span of every test: none may carry a credential or call data. */
  const allSpans: ReadableSpan[] = [];
  /** Phone numbers and callerInfo the answers held. */
  const personalData = new Set<string>();

  const spansOf = async (traceId: string): Promise<ReadableSpan[]> => {
    await telemetry.flush();
    allSpans.push(...exporter.getFinishedSpans());
    exporter.reset();
    return allSpans.filter((span) => span.spanContext().traceId === traceId);
  };
  const query = async (traceparent?: string) => {
    const answer = await stack.query(QUERY, undefined, traceparent ? { traceparent } : {});
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const nodes = (
      answer.body.data as {
        site: {
          calls: {
            nodes: {
              customerPhone: { number: string; e164: string | null } | null;
              dialedPhone: { number: string } | null;
              callerInfoRaw: string | null;
            }[];
          };
        };
      }
    ).site.calls.nodes;
    for (const node of nodes) {
      for (const value of [node.customerPhone?.number, node.customerPhone?.e164, node.dialedPhone?.number, node.callerInfoRaw]) {
        if (value && value.length >= 6) personalData.add(value);
      }
    }
    return answer;
  };

  before(async () => {
    telemetry = await tracingFor(exporter);
    log = captureLog('info', telemetry.logFields);
    stack = await startStack({ telemetry, logger: log.logger, simulator: { callsPerHour: 3, now: () => TEST_NOW } });
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
    stack.simulator.clearFaults();
  });
  after(async () => {
    await stack?.close();
    await telemetry?.shutdown();
  });

  it("continues the caller's trace: server span, operation span, a span per upstream window and a CLIENT span per attempt whose traceparent LiveDeflect got", async () => {
    const { traceId, spanId, traceparent } = caller();
    await query(traceparent);

    const spans = await spansOf(traceId);
    const server = spans.filter((span) => span.kind === SpanKind.SERVER);
    assert.deepEqual(
      server.map((span) => [span.name, parentOf(span), span.attributes['http.route'], span.attributes['http.response.status_code']]),
      [['POST /graphql', spanId, '/graphql', 200]],
    );
    const operations = spans.filter((span) => span.name === 'query TwoDays');
    assert.equal(operations.length, 1);
    const [operation] = operations;
    assert.equal(parentOf(operation!), idOf(server[0]!));
    assert.deepEqual(
      [operation!.attributes['graphql.operation.type'], operation!.attributes['graphql.operation.name'], operation!.attributes['graphql.document']],
      ['query', 'TwoDays', undefined],
    );
    assert.equal(operation!.attributes['livedeflect.upstream_requests'], 2);

    const { bucketSizeMs, maxWindowMs } = stack.config;
    const expected = windowsForBuckets(bucketsForRange(FROM, TO, bucketSizeMs), bucketSizeMs, maxWindowMs);
    const windows = spans
      .filter((span) => span.name === 'livedeflect.window')
      .sort((a, b) => String(a.attributes['livedeflect.window.start']).localeCompare(String(b.attributes['livedeflect.window.start'])));
    assert.deepEqual(
      windows.map((span) => [
        parentOf(span),
        span.attributes['livedeflect.site_id'],
        span.attributes['livedeflect.window.start'],
        span.attributes['livedeflect.window.end'],
        span.attributes['livedeflect.attempts'],
      ]),
      expected.map((window) => [idOf(operation!), SITE, iso(window.startTime), iso(window.endTime), 1]),
    );
    for (const window of windows) {
      assert.ok((window.attributes['livedeflect.calls'] as number) > 0 && (window.attributes['livedeflect.body_bytes'] as number) > 0);
      assert.equal(typeof window.attributes['livedeflect.decode_wait_ms'], 'number');
    }
    const attempts = spans.filter((span) => span.kind === SpanKind.CLIENT);
    assert.deepEqual(attempts.map(parentOf).sort(), windows.map(idOf).sort());
    for (const attempt of attempts)
      assert.deepEqual(
        [attempt.name, attempt.attributes['http.request.method'], attempt.attributes['http.response.status_code']],
        ['POST', 'POST', 200],
      );
    assert.deepEqual(
      stack.simulator.requests.map((request) => request.traceparent).sort(),
      attempts.map((attempt) => `00-${traceId}-${idOf(attempt)}-01`).sort(),
    );
  });

  it('records cache lookups on the operation span: misses when cold, hits when warm and no upstream spans', async () => {
    const cold = caller();
    await query(cold.traceparent);
    const warm = caller();
    await query(warm.traceparent);

    const lookups = async (traceId: string) => {
      const spans = await spansOf(traceId);
      const operation = spans.find((span) => span.name === 'query TwoDays')!;
      return {
        events: operation.events.filter((event) => event.name === 'livedeflect.cache.lookup').map((event) => event.attributes),
        windows: spans.filter((span) => span.name === 'livedeflect.window').length,
      };
    };
    const buckets = bucketsForRange(FROM, TO, stack.config.bucketSizeMs).length;
    const tier = { 'livedeflect.site_id': SITE, 'livedeflect.cache.tier': 'memory', 'livedeflect.cache.shared': 0 };
    assert.deepEqual(await lookups(cold.traceId), {
      events: [{ ...tier, 'livedeflect.cache.hits': 0, 'livedeflect.cache.misses': buckets }],
      windows: 2,
    });
    assert.deepEqual(await lookups(warm.traceId), {
      events: [{ ...tier, 'livedeflect.cache.hits': buckets, 'livedeflect.cache.misses': 0 }],
      windows: 0,
    });
  });

  it('shows a retry: the failed attempt with its status, a retry event on the window, and the attempt that succeeded', async () => {
    stack.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '0', times: 1 });
    const { traceId } = caller();
    await query(`00-${traceId}-${hex(8)}-01`);

    const spans = await spansOf(traceId);
    const retried = spans.filter((span) => span.name === 'livedeflect.window' && span.attributes['livedeflect.attempts'] === 2);
    assert.equal(retried.length, 1);
    assert.deepEqual(
      retried[0]!.events.map((event) => [event.name, event.attributes?.['http.response.status_code'], event.attributes?.['error.type']]),
      [['livedeflect.retry', 503, 'UPSTREAM_ERROR']],
    );
    const attempts = spans
      .filter((span) => parentOf(span) === idOf(retried[0]!))
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    assert.deepEqual(
      attempts.map((span) => [span.attributes['http.response.status_code'], span.attributes['http.request.resend_count'], span.status.code]),
      [
        [503, undefined, SpanStatusCode.ERROR],
        [200, 1, SpanStatusCode.UNSET],
      ],
    );
  });

  it('starts a new trace for a request without traceparent', async () => {
    await stack.query('{ __typename }');
    await telemetry.flush();
    const server = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    assert.equal(server.length, 1);
    assert.equal(parentOf(server[0]!), undefined);
  });

  it('writes trace_id and span_id on log lines written while a span is active', async () => {
    const { traceId, traceparent } = caller();
    await query(traceparent);
    const ids = new Set((await spansOf(traceId)).map(idOf));

    const line = log.records().find((record) => record.msg === 'graphql operation' && record.trace_id === traceId);
    assert.ok(line, 'the operation line carries the trace id');
    assert.ok(ids.has(line.span_id as string), 'and the id of a span of that trace');
  });

  it('puts no credential, phone number or callerInfo in any span attribute or event', () => {
    assert.ok(allSpans.length > 10 && personalData.size > 0);
    const text = JSON.stringify(
      allSpans.map((span) => [span.name, span.attributes, span.events.map((event) => [event.name, event.attributes]), span.status]),
    );
    assert.ok(!text.includes(TEST_TOKEN) && !text.includes('Bearer'), 'no credential');
    for (const value of personalData) assert.ok(!text.includes(value), 'no call data');
  });
});

describe('OpenTelemetry traces of a circuit breaker refusal', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let stack: Stack;
  before(async () => {
    telemetry = await tracingFor(exporter);
    stack = await startStack({
      telemetry,
      env: { BREAKER_FAILURES: '1', LIVEDEFLECT_RETRIES: '0' },
      simulator: { callsPerHour: 3, now: () => TEST_NOW },
    });
  });
  after(async () => {
    await stack?.close();
    await telemetry?.shutdown();
  });

  it('marks the window span of a refused request with the refusal and UPSTREAM_UNAVAILABLE', async () => {
    const range = `from: "${iso(FROM)}", to: "${iso(FROM + HOUR_MS)}"`;
    stack.simulator.injectFault({ kind: 'status', status: 500, times: 1 });
    await stack.query(`{ site(id: "${SITE}") { calls(${range}) { totalCount } } }`);
    const { traceId, traceparent } = caller();
    const refused = await stack.query(`{ site(id: "${SITE}") { calls(${range}) { totalCount } } }`, undefined, { traceparent });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE');

    await telemetry.flush();
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const windows = spans.filter((span) => span.name === 'livedeflect.window');
    assert.deepEqual(
      windows.map((span) => [span.events.map((event) => event.name), span.attributes['error.type'], span.status.code]),
      [[['livedeflect.breaker.refused'], 'UPSTREAM_UNAVAILABLE', SpanStatusCode.ERROR]],
    );
    assert.equal(spans.filter((span) => span.kind === SpanKind.CLIENT).length, 0, 'no attempt was made');
    assert.equal(spans.find((span) => span.name.startsWith('query'))?.status.code, SpanStatusCode.ERROR);
  });
});

describe('OpenTelemetry traces of the Redis tier', { skip: skipWithoutRedis() }, () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let redis: RedisServer;
  let stack: Stack;
  before(async () => {
    telemetry = await tracingFor(exporter);
    redis = await startRedisServer();
    stack = await startStack({
      telemetry,
      env: { REDIS_URL: redis.url, CACHE_KEY_SECRET: 'tracing-test' },
      simulator: { callsPerHour: 3, now: () => TEST_NOW },
    });
  });
  after(async () => {
    await stack?.close();
    await redis?.kill();
    await telemetry?.shutdown();
  });

  it('puts each Redis round trip under the operation span, and the Redis lookup as an event: misses cold, hits once memory is cleared', async () => {
    const redisOf = async (traceparent: string, traceId: string) => {
      const answer = await stack.query(QUERY, undefined, { traceparent });
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
      await telemetry.flush();
      const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const operation = spans.find((span) => span.name === 'query TwoDays')!;
      return {
        commands: spans
          .filter((span) => span.attributes['db.system.name'] === 'redis')
          .map((span) => {
            assert.equal(parentOf(span), idOf(operation));
            assert.equal(span.kind, SpanKind.CLIENT);
            return span.name;
          })
          .sort(),
        lookups: operation.events
          .filter((event) => event.attributes?.['livedeflect.cache.tier'] === 'redis')
          .map((event) => [event.attributes?.['livedeflect.cache.hits'], event.attributes?.['livedeflect.cache.misses']]),
      };
    };
    const buckets = bucketsForRange(FROM, TO, stack.config.bucketSizeMs).length;
    const cold = caller();
    // Read (a group of keys a pipeline), lease the misses, store each window's packs, release each window's leases.
    const coldTrace = await redisOf(cold.traceparent, cold.traceId);
    assert.deepEqual(coldTrace.lookups, [[0, buckets]]);
    assert.ok(coldTrace.commands.includes('MGET'));
    assert.deepEqual(
      coldTrace.commands.filter((name) => name !== 'MGET'),
      ['EVAL', 'EVAL', 'EVAL', 'SET', 'SET'],
    );
    stack.gateway.memory.clear();
    const warm = caller();
    const warmTrace = await redisOf(warm.traceparent, warm.traceId);
    assert.deepEqual(warmTrace.lookups, [[buckets, 0]]);
    assert.deepEqual(new Set(warmTrace.commands), new Set(['MGET']));
  });
});
