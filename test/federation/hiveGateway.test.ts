import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { getOperationAST, getVariableValues, parse } from 'graphql';
import { estimateCost } from '../../src/cost/estimateCost.js';
import { bucketsForRange, windowsForBuckets } from '../../src/model/buckets.js';
import { buildSchema } from '../../src/schema.js';
import { HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type GraphQLAnswer, type Stack } from '../helpers/stack.js';
import { agentNameOf, startConversationsSubgraph, type ConversationRecord, type ConversationsSubgraph } from './conversationsSubgraph.js';
import { composeWithGuildComposition, startHiveGateway, type FederationGateway } from './supergraph.js';

const SITE = '25508804';
const TOKEN = 'Bearer hive-client';
const OTHER_TOKEN = 'Bearer another-hive-client';
const FROM = TEST_DAY + 10 * HOUR_MS;
const TO = TEST_DAY + 16 * HOUR_MS;
/** One budget for Hive Gateway and for our own MAX_COST, as a platform team would set them. */
const MAX_COST = 1000;

/** A few operations on our subgraph alone, with the directives' every rule: weights, slicing, sized fields, assumed sizes, nesting. */
const OPERATIONS: readonly { readonly query: string; readonly variables?: Record<string, unknown> }[] = [
  {
    query: `{ site(id: "${SITE}") { id calls(from: "${iso(FROM)}", to: "${iso(TO)}", first: 20) { totalCount nodes { callId customerPhone { e164 } } } } }`,
  },
  {
    query: `query Paged($first: Int) { site(id: "${SITE}") { events(from: "${iso(FROM)}", to: "${iso(TO)}", first: $first) { pageInfo { hasNextPage } edges { cursor node { type call { stage } } } } } }`,
    variables: { first: 30 },
  },
  {
    query: `{ site(id: "${SITE}") { stats(from: "${iso(FROM)}", to: "${iso(TO)}") { totalCalls byStage { stage count } bySkill { skill totalCalls } } } }`,
  },
  {
    query: `{ site(id: "${SITE}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}", first: 8) { nodes { events { type time } dialedPhone { e164 } } } } }`,
  },
];

/** Over the budget at both: 1 + 100 + 500 x (call 1 + events 10 x 1). */
const OVER_BUDGET = `query Over($first: Int!) { site(id: "${SITE}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}", first: $first) { nodes { callId events { type } } } } }`;

function ourEstimate(query: string, variables: Record<string, unknown> = {}): number {
  const schema = buildSchema();
  const document = parse(query);
  const operation = getOperationAST(document)!;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  return estimateCost(schema, document, operation, coerced.coerced!, 10_000);
}

const estimatedByHive = (answer: GraphQLAnswer): unknown => (answer.body.extensions?.cost as { estimated?: unknown } | undefined)?.estimated;

