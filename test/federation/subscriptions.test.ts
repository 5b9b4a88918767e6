import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGatewayRuntime, type GatewayConfigSupergraph } from '@graphql-hive/gateway-runtime';
import { MemPubSub } from '@graphql-hive/pubsub';
import { until } from '../helpers/liveClient.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startConversationsSubgraph, type ConversationsSubgraph } from './conversationsSubgraph.js';
import { composeWithConversations, OUR_SUBGRAPH } from './supergraph.js';

const SITE = '25508804';
const TOKEN = 'Bearer supergraph-client';

interface SseEvent {
  readonly data?: { callUpdates?: { kind: string; call: { id: string; callId: string; stage: string } } } | null;
  readonly errors?: { extensions?: { code?: string } }[];
}

type Transport = 'ws' | 'http-callback';

/** How Hive Gateway subscribes to our subgraph, and what that needs of it. */
function subscriptionsOver(transport: Transport, routerBase: string): Partial<GatewayConfigSupergraph> {
  const headers: [string, string][] = [['authorization', '{context.headers.authorization}']];
  if (transport === 'ws') {
    return {
      transports: { http: import('@graphql-mesh/transport-http'), ws: import('@graphql-mesh/transport-ws') },
      transportEntries: {
        [OUR_SUBGRAPH]: {
          headers,
          options: {
            subscriptions: { kind: 'ws', location: '/graphql', options: { connectionParams: { Authorization: '{context.headers.authorization}' } } },
          },
        },
      },
    };
  }
  return {
    transports: { http: import('@graphql-mesh/transport-http'), 'http-callback': import('@graphql-mesh/transport-http-callback') },
    // The callbacks we post arrive at the router as webhooks, handed to the subscription through its pubsub.
    pubsub: new MemPubSub(),
    webhooks: true,
    transportEntries: {
      [OUR_SUBGRAPH]: {
        headers,
        options: {
          subscriptions: {
            kind: 'http-callback',
            location: '/graphql',
            options: { public_url: `${routerBase}/callback`, heartbeat_interval: 5_000 },
          },
        },
      },
    },
  };
}

for (const transport of ['ws', 'http-callback'] as const) {
  /**
   * Hive Gateway as the router of a supergraph: it subscribes to our subgraph over graphql-ws (the
   * `graphql-transport-ws` protocol, passing the client's Authorization as connectionParams) or over Apollo's
   * HTTP callback protocol (our callbacks reach it as webhooks), and serves the client over server-sent events.
   */
  describe(`a supergraph subscription through Hive Gateway, ${transport} to the subgraph`, () => {
    let stack: Stack;
    let conversations: ConversationsSubgraph;
    let server: Server;
    let routerUrl: string;

    before(async () => {
      let handle: ReturnType<typeof createGatewayRuntime> | null = null;
      // The runtime is a node:http handler that answers asynchronously; its own errors become responses.
      server = createServer((req, res) => void handle?.(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const routerBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      routerUrl = `${routerBase}/graphql`;
      stack = await startStack({
        staticAuthorization: null,
        env: { LIVE_POLL_INTERVAL: '200ms', LIVE_CALLBACK_URLS: `${routerBase}/callback` },
        simulator: { callsPerHour: 60, credentials: { [TOKEN]: '*' } },
      });
      conversations = await startConversationsSubgraph([]);
      const composition = await composeWithConversations({ livedeflect: `${stack.gatewayUrl}/graphql`, conversations: conversations.url });
      assert.deepEqual(composition.errors, []);
      handle = createGatewayRuntime({ supergraph: composition.supergraphSdl!, logging: false, ...subscriptionsOver(transport, routerBase) });
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await conversations.close();
      await stack.close();
    });

    it("receives NEW updates for the site, with the caller's credential, from one poller", async () => {
      const since = new Date(Date.now() - 60 * 60_000).toISOString();
      const abort = new AbortController();
      const response = await fetch(routerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: TOKEN },
        body: JSON.stringify({
          query: `subscription($site: ID!, $since: DateTime) { callUpdates(siteId: $site, since: $since) { kind call { id callId stage } } }`,
          variables: { site: SITE, since },
        }),
        signal: abort.signal,
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
      const events: SseEvent[] = [];
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      const deadline = Date.now() + 20_000;
      while (events.length < 3 && Date.now() < deadline) {
        // Bounded: a router that sends nothing fails the test at the deadline instead of holding it.
        const timer = setTimeout(() => abort.abort(), deadline - Date.now());
        const { value, done } = await reader.read().finally(() => clearTimeout(timer));
        if (done) break;
        buffer += value;
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (data && data.length > 'data:'.length + 1) events.push(JSON.parse(data.slice('data:'.length)) as SseEvent);
        }
      }
      assert.ok(events.length >= 3, `got ${JSON.stringify(events)}`);
      for (const event of events) {
        assert.equal(event.errors, undefined, JSON.stringify(event.errors));
        assert.equal(event.data?.callUpdates?.kind, 'NEW');
        assert.match(event.data?.callUpdates?.call.callId ?? '', /^\d+$/);
      }
      assert.equal(stack.gateway.live.stats.pollers, 1);
      assert.deepEqual(new Set(stack.simulator.requests.map((request) => request.authorization)), new Set([TOKEN]));
      abort.abort();
      await reader.cancel().catch(() => undefined);
      await until(() => stack.gateway.live.stats.pollers === 0, 'the poller to stop once the router unsubscribes');
    });
  });
}
