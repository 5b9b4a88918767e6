import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startSimulator } from '../../src/simulator/index.js';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { spawnMain, within } from '../helpers/mainProcess.js';

const SLOW_MS = 1500;

describe('graceful shutdown of the real process', () => {
  it('on SIGTERM during a slow query, the query completes with its data, new connections are refused, and the process exits 0', async () => {
    const simulator = await startSimulator({ callsPerHour: 2, now: () => TEST_NOW });
    simulator.injectFault({ kind: 'latency', ms: SLOW_MS });
    const main = spawnMain({ LIVEDEFLECT_URL: simulator.url, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: '20s', SHUTDOWN_DELAY: '200ms', GRAPHIQL: 'false' });
    try {
      const url = await within(main.graphqlUrl, 30_000, 'the gateway to log its URL');
      const slow = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
        body: JSON.stringify({
          query: `{ site(id: "25508804") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 3) { totalCount nodes { callId } } } }`,
        }),
      });
      // In flight: the gateway has asked the upstream, which is taking its time.
      for (let waited = 0; simulator.requests.length === 0 && waited < 10_000; waited += 10) await sleep(10);
      assert.equal(simulator.requests.length, 1);
      assert.equal(simulator.requests[0]!.status, 0, 'the upstream has not answered yet');

      main.child.kill('SIGTERM');
      for (let waited = 0; !main.lines.some((line) => line.includes('listener closed')) && waited < 10_000; waited += 10) await sleep(10);
      // The listener closed once SHUTDOWN_DELAY was over (the log line is written just after).
      await assert.rejects(fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }));

      const response = await slow;
      assert.equal(response.status, 200);
      const body = (await response.json()) as { data?: { site: { calls: { totalCount: number } } }; errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      assert.ok(body.data!.site.calls.totalCount > 0);

      assert.equal(await within(main.exited, 30_000, 'the process to exit'), 0);
      assert.ok(main.lines.some((line) => line.includes('"msg":"stopped"')), main.lines.join('\n'));
    } finally {
      if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill('SIGKILL');
      await simulator.close();
    }
  });
});