describe('Hive Gateway (@graphql-hive/gateway-runtime) over our subgraph and the conversations subgraph', () => {
  let stack: Stack;
  let conversations: ConversationsSubgraph;
  let hive: FederationGateway;
  let records: ConversationRecord[];
  /** Every GraphQL request our subgraph received (the route only looks, then lets GraphQL answer). */
  const reachedUs: string[] = [];
  const recordGraphQL = (req: IncomingMessage): boolean => {
    if (req.method === 'POST' && req.url?.startsWith('/graphql')) reachedUs.push(req.headers.authorization ?? '');
    return false;
  };

  before(async () => {
    stack = await startStack({
      staticAuthorization: null,
      env: { MAX_COST: String(MAX_COST) },
      routes: [recordGraphQL],
      simulator: { callsPerHour: 3, now: () => TEST_NOW, credentials: { [TOKEN]: '*', [OTHER_TOKEN]: '*' } },
    });
    const discovered = await stack.query(
      `{ site(id: "${SITE}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}", first: 500) { nodes { id conversationId } } } }`,
      undefined,
      { authorization: TOKEN },
    );
    assert.equal(discovered.body.errors, undefined, JSON.stringify(discovered.body.errors));
    const calls = (discovered.body.data as { site: { calls: { nodes: { id: string; conversationId: string | null }[] } } }).site.calls.nodes;
    records = calls.flatMap((call) => (call.conversationId ? [{ id: call.conversationId, siteId: SITE, callId: call.id }] : []));
    assert.ok(records.length >= 3, `too few conversations: ${records.length}`);
    conversations = await startConversationsSubgraph(records);
    const composition = await composeWithGuildComposition({ livedeflect: `${stack.gatewayUrl}/graphql`, conversations: conversations.url });
    assert.deepEqual(composition.errors, []);
    hive = await startHiveGateway(composition.supergraphSdl!, { maxCost: MAX_COST });
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
    reachedUs.length = 0;
  });
  after(async () => {
    await hive?.close();
    await conversations?.close();
    await stack?.close();
  });

  it("answers a query that crosses both subgraphs, for one upstream request per distinct window, with the client's Authorization", async () => {
    const answer = await hive.query(
      `query Cross($site: ID!, $from: DateTime!, $to: DateTime!) {
        site(id: $site) {
          calls(from: $from, to: $to, first: 100) { totalCount nodes { id conversation { id agentName } } }
          openConversations
          stats(from: $from, to: $to) { totalCalls }
        }
      }`,
      { site: SITE, from: iso(FROM), to: iso(TO) },
      { authorization: TOKEN },
    );

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const site = (
      answer.body.data as {
        site: {
          calls: { totalCount: number; nodes: { id: string; conversation: { id: string; agentName: string } | null }[] };
          openConversations: number;
          stats: { totalCalls: number };
        };
      }
    ).site;
    assert.equal(site.openConversations, records.length);
    assert.equal(site.stats.totalCalls, site.calls.totalCount);
    const joined = site.calls.nodes.flatMap((call) => (call.conversation ? [call.conversation] : []));
    assert.deepEqual(
      joined,
      records.map((record) => ({ id: record.id, agentName: agentNameOf(record.id) })),
    );
    const { bucketSizeMs, maxWindowMs } = stack.config;
    const windows = windowsForBuckets(bucketsForRange(FROM, TO, bucketSizeMs), bucketSizeMs, maxWindowMs);
    assert.deepEqual(
      stack.simulator.requests.map(({ siteId, startTime, endTime, authorization }) => ({ siteId, startTime, endTime, authorization })),
      windows.map((window) => ({ siteId: SITE, ...window, authorization: TOKEN })),
    );
  });

  it('sends LiveDeflect the Authorization header the client sent to Hive Gateway', async () => {
    const answer = await hive.query(`{ site(id: "${SITE}") { calls(from: "${iso(FROM)}", to: "${iso(TO)}") { totalCount } } }`, undefined, {
      authorization: OTHER_TOKEN,
    });

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.deepEqual(reachedUs, [OTHER_TOKEN]);
    assert.deepEqual(new Set(stack.simulator.requests.map((request) => request.authorization)), new Set([OTHER_TOKEN]));
  });

  it('estimates each operation on our subgraph as we do, from the same @cost and @listSize', async () => {
    for (const { query, variables } of OPERATIONS) {
      const answer = await hive.query(query, variables, { authorization: TOKEN });
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
      assert.equal(estimatedByHive(answer), ourEstimate(query, variables), query);
    }
  });

  it('refuses an over-budget operation before any request reaches our subgraph, and passes the same operation under the budget', async () => {
    const refused = await hive.query(OVER_BUDGET, { first: 500 }, { authorization: TOKEN });

    assert.equal(refused.body.data ?? null, null);
    assert.deepEqual(
      refused.body.errors?.map((error) => error.extensions?.code),
      ['COST_ESTIMATED_TOO_EXPENSIVE'],
    );
    const refusedCost = (refused.body.errors[0]!.extensions?.cost as { estimated: number }).estimated;
    assert.equal(refusedCost, ourEstimate(OVER_BUDGET, { first: 500 }));
    assert.ok(refusedCost > MAX_COST);
    assert.deepEqual(reachedUs, []);
    assert.equal(stack.simulator.requests.length, 0);

    const passed = await hive.query(OVER_BUDGET, { first: 50 }, { authorization: TOKEN });
    assert.equal(passed.body.errors, undefined, JSON.stringify(passed.body.errors));
    assert.ok((estimatedByHive(passed) as number) <= MAX_COST);
    assert.deepEqual(reachedUs, [TOKEN]);
    assert.ok(stack.simulator.requests.length > 0);
  });

  it('is refused by our own MAX_COST with the same cost when sent to us directly', async () => {
    const direct = await stack.query(OVER_BUDGET, { first: 500 }, { authorization: TOKEN });

    assert.equal(direct.status, 400);
    assert.equal(direct.body.errors?.[0]?.extensions?.limit, 'MAX_COST');
    assert.equal(direct.body.errors?.[0]?.extensions?.found, ourEstimate(OVER_BUDGET, { first: 500 }));
    assert.equal(stack.simulator.requests.length, 0);
  });
});
