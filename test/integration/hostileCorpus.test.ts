import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../src/simulator/prng.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY } from '../helpers/day.js';
import { normalAnswer, startHostileStack, type HostileAnswer, type HostileRequest } from '../helpers/hostileUpstream.js';
import { upstreamBody } from '../helpers/malformedBodies.js';

/**
 * Acceptance: a corpus of hostile upstream answers through the gateway (the fuzz's malformed bodies and
 * answers built to exhaust memory or time), each followed by a normal query. No answer may take longer
 * than OPERATION_DEADLINE + 1 s (the request is abandoned then, and the test fails), every error is
 * coded, and the normal query answers in full each time.
 */

const NORMAL_SITE = '11111111';
const DEADLINE_MS = 15_000;
const FUZZ_BODIES = 500;
const WORKERS = 4;

const CALLS = `query($site: ID!, $from: DateTime!, $to: DateTime!) { site(id: $site) {
  calls(from: $from, to: $to, first: 500) { totalCount nodes { callId stage callerInfo callerInfoRaw events { type info time } } } } }`;

/** A million tiny calls across the window: a decode thread runs out of memory, or out of time, on it. */
function millionCalls(request: HostileRequest): HostileAnswer {
  return {
    kind: 'answer',
    body: function* () {
      yield '{"success":"true","data":{';
      const step = Math.floor((request.endTime - request.startTime) / 1_000_000);
      for (let call = 0; call < 1_000_000; call += 10_000) {
        let text = '';
        for (let i = call; i < call + 10_000; i++) {
          const time = String(request.startTime + i * step);
          text += `${i === 0 ? '' : ','}"${i}":[{"eventTime":"${time}","beginTimeStamp":"${time}"}]`;
        }
        yield text;
      }
      yield '}}';
    },
  };
}

describe('acceptance: a hostile-upstream corpus', () => {
  it(`${FUZZ_BODIES} malformed bodies and a million-call body: no crash, no hang, every failure coded, and a normal query right after each is served`, async () => {
    const rng = createRng('corpus', 'acceptance-3');
    const byHour = new Map<string, (request: HostileRequest) => HostileAnswer>();
    const cases = Array.from({ length: FUZZ_BODIES }, (_, index) => {
      const siteId = String(90_000_000 + (index % WORKERS));
      const hour = TEST_DAY - (Math.floor(index / WORKERS) + 1) * HOUR_MS;
      const body = upstreamBody(rng, siteId, hour, 3);
      byHour.set(`${siteId}|${hour}`, () => ({ kind: 'answer', body }));
      return { siteId, hour };
    });
    // The heavy one goes first, on a day of its own.
    cases.unshift({ siteId: '90000000', hour: TEST_DAY + 5 * DAY_MS });
    byHour.set(`90000000|${TEST_DAY + 5 * DAY_MS}`, millionCalls);
    const stack = await startHostileStack(
      (request) =>
        request.siteId === NORMAL_SITE ? normalAnswer(request) : (byHour.get(`${request.siteId}|${request.startTime}`) ?? normalAnswer)(request),
      { env: { OPERATION_DEADLINE: String(DEADLINE_MS), NODE_ENV: 'production' } },
    );
    const ask = async (site: string, from: number, to: number) => {
      const response = await fetch(`${stack.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: CALLS, variables: { site, from: iso(from), to: iso(to) } }),
        // A hang fails the test here: no answer may take longer than the deadline and a second.
        signal: AbortSignal.timeout(DEADLINE_MS + 1_000),
      });
      assert.ok(response.status < 500, `HTTP ${response.status}`);
      return (await response.json()) as { data?: { site: { calls: { totalCount: number } | null } }; errors?: { extensions?: { code?: unknown } }[] };
    };
    try {
      let failed = 0;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, worker) => {
          for (let index = worker; index < cases.length; index += WORKERS) {
            const { siteId, hour } = cases[index]!;
            const hostile = await ask(siteId, hour, hour + HOUR_MS);
            for (const error of hostile.errors ?? []) {
              assert.match(String(error.extensions?.code), /^UPSTREAM_(ERROR|TIMEOUT)$/, JSON.stringify(error));
              failed++;
            }
            const normal = await ask(NORMAL_SITE, TEST_DAY + (index % 24) * HOUR_MS, TEST_DAY + ((index % 24) + 1) * HOUR_MS);
            assert.equal(normal.errors, undefined, JSON.stringify(normal.errors));
            assert.equal(normal.data?.site.calls?.totalCount, 2);
          }
        }),
      );
      assert.ok(failed > FUZZ_BODIES * 0.2, `${failed} of ${cases.length} refused`);
    } finally {
      await stack.close();
    }
  });
});
