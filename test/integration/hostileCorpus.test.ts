import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../src/simulator/prng.js';
import { HOUR_MS, iso, TEST_DAY } from '../helpers/day.js';
import { normalAnswer, startHostileStack, type HostileAnswer, type HostileRequest } from '../helpers/hostileUpstream.js';
import { upstreamBody } from '../helpers/malformedBodies.js';

/**
 * Acceptance: a corpus of hostile upstream answers through the gateway (the fuzz's malformed bodies here;
 * those built to exhaust memory or time in hostileBodies.test.ts), each followed by a normal query. No answer may take longer
 * than OPERATION_DEADLINE + 1 s (the request is abandoned then, and the test fails), every error is
 * coded, and the normal query answers in full each time.
 */

const NORMAL_SITE = '11111111';
const DEADLINE_MS = 10_000;
const FUZZ_BODIES = 500;
const WORKERS = 8;

const CALLS = `query($site: ID!, $from: DateTime!, $to: DateTime!) { site(id: $site) {
  calls(from: $from, to: $to, first: 500) { totalCount nodes { callId stage callerInfo callerInfoRaw events { type info time } } } } }`;

describe('acceptance: a hostile-upstream corpus', () => {
  it(`${FUZZ_BODIES} malformed bodies: no crash, no hang, every failure coded, and a normal query right after each is served`, async () => {
    const rng = createRng('corpus', 'acceptance-3');
    const byHour = new Map<string, (request: HostileRequest) => HostileAnswer>();
    const cases = Array.from({ length: FUZZ_BODIES }, (_, index) => {
      const siteId = String(90_000_000 + (index % WORKERS));
      const hour = TEST_DAY - (Math.floor(index / WORKERS) + 1) * HOUR_MS;
      const body = upstreamBody(rng, siteId, hour, 3);
      byHour.set(`${siteId}|${hour}`, () => ({ kind: 'answer', body }));
      return { siteId, hour };
    });
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
