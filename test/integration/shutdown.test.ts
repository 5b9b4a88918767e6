import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
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
    const main = spawnMain({
      LIVEDEFLECT_URL: simulator.url,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT: '20s',
      SHUTDOWN_DELAY: '200ms',
      GRAPHIQL: 'false',
    });
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
      assert.ok(
        main.lines.some((line) => line.includes('"msg":"stopped"')),
        main.lines.join('\n'),
      );
    } finally {
      if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill('SIGKILL');
      await simulator.close();
    }
  });

  it('under keep-alive load through SIGTERM, /readyz turns 503 at once and no request sent before it did fails', async () => {
    const simulator = await startSimulator({ callsPerHour: 2, now: () => TEST_NOW });
    // Slow enough that requests are in flight when the drain begins.
    simulator.injectFault({ kind: 'latency', ms: 150 });
    const main = spawnMain({ LIVEDEFLECT_URL: simulator.url, LOG_LEVEL: 'info', SHUTDOWN_DELAY: '1s', SHUTDOWN_TIMEOUT: '20s', GRAPHIQL: 'false' });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const url = new URL(await within(main.graphqlUrl, 30_000, 'the gateway to log its URL'));
      let stop = false;
      let readyzSaw503 = false;
      let sent = 0;
      let closingAnswers = 0;
      const failures: string[] = [];
      const post = (body: string, onAnswer: (status: number, headers: Record<string, unknown>, text: string) => void): Promise<void> =>
        new Promise((resolve) => {
          const req = request(
            {
              host: url.hostname,
              port: url.port,
              path: '/graphql',
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () => resolve(onAnswer(res.statusCode ?? 0, res.headers, text)));
              res.on('error', (error) => resolve(void failures.push(`response: ${error.message}`)));
            },
          );
          req.on('error', (error) => resolve(void failures.push(`request: ${error.message}`)));
          req.end(body);
        });
      // What a load balancer does: poll /readyz, stop sending once it fails.
      const poller = (async () => {
        for (let polls = 0; !stop && polls < 1_000; polls++) {
          const status = await fetch(new URL('/readyz', url)).then(
            (response) => response.status,
            () => 0,
          );
          if (status === 503) readyzSaw503 = true;
          if (status !== 200) stop = true;
          await sleep(25);
        }
      })();
      const client = async (index: number): Promise<void> => {
        for (let n = 0; !stop && n < 500; n++) {
          // Every request its own cold day on its own site: a real upstream round trip each time.
          const day = TEST_DAY - (n % 30) * DAY_MS;
          const query = `{ site(id: "${1_000 + index * 1_000 + n}") { calls(from: "${iso(day)}", to: "${iso(day + DAY_MS)}", first: 1) { totalCount } } }`;
          sent++;
          await post(JSON.stringify({ query }), (status, headers, text) => {
            if (headers.connection === 'close') closingAnswers++;
            if (status !== 200 || !text.includes('"totalCount"')) failures.push(`HTTP ${status}: ${text.slice(0, 200)}`);
          });
        }
      };
      const clients = Promise.all(Array.from({ length: 6 }, (_, index) => client(index)));
      for (let waited = 0; sent < 30 && waited < 20_000; waited += 10) await sleep(10);
      main.child.kill('SIGTERM');
      await within(Promise.all([poller, clients]), 30_000, 'the clients to stop');

      assert.ok(readyzSaw503, '/readyz never answered 503 before the listener closed');
      assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
      assert.ok(closingAnswers > 0, 'no answer said Connection: close');
      assert.equal(await within(main.exited, 30_000, 'the process to exit'), 0);
    } finally {
      agent.destroy();
      if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill('SIGKILL');
      await simulator.close();
    }
  });
});
