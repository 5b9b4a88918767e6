import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, iso, TEST_DAY } from '../helpers/day.js';
import { captureLog, type CapturedLog } from '../helpers/logCapture.js';
import { normalAnswer, startHostileStack, type HostileAnswer, type HostileRequest, type HostileStack } from '../helpers/hostileUpstream.js';
import type { GraphQLAnswer } from '../helpers/stack.js';

/**
 * One test per kind of upstream fault, each through the gateway: the code the failing field gets, the
 * data the rest of the answer keeps, and how many times the window was asked for. Retries wait the
 * client's real backoff, so LIVEDEFLECT_RETRIES is kept small: no test waits more than about a second.
 */

const GOOD_SITE = '11111111';
const FAULTY_SITE = '22222222';
const RETRIES = 2;

const TWO_SITES = `query($from: DateTime!, $to: DateTime!) {
  good: site(id: "${GOOD_SITE}") { calls(from: $from, to: $to, first: 1) { totalCount } }
  faulty: site(id: "${FAULTY_SITE}") { calls(from: $from, to: $to, first: 1) { totalCount } } }`;
const DAY = { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) };

interface Run {
  readonly answer: GraphQLAnswer;
  /** Requests the faulty site's window cost: the first attempt and its retries. */
  readonly attempts: number;
  readonly retries: number;
  readonly stack: HostileStack;
  readonly log: CapturedLog;
}

interface Outcome extends Run {
  readonly error: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };
}

/** Runs the two-site query with the faulty site's windows answered by `fault` (given the attempt number, from 0). */
async function run(fault: (request: HostileRequest, attempt: number) => HostileAnswer, env: Record<string, string> = {}): Promise<Run> {
  const log = captureLog('info');
  let attempt = 0;
  const stack = await startHostileStack((request) => (request.siteId === GOOD_SITE ? normalAnswer(request) : fault(request, attempt++)), {
    logger: log.logger,
    // Decoded on the main thread unless a test needs a decode thread: starting threads is most of a stack's start.
    env: { LIVEDEFLECT_RETRIES: String(RETRIES), LOG_LEVEL: 'info', DECODE_WORKERS: '0', ...env },
  });
  try {
    const answer = await stack.query(TWO_SITES, DAY);
    assert.equal(answer.status, 200);
    assert.equal((answer.body.data?.good as { calls: { totalCount: number } }).calls.totalCount, 48, 'the good site keeps its data');
    const attempts = stack.upstream.requests.filter((request) => request.siteId === FAULTY_SITE).length;
    const retries = (answer.body.extensions?.livedeflect as { retries: number }).retries;
    return { answer, attempts, retries, stack, log };
  } finally {
    await stack.close();
  }
}

/** run(), for a fault the faulty site's field fails on: null, with one error at its path. */
async function withFault(fault: (request: HostileRequest, attempt: number) => HostileAnswer, env: Record<string, string> = {}): Promise<Outcome> {
  const outcome = await run(fault, env);
  const { answer } = outcome;
  assert.deepEqual(answer.body.data?.faulty, { calls: null });
  assert.equal(answer.body.errors?.length, 1, JSON.stringify(answer.body.errors));
  const error = answer.body.errors[0]!;
  assert.deepEqual(error.path, ['faulty', 'calls']);
  return { ...outcome, error };
}

const status = (code: number, headers: Record<string, string> = {}): HostileAnswer => ({
  kind: 'answer',
  status: code,
  headers,
  body: '{"error":"no"}',
});

