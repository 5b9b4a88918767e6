import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, iso, TEST_DAY } from '../helpers/day.js';
import { normalAnswer, startHostileStack } from '../helpers/hostileUpstream.js';

const SITE = '11111111';
const WEEK = `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 7 * DAY_MS)}", first: 1) { totalCount } } }`;

describe('the operation deadline', () => {
  it('is not the upstream failing: windows still queued at the deadline are not sent, and the breaker stays closed', async () => {
    // One request at a time, each answered (correctly) after 400 ms: of seven windows, about two fit in a second.
    const stack = await startHostileStack((request) => ({ ...normalAnswer(request), delayMs: 400 }), {
      env: { OPERATION_DEADLINE: '1s', LIVEDEFLECT_CONCURRENCY: '1', BREAKER_FAILURES: '2', LIVEDEFLECT_RETRIES: '0' },
    });
    try {
      const answer = await stack.query(WEEK);
      assert.equal(answer.body.errors?.[0]?.extensions?.code, 'UPSTREAM_TIMEOUT');
      assert.match(answer.body.errors[0].message, /OPERATION_DEADLINE/);
      assert.ok(stack.upstream.requests.length <= 3, `${stack.upstream.requests.length} requests sent for a 1 s operation`);
      assert.equal(stack.gateway.client.breakerState, 'closed');
      // The next operation is served: nothing was left holding the upstream slot or the buckets.
      const day = await stack.query(`{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}") { totalCount } } }`);
      assert.equal(day.body.errors, undefined, JSON.stringify(day.body.errors));
    } finally {
      await stack.close();
    }
  });

  it('passing while a window is still being decoded is UPSTREAM_TIMEOUT naming the deadline, not a body fault', async () => {
    // One busy day (~24,000 calls, ~50 MB), ready before the request: it arrives at once, and its decoding cannot fit in 300 ms.
    const body = normalAnswer({ siteId: SITE, startTime: TEST_DAY, endTime: TEST_DAY + DAY_MS }, 1_000);
    const stack = await startHostileStack(() => body, { env: { OPERATION_DEADLINE: '300ms', LIVEDEFLECT_RETRIES: '0' } });
    try {
      const answer = await stack.query(`{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}") { totalCount } } }`);
      assert.equal(stack.upstream.requests.length, 1);
      assert.equal(answer.body.errors?.[0]?.extensions?.code, 'UPSTREAM_TIMEOUT', JSON.stringify(answer.body.errors));
      assert.match(answer.body.errors[0].message, /OPERATION_DEADLINE/);
      assert.equal(stack.gateway.client.breakerState, 'closed');
    } finally {
      await stack.close();
    }
  });
});
