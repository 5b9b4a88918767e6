import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { spawnMain, within } from '../helpers/mainProcess.js';
import { liveClient, record, simulatedClock, until } from '../helpers/liveClient.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startSimulator } from '../../src/simulator/index.js';

const SITE = '25508804';
const SUBSCRIPTION = `subscription($site: ID!) { callUpdates(siteId: $site) { kind call { callId } } }`;

const codesOf = (error: unknown): unknown[] => (error as { extensions?: { code?: string } }[]).map((item) => item.extensions?.code);

describe('Subscription.callUpdates bounds', () => {
  const clock = simulatedClock();
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      env: { LIVE_POLL_INTERVAL: '100ms', MAX_SUBSCRIPTIONS: '3', MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_DEPTH: '4' },
      simulator: { callsPerHour: 60, now: clock.now },
    });
  });
  after(() => stack.close());

  it('refuses a third subscription on one connection with SUBSCRIPTION_LIMIT (MAX_SUBSCRIPTIONS_PER_CONNECTION)', async () => {
    const client = liveClient(stack.gatewayUrl);
    const open = [record(client, SUBSCRIPTION, { site: SITE }), record(client, SUBSCRIPTION, { site: SITE })];
    await until(() => stack.gateway.live.stats.subscriptions === 2, 'two subscriptions');
    const third = record(client, SUBSCRIPTION, { site: SITE });
    await third.ended;
    assert.deepEqual(codesOf(third.error), ['SUBSCRIPTION_LIMIT']);
    assert.equal((third.error as { extensions: { limit: string } }[])[0]!.extensions.limit, 'MAX_SUBSCRIPTIONS_PER_CONNECTION');
    assert.equal(
      open.every((subscription) => subscription.error === undefined && !subscription.completed),
      true,
    );
    await client.dispose();
    await until(() => stack.gateway.live.stats.subscriptions === 0, 'the subscriptions to end with their socket');
  });

  it('refuses the subscription past MAX_SUBSCRIPTIONS in the process with SUBSCRIPTION_LIMIT', async () => {
    const clients = [liveClient(stack.gatewayUrl), liveClient(stack.gatewayUrl)];
    record(clients[0]!, SUBSCRIPTION, { site: SITE });
    record(clients[0]!, SUBSCRIPTION, { site: SITE });
    record(clients[1]!, SUBSCRIPTION, { site: SITE });
    await until(() => stack.gateway.live.stats.subscriptions === 3, 'three subscriptions');
    const fourth = record(clients[1]!, SUBSCRIPTION, { site: SITE });
    await fourth.ended;
    assert.deepEqual(
      fourth.results.map((result) => result.errors?.map((error) => error.extensions)),
      [[{ code: 'SUBSCRIPTION_LIMIT', limit: 'MAX_SUBSCRIPTIONS', max: 3 }]],
    );
    for (const client of clients) await client.dispose();
    await until(() => stack.gateway.live.stats.subscriptions === 0, 'the subscriptions to end');
  });

  it('applies the request limits to the subscription selection (QUERY_TOO_COMPLEX), and validates it', async () => {
    const client = liveClient(stack.gatewayUrl);
    const deep = record(
      client,
      `subscription { callUpdates(siteId: "${SITE}") { call { site { calls(from: "2026-01-01", to: "2026-01-02") { nodes { site { id } } } } } } }`,
    );
    await deep.ended;
    assert.deepEqual(codesOf(deep.error), ['QUERY_TOO_COMPLEX']);
    const invalid = record(client, `subscription { callUpdates(siteId: "${SITE}") { nope } }`);
    await invalid.ended;
    assert.deepEqual(codesOf(invalid.error), ['GRAPHQL_VALIDATION_FAILED']);
    const badSite = record(client, `subscription { callUpdates(siteId: "abc") { kind } }`);
    await badSite.ended;
    assert.deepEqual(
      badSite.results.map((result) => result.errors?.map((error) => error.extensions?.code)),
      [['BAD_USER_INPUT']],
    );
    assert.equal(stack.gateway.live.stats.pollers, 0);
    await client.dispose();
  });

  it('refuses a WebSocket upgrade on any path but /graphql', async () => {
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(`${stack.gatewayUrl.replace('http', 'ws')}/elsewhere`, 'graphql-transport-ws');
    const status = await new Promise<number | undefined>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      socket.on('error', () => resolve(undefined));
    });
    assert.equal(status, 404);
  });

  it('serves queries from what the poller stored: the recent buckets cost no upstream request', async () => {
    const client = liveClient(stack.gatewayUrl);
    record(client, SUBSCRIPTION, { site: SITE });
    await until(() => stack.gateway.live.stats.polls >= 1, 'a poll');
    const from = new Date(Date.now() - 60 * 60_000).toISOString();
    const answer = await stack.query(`{ site(id: "${SITE}") { calls(from: "${from}", to: "${new Date().toISOString()}") { totalCount } } }`);
    assert.equal(answer.body.errors, undefined);
    assert.ok((answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount > 0);
    assert.equal((answer.body.extensions?.livedeflect as { upstreamRequests: number }).upstreamRequests, 0);
    await client.dispose();
  });
});