describe('upstream faults, one kind at a time', () => {
  it('401: UNAUTHENTICATED, not retried', async () => {
    const { error, attempts, retries } = await withFault(() => status(401));
    assert.equal(error.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(error.extensions?.upstreamStatus, 401);
    assert.deepEqual([attempts, retries], [1, 0]);
  });

  it('403: FORBIDDEN, not retried', async () => {
    const { error, attempts, retries } = await withFault(() => status(403));
    assert.equal(error.extensions?.code, 'FORBIDDEN');
    assert.deepEqual([attempts, retries], [1, 0]);
  });

  it('429 without Retry-After: retried with backoff, then UPSTREAM_ERROR saying it is rate limited', async () => {
    const { error, attempts, retries } = await withFault(() => status(429));
    assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
    assert.equal(error.extensions?.upstreamStatus, 429);
    assert.match(error.message, /rate limiting/);
    assert.deepEqual([attempts, retries], [1 + RETRIES, RETRIES]);
  });

  it('429 with Retry-After: 1, once: waited out, and the retry is served', async () => {
    const { answer, attempts } = await run((request, attempt) => (attempt === 0 ? status(429, { 'retry-after': '1' }) : normalAnswer(request)), {
      LIVEDEFLECT_RETRIES: '1',
    });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const cost = answer.body.extensions?.livedeflect as { retries: number; retryWaitMs: number };
    assert.deepEqual([attempts, cost.retries, cost.retryWaitMs], [2, 1, 1000]);
  });

  it('429 with a Retry-After over LIVEDEFLECT_RETRY_AFTER_MAX: UPSTREAM_UNAVAILABLE at once, with the delay asked for', async () => {
    const { error, attempts, retries } = await withFault(() => status(429, { 'retry-after': '1000000000' }));
    assert.equal(error.extensions?.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(error.extensions?.retryAfterMs, 1_000_000_000_000);
    assert.deepEqual([attempts, retries], [1, 0]);
  });

  it('500: UPSTREAM_ERROR with the status, not retried', async () => {
    const { error, attempts, retries } = await withFault(() => status(500));
    assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
    assert.equal(error.extensions?.upstreamStatus, 500);
    assert.deepEqual([attempts, retries], [1, 0]);
  });

  for (const code of [502, 503, 504]) {
    it(`${code}: retried, then UPSTREAM_ERROR with the status`, async () => {
      const { error, attempts, retries } = await withFault(() => status(code));
      assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
      assert.equal(error.extensions?.upstreamStatus, code);
      assert.deepEqual([attempts, retries], [1 + RETRIES, RETRIES]);
    });
  }

  it('no answer within LIVEDEFLECT_TIMEOUT: UPSTREAM_TIMEOUT, not retried', async () => {
    const { error, attempts, retries } = await withFault(() => ({ kind: 'hang' }), { LIVEDEFLECT_TIMEOUT: '1s' });
    assert.equal(error.extensions?.code, 'UPSTREAM_TIMEOUT');
    assert.deepEqual([attempts, retries], [1, 0]);
  });

  it('a body over LIVEDEFLECT_MAX_BODY: UPSTREAM_ERROR saying it is too large, not retried, and the breaker does not move', async () => {
    const { error, attempts, retries, stack } = await withFault(
      () => ({ kind: 'answer', body: `{"success":"true","data":{}${' '.repeat(600_000)}}` }),
      {
        LIVEDEFLECT_MAX_BODY: '512KiB',
        BREAKER_FAILURES: '1',
      },
    );
    assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
    assert.match(error.message, /larger than this gateway accepts/);
    assert.equal(error.extensions?.upstreamStatus, undefined);
    assert.deepEqual([attempts, retries], [1, 0]);
    assert.equal(stack.gateway.client.breakerState, 'closed');
  });

  it('a dropped connection: retried, then UPSTREAM_ERROR saying LiveDeflect could not be reached', async () => {
    const { error, attempts, retries } = await withFault(() => ({ kind: 'drop' }));
    assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
    assert.match(error.message, /Could not reach LiveDeflect/);
    assert.deepEqual([attempts, retries], [1 + RETRIES, RETRIES]);
  });

  it('a malformed 200 body: UPSTREAM_ERROR, not retried, and the breaker does not move', async () => {
    const { error, attempts, retries, stack } = await withFault(() => ({ kind: 'answer', body: '{"success":"true","data":{"1":[{' }), {
      BREAKER_FAILURES: '1',
    });
    assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
    assert.match(error.message, /cannot read/);
    assert.deepEqual([attempts, retries], [1, 0]);
    assert.equal(stack.gateway.client.breakerState, 'closed');
  });

  /** 80 calls in the window's first bucket, each with 3 MiB of its own in one string, which `place` puts in call `call`'s entry. */
  const hugeStrings =
    (place: (text: string, call: number) => [callId: string, entry: Record<string, string>]) =>
    (request: HostileRequest): HostileAnswer => ({
      kind: 'answer',
      body: function* () {
        yield '{"success":"true","data":{';
        for (let call = 0; call < 80; call++) {
          const time = String(request.startTime + call);
          const [callId, entry] = place(`${String(call).padStart(8, '0')}${'x'.repeat(3 * 1024 * 1024)}`, call);
          yield `${call === 0 ? '' : ','}${JSON.stringify(callId)}:[${JSON.stringify({ eventTime: time, beginTimeStamp: time, ...entry })}]`;
        }
        yield '}}';
      },
    });
  // Long enough that the window fails on what the tests name, never on the attempt's end.
  const SLOW_DECODE = { BREAKER_FAILURES: '1', DECODE_WORKERS: '1', LIVEDEFLECT_TIMEOUT: '60s', OPERATION_DEADLINE: '60s' };
  const failures = (log: CapturedLog): unknown[] =>
    log
      .records()
      .filter((record) => record.msg === 'upstream request failed')
      .map((record) => record.detail);

  for (const workers of ['1', '0']) {
    it(`a window with more call text than its writers may hold (DECODE_WORKERS=${workers}): UPSTREAM_ERROR naming LIVEDEFLECT_MAX_WINDOW, not retried, no thread lost`, async () => {
      // Every entry is within the reader's bounds, but the bucket's callerInfo text (kept off the JS heap,
      // where a decode thread's heap cap does not reach) passes the 128 MiB a window's writers may hold halfway through.
      const { error, attempts, retries, log, stack } = await withFault(
        hugeStrings((text, call) => [String(call), { callerInfo: text }]),
        { ...SLOW_DECODE, DECODE_WORKERS: workers },
      );
      assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
      assert.match(error.message, /more than 128 MiB of call text for one window: set a shorter LIVEDEFLECT_MAX_WINDOW/);
      assert.deepEqual([attempts, retries], [1, 0]);
      assert.ok(!log.records().some((record) => record.msg === 'a decode worker stopped; its windows fail, and another worker takes its place'));
      assert.deepEqual(failures(log), [`over ${128 * 1024 * 1024} bytes of call text in window ${TEST_DAY}`]);
      assert.equal(stack.gateway.client.breakerState, 'closed');
    });
  }

  it('a decode thread lost mid-window (out of memory): UPSTREAM_ERROR, logged, not retried, and a new thread serves on', async () => {
    // The 3 MiB strings are callIds this time: strings on the decode thread's heap until the bucket's pack
    // is written, so they outgrow its cap (WORKER_HEAP) halfway through the body.
    const { error, attempts, retries, log, stack } = await withFault(
      hugeStrings((text) => [text, {}]),
      SLOW_DECODE,
    );
    assert.equal(error.extensions?.code, 'UPSTREAM_ERROR');
    assert.match(error.message, /could not decode/);
    assert.deepEqual([attempts, retries], [1, 0]);
    assert.ok(log.records().some((record) => record.msg === 'a decode worker stopped; its windows fail, and another worker takes its place'));
    // Failed by the thread's loss, at once, not by the attempt's end.
    assert.deepEqual(failures(log), ['decode worker lost']);
    assert.equal(stack.gateway.client.breakerState, 'closed');
  });
});
