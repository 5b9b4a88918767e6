import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { bucketsForRange, bucketStart, windowsForBuckets } from '../../src/model/buckets.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  agentNameOf,
  startConversationsSubgraph,
  transcriptUrlOf,
  type ConversationRecord,
  type ConversationsSubgraph,
} from './conversationsSubgraph.js';
import { composeWithConversations, startFederationGateway, type FederationGateway } from './supergraph.js';

const SITE_A = '25508804';
const SITE_B = '38856538';
const TOKEN = 'Bearer federation-client';
const OTHER_TOKEN = 'Bearer another-client';
/** Six hours of a past day: a few calls an hour keep the data small and every answer exact. */
const FROM = TEST_DAY + 10 * HOUR_MS;
const TO = TEST_DAY + 16 * HOUR_MS;

interface DiscoveredCall {
  readonly id: string;
  readonly callId: string;
  readonly skill: string | null;
  readonly beginTime: string;
  readonly conversationId: string | null;
}

interface SentRequest {
  readonly siteId: string;
  readonly startTime: number;
  readonly endTime: number;
}

const CALL_FIELDS = 'id callId skill beginTime conversationId';

describe('a real @apollo/gateway over our subgraph and an independent conversations subgraph', () => {
  let stack: Stack;
  let conversations: ConversationsSubgraph;
  let gateway: FederationGateway;
  /** Site A's calls in [FROM, TO), as our subgraph serves them directly. */
  let callsInRange: DiscoveredCall[];
  /** Every conversation the conversations subgraph knows: site A on two days 48 h apart, site B on one. */
  let records: ConversationRecord[];
  let callsById: Map<string, DiscoveredCall>;

  /** What the simulator received, in a stable order, and that every request carried this credential. */
  const sentWith = (authorization: string): SentRequest[] => {
    const requests = stack.simulator.requests;
    assert.deepEqual(new Set(requests.map((request) => request.authorization)), new Set(requests.length > 0 ? [authorization] : []));
    return requests
      .map(({ siteId, startTime, endTime }) => ({ siteId, startTime, endTime }))
      .sort((a, b) => a.siteId.localeCompare(b.siteId) || a.startTime - b.startTime);
  };

  before(async () => {
    stack = await startStack({
      staticAuthorization: null,
      simulator: { callsPerHour: 3, now: () => TEST_NOW, credentials: { [TOKEN]: '*', [OTHER_TOKEN]: '*' } },
    });
    const range = (from: number) => `from: "${iso(from)}", to: "${iso(from + TO - FROM)}", first: 500`;
    const discovered = await stack.query(
      `{
        a0: site(id: "${SITE_A}") { calls(${range(FROM)}) { nodes { ${CALL_FIELDS} } } }
        a2: site(id: "${SITE_A}") { calls(${range(FROM + 2 * DAY_MS)}) { nodes { ${CALL_FIELDS} } } }
        b0: site(id: "${SITE_B}") { calls(${range(FROM)}) { nodes { ${CALL_FIELDS} } } }
      }`,
      undefined,
      { authorization: TOKEN },
    );
    assert.equal(discovered.body.errors, undefined, JSON.stringify(discovered.body.errors));
    const data = discovered.body.data as Record<'a0' | 'a2' | 'b0', { calls: { nodes: DiscoveredCall[] } }>;
    callsInRange = data.a0.calls.nodes;
    const withConversation = (siteId: string, calls: DiscoveredCall[]) =>
      calls.flatMap((call) => (call.conversationId ? [{ id: call.conversationId, siteId, callId: call.id }] : []));
    records = [
      ...withConversation(SITE_A, data.a0.calls.nodes),
      ...withConversation(SITE_A, data.a2.calls.nodes),
      ...withConversation(SITE_B, data.b0.calls.nodes),
    ];
    callsById = new Map([...data.a0.calls.nodes, ...data.a2.calls.nodes, ...data.b0.calls.nodes].map((call) => [call.id, call]));
    assert.ok(callsInRange.length >= 10 && records.length >= 6, `too little data: ${callsInRange.length} calls, ${records.length} conversations`);

    conversations = await startConversationsSubgraph(records);
    const composition = await composeWithConversations({ livedeflect: `${stack.gatewayUrl}/graphql`, conversations: conversations.url });
    assert.deepEqual(composition.errors, []);
    gateway = await startFederationGateway(composition.supergraphSdl!);
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
  });
  after(async () => {
    await gateway?.close();
    await conversations?.close();
    await stack?.close();
  });

  it("joins site A's calls with their conversations in one query across both subgraphs, for one upstream request per window", async () => {
    const answer = await gateway.query(
      `query Cross($site: ID!, $from: DateTime!, $to: DateTime!) {
        site(id: $site) {
          id
          calls(from: $from, to: $to, first: 500) { nodes { id skill conversation { id agentName transcriptUrl } } }
          openConversations
          recentConversations(first: 2) { nodes { id agentName call { id skill } } pageInfo { hasNextPage } }
        }
      }`,
      { site: SITE_A, from: iso(FROM), to: iso(TO) },
      { authorization: TOKEN },
    );

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const siteRecords = records.filter((record) => record.siteId === SITE_A);
    assert.deepEqual(answer.body.data, {
      site: {
        id: SITE_A,
        calls: {
          nodes: callsInRange.map((call) => ({
            id: call.id,
            skill: call.skill,
            conversation: call.conversationId
              ? { id: call.conversationId, agentName: agentNameOf(call.conversationId), transcriptUrl: transcriptUrlOf(call.conversationId) }
              : null,
          })),
        },
        openConversations: siteRecords.length,
        recentConversations: {
          nodes: siteRecords.slice(0, 2).map((record) => ({
            id: record.id,
            agentName: agentNameOf(record.id),
            call: { id: record.callId, skill: callsById.get(record.callId)!.skill },
          })),
          pageInfo: { hasNextPage: true },
        },
      },
    });
    // Our subgraph is asked twice (the site's calls, then the Call entities behind recentConversations);
    // the second fetch finds its buckets in the cache the first one filled.
    const { bucketSizeMs, maxWindowMs } = stack.config;
    assert.deepEqual(
      sentWith(TOKEN),
      windowsForBuckets(bucketsForRange(FROM, TO, bucketSizeMs), bucketSizeMs, maxWindowMs).map((window) => ({ siteId: SITE_A, ...window })),
    );
  });

  it('resolves Calls and their Site from our subgraph for a query that starts in the conversations subgraph', async () => {
    const ids = records.map((record) => record.id).reverse();
    const answer = await gateway.query(
      `query Back($ids: [ID!]!) {
        conversations(ids: $ids) { id agentName call { id callId skill beginTime conversationId site { id openConversations } } }
      }`,
      { ids },
      { authorization: TOKEN },
    );

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const byId = new Map(records.map((record) => [record.id, record]));
    assert.deepEqual(answer.body.data, {
      conversations: ids.map((id) => {
        const record = byId.get(id)!;
        const { id: callId, ...call } = callsById.get(record.callId)!;
        return {
          id,
          agentName: agentNameOf(id),
          call: {
            id: callId,
            ...call,
            conversationId: id,
            site: { id: record.siteId, openConversations: records.filter((other) => other.siteId === record.siteId).length },
          },
        };
      }),
    });
    const { bucketSizeMs, maxWindowMs } = stack.config;
    const expected = [SITE_A, SITE_B].flatMap((siteId) =>
      windowsForBuckets(
        records
          .filter((record) => record.siteId === siteId)
          .map((record) => bucketStart(Date.parse(callsById.get(record.callId)!.beginTime), bucketSizeMs)),
        bucketSizeMs,
        maxWindowMs,
      ).map((window) => ({ siteId, ...window })),
    );
    assert.equal(expected.length, 3, 'site A on two days 48 h apart, site B on one');
    assert.deepEqual(sentWith(TOKEN), expected);
  });

  it('sends LiveDeflect the Authorization header the client sent to the gateway, through our subgraph', async () => {
    const answer = await gateway.query(`{ site(id: "${SITE_B}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}") { totalCount } } }`, undefined, {
      authorization: OTHER_TOKEN,
    });

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.deepEqual(sentWith(OTHER_TOKEN), [{ siteId: SITE_B, startTime: FROM, endTime: TO }]);
  });

  it('answers UNAUTHENTICATED through the gateway when the client sends no Authorization, and asks LiveDeflect nothing', async () => {
    const answer = await gateway.query(`{ site(id: "${SITE_A}") { id calls(from: "${iso(FROM)}", to: "${iso(TO)}") { totalCount } } }`);

    assert.deepEqual(answer.body.data, { site: { id: SITE_A, calls: null } });
    assert.deepEqual(
      answer.body.errors?.map((error) => [error.path, error.extensions?.code]),
      [[['site', 'calls'], 'UNAUTHENTICATED']],
    );
    assert.match(answer.body.errors[0]!.message, /Authorization/);
    assert.equal(stack.simulator.requests.length, 0);
  });

  it('answers UNAUTHENTICATED through the gateway when LiveDeflect refuses the credential the client sent', async () => {
    const answer = await gateway.query(`{ site(id: "${SITE_A}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}") { totalCount } } }`, undefined, {
      authorization: 'Bearer unknown-to-livedeflect',
    });

    assert.deepEqual(
      answer.body.errors?.map((error) => [error.path, error.extensions?.code]),
      [[['site', 'calls'], 'UNAUTHENTICATED']],
    );
    assert.deepEqual(
      stack.simulator.requests.map((request) => [request.authorization, request.status]),
      [['Bearer unknown-to-livedeflect', 401]],
    );
  });
});