describe('Subscription.callUpdates and a client that does not read', () => {
  it('sends the SUBSCRIPTION_LIMIT error and closes the socket with 1008 and the reason, rather than buffering', async () => {
    const stack = await startStack({
      env: { LIVE_POLL_INTERVAL: '100ms', LIVE_SEND_BUFFER: '4', MAX_COST: '1000000' },
      simulator: { callsPerHour: 600, precompute: true },
    });
    const now = Date.now();
    // Each update carries the last hour's calls: the replay's ~1,200 of them fill any socket buffer quickly.
    const query = `subscription($site: ID!, $since: DateTime, $from: DateTime!, $to: DateTime!) {
      callUpdates(siteId: $site, since: $since) { kind call { callId site { calls(from: $from, to: $to, first: 200) { nodes { callId stage events { type time } } } } } }
    }`;
    const variables = {
      site: SITE,
      since: new Date(now - 2 * 3_600_000).toISOString(),
      from: new Date(now - 3_600_000).toISOString(),
      to: new Date(now).toISOString(),
    };
    const socket = new WebSocket(`${stack.gatewayUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data: Buffer) => void messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => messages.some((message) => message.type === 'connection_ack'), 'connection_ack');
    // The client stops reading: what the server sends piles up in the socket buffers, then in the subscription's.
    socket.pause();
    socket.send(JSON.stringify({ id: 'wallboard', type: 'subscribe', payload: { query, variables } }));
    await until(() => stack.gateway.live.stats.subscriptions === 1, 'the subscription');
    await until(() => stack.gateway.live.stats.subscriptions === 0, 'the slow subscriber to be ended', 60_000);
    socket.resume();
    const close = await closed;
    assert.equal(close.code, 1008);
    assert.match(close.reason, /LIVE_SEND_BUFFER/);
    const last = messages.at(-1);
    assert.equal(last?.type, 'error');
    assert.equal(last?.id, 'wallboard');
    assert.deepEqual(
      (last?.payload as { extensions?: unknown }[]).map((error) => error.extensions),
      [{ code: 'SUBSCRIPTION_LIMIT', limit: 'LIVE_SEND_BUFFER', max: 4 }],
    );
    assert.ok(messages.filter((message) => message.type === 'next').length > 4, 'the updates before it were delivered');
    await stack.close();
  });
});

describe('Subscription.callUpdates on shutdown', () => {
  it('completes every subscription, then closes its socket with 1001', async () => {
    const stack = await startStack({ env: { LIVE_POLL_INTERVAL: '100ms' } });
    const client = liveClient(stack.gatewayUrl, { lazyCloseTimeout: 30_000 });
    const live = [record(client, SUBSCRIPTION, { site: SITE }), record(client, SUBSCRIPTION, { site: '42' })];
    await until(() => stack.gateway.live.stats.subscriptions === 2, 'two subscriptions');
    await stack.close();
    await Promise.all(live.map((subscription) => subscription.ended));
    assert.deepEqual(
      live.map((subscription) => [subscription.completed, subscription.error]),
      [
        [true, undefined],
        [true, undefined],
      ],
    );
    await until(() => client.closeCodes.length > 0, 'the socket to close');
    assert.deepEqual(client.closeCodes, [1001]);
    await client.dispose();
  });

  it('on SIGTERM, the real process completes subscriptions, closes sockets with 1001 and exits 0', async () => {
    const simulator = await startSimulator({ callsPerHour: 2 });
    const main = spawnMain({
      LIVEDEFLECT_URL: simulator.url,
      LIVEDEFLECT_AUTHORIZATION: 'Bearer test',
      LOG_LEVEL: 'info',
      GRAPHIQL: 'false',
      LIVE_POLL_INTERVAL: '200ms',
    });
    try {
      const url = await within(main.graphqlUrl, 30_000, 'the gateway to log its URL');
      const client = liveClient(url.replace(/\/graphql$/, ''), { lazyCloseTimeout: 30_000 });
      const live = record(client, SUBSCRIPTION, { site: SITE });
      await until(() => simulator.requests.length > 0, 'the first poll');
      main.child.kill('SIGTERM');
      await within(live.ended, 20_000, 'the subscription to end');
      assert.equal(live.completed, true);
      await until(() => client.closeCodes.length > 0, 'the socket to close');
      assert.deepEqual(client.closeCodes, [1001]);
      assert.equal(await within(main.exited, 30_000, 'the process to exit'), 0);
      await client.dispose();
    } finally {
      main.child.kill('SIGKILL');
      await simulator.close();
    }
  });
});
