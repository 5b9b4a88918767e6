import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { floodGateway } from '../../bench/abuse.js';
import { rssOf } from '../../bench/rss.js';
import { CALLS_PER_HOUR, FIRST_DAY, NOW, operations } from '../../bench/loadMix.js';
import { startSimulator } from '../../src/simulator/index.js';
import { spawnMain, within } from '../helpers/mainProcess.js';

const OPERATION_DEADLINE_MS = 30_000;
const MAX_RSS_GROWTH_BYTES = 150 * 1024 * 1024;
/** Bounded in count: 180 abusive requests (135 documents of 1 MB, 45 over-budget operations) on 2 connections. */
const ABUSIVE_REQUESTS = 180;
const OTHER_CLIENTS = 2;
/** Each other client stops at this many even if the flood is still going. */
const MAX_REQUESTS_PER_CLIENT = 400;

interface OtherTally {
  requests: number;
  gateway5xx: number;
  pastDeadline: number;
  notGraphQL: number;
  connectionErrors: number;
}

describe('one abusive client does not hurt the others (the loadtest abuse phase, shorter)', () => {
  it('while one client floods 1 MB documents and over-budget operations, the others get no 5xx, no wait past OPERATION_DEADLINE, and RSS grows < 150 MB', async () => {
    const simulator = await startSimulator({ callsPerHour: CALLS_PER_HOUR, now: () => NOW });
    const gateway = spawnMain({
      LIVEDEFLECT_URL: simulator.url,
      LIVEDEFLECT_AUTHORIZATION: 'Bearer abuse-test',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      GRAPHIQL: 'false',
      OPERATION_DEADLINE: `${OPERATION_DEADLINE_MS}ms`,
      SHUTDOWN_DELAY: '0',
    });
    try {
      const url = await within(gateway.graphqlUrl, 30_000, 'the gateway to start');
      const pid = gateway.child.pid!;
      const mix = operations();
      const send = async (query: string, tally: OtherTally): Promise<void> => {
        const started = performance.now();
        try {
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          const text = await response.text();
          if (response.status >= 500) tally.gateway5xx++;
          if (!/^\{"(data|errors)"/.test(text)) tally.notGraphQL++;
        } catch {
          tally.connectionErrors++;
        }
        if (performance.now() - started > OPERATION_DEADLINE_MS) tally.pastDeadline++;
        tally.requests++;
      };
      // Warm-up: the mix once, so what follows measures the flood and not the first cache fill.
      const warm: OtherTally = { requests: 0, gateway5xx: 0, pastDeadline: 0, notGraphQL: 0, connectionErrors: 0 };
      await Promise.all(mix.map((query) => send(query, warm)));
      assert.equal(warm.gateway5xx + warm.notGraphQL + warm.connectionErrors, 0, JSON.stringify(warm));
      await sleep(1_000);
      const rssBefore = rssOf(pid);

      const others: OtherTally = { requests: 0, gateway5xx: 0, pastDeadline: 0, notGraphQL: 0, connectionErrors: 0 };
      let flooding = true;
      const flood = floodGateway(url, { count: ABUSIVE_REQUESTS, connections: 2, lastDay: FIRST_DAY }).finally(() => (flooding = false));
      const clients = Array.from({ length: OTHER_CLIENTS }, async (_, index) => {
        for (let n = 0; flooding && n < MAX_REQUESTS_PER_CLIENT; n++) await send(mix[(index + n) % mix.length]!, others);
      });
      const [abuse] = await Promise.all([flood, ...clients]);
      await sleep(2_000);
      const rssAfter = rssOf(pid);

      assert.ok(others.requests > 0);
      assert.equal(others.gateway5xx, 0, JSON.stringify(others));
      assert.equal(others.pastDeadline, 0, JSON.stringify(others));
      assert.equal(others.notGraphQL + others.connectionErrors, 0, JSON.stringify(others));
      // Linux only: elsewhere /proc is missing and the bound is not measured.
      if (rssBefore !== null && rssAfter !== null) {
        assert.ok(rssAfter - rssBefore < MAX_RSS_GROWTH_BYTES, `RSS grew by ${((rssAfter - rssBefore) / 1024 / 1024).toFixed(1)} MB`);
      }
      assert.equal(abuse.sent, ABUSIVE_REQUESTS);
      // The abuser is refused with 400s, not served: every document and operation is over a limit.
      assert.deepEqual([...abuse.statuses], [[400, ABUSIVE_REQUESTS]]);
      assert.equal(
        simulator.requests.filter((request) => Number(request.siteId) >= 90_000_000).length,
        0,
        'an over-budget operation reached the upstream',
      );
    } finally {
      gateway.child.kill('SIGTERM');
      await within(gateway.exited, 30_000, 'the gateway to stop').catch(() => gateway.child.kill('SIGKILL'));
      await simulator.close();
    }
  });
});
