import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { bucketStart, windowsForBuckets } from '../../src/model/buckets.js';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type GraphQLAnswer, type Stack } from '../helpers/stack.js';

const SITE_A = '25508804';
const SITE_B = '38856538';

interface DiscoveredCall {
  readonly id: string;
  readonly callId: string;
  readonly beginTime: string;
  readonly siteId: string;
}

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Call { id callId beginTime site { id } }
    ... on Site { id }
  }
}`;

/** Spreads a sample over the list instead of taking its head, so the sample spans many buckets. */
function spread<T>(items: readonly T[], count: number): T[] {
  assert.ok(items.length >= count, `need ${count} items, have ${items.length}`);
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

describe('our subgraph answers _entities', () => {
  let stack: Stack;
  let calls: DiscoveredCall[];

  const entities = (representations: unknown[], headers?: Record<string, string>): Promise<GraphQLAnswer> =>
    stack.query(ENTITIES, { representations }, headers);

  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 3, now: () => TEST_NOW } });
    const range = (from: number) => `from: "${iso(from)}", to: "${iso(from + DAY_MS)}", first: 500`;
    const answer = await stack.query(`{
      a0: site(id: "${SITE_A}") { calls(${range(TEST_DAY)}) { nodes { id callId beginTime } } }
      a2: site(id: "${SITE_A}") { calls(${range(TEST_DAY + 2 * DAY_MS)}) { nodes { id callId beginTime } } }
      b0: site(id: "${SITE_B}") { calls(${range(TEST_DAY)}) { nodes { id callId beginTime } } }
    }`);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors?.slice(0, 3)));
    const data = answer.body.data as Record<string, { calls: { nodes: Omit<DiscoveredCall, 'siteId'>[] } }>;
    calls = [
      ...spread(data.a0!.calls.nodes, 40).map((call) => ({ ...call, siteId: SITE_A })),
      ...spread(data.a2!.calls.nodes, 30).map((call) => ({ ...call, siteId: SITE_A })),
      ...spread(data.b0!.calls.nodes, 30).map((call) => ({ ...call, siteId: SITE_B })),
    ];
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
  });
  after(() => stack.close());

  it('resolves 100 Call representations with one upstream request per distinct (site, window)', async () => {
    // Interleaved sites and days: the batch, not the order of representations, decides the windows.
    const shuffled = calls
      .map((call, i) => ({ call, key: (i * 37) % calls.length }))
      .sort((a, b) => a.key - b.key)
      .map(({ call }) => call);
    assert.equal(shuffled.length, 100);

    const answer = await entities(shuffled.map((call) => ({ __typename: 'Call', id: call.id })));

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors?.slice(0, 3)));
    assert.deepEqual(
      (answer.body.data as { _entities: unknown[] })._entities,
      shuffled.map((call) => ({ __typename: 'Call', id: call.id, callId: call.callId, beginTime: call.beginTime, site: { id: call.siteId } })),
    );
    const { bucketSizeMs, maxWindowMs } = stack.config;
    const expected = [SITE_A, SITE_B].flatMap((siteId) =>
      windowsForBuckets(
        calls.filter((call) => call.siteId === siteId).map((call) => bucketStart(Date.parse(call.beginTime), bucketSizeMs)),
        bucketSizeMs,
        maxWindowMs,
      ).map((window) => ({ siteId, ...window })),
    );
    assert.equal(expected.length, 3, 'site A on two days apart, site B on one day');
    const sent = stack.simulator.requests
      .map(({ siteId, startTime, endTime }) => ({ siteId, startTime, endTime }))
      .sort((a, b) => a.siteId.localeCompare(b.siteId) || a.startTime - b.startTime);
    assert.deepEqual(sent, expected);
  });

  it('answers each malformed representation (bad id, missing id, unknown type) with its own BAD_USER_INPUT error and null, and resolves the others', async () => {
    const [first, second] = calls;
    const answer = await entities([
      { __typename: 'Call', id: first!.id },
      { __typename: 'Call', id: 'not-a-call-id' },
      { __typename: 'Call', id: 42 },
      { __typename: 'Call' },
      { __typename: 'Site', id: 'no spaces allowed' },
      { __typename: 'Site' },
      { __typename: 'Ticket', id: 'T-1' },
      'not an object',
      { __typename: 'Site', id: SITE_B },
      { __typename: 'Call', id: second!.id },
    ]);

    assert.equal(answer.status, 200);
    const { _entities: resolved } = answer.body.data as { _entities: ({ id: string } | null)[] };
    assert.deepEqual(
      resolved.map((entity) => entity?.id ?? null),
      [first!.id, null, null, null, null, null, null, null, SITE_B, second!.id],
    );
    const errors = answer.body.errors ?? [];
    assert.deepEqual(
      errors.map((error) => [error.path, error.extensions?.code]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [1, 2, 3, 4, 5, 6, 7].map((index) => [['_entities', index], 'BAD_USER_INPUT']),
    );
    for (const error of errors) assert.doesNotMatch(error.message, /internal|undefined/i);
    // An unknown type used to fail the batch and leave the other entities' promises unobserved: one
    // rejecting then ended the process. The server still answers.
    assert.equal((await stack.query('{ __typename }')).status, 200);
  });

  it('attaches a federated trace (ftv1) when a router asks for one, and none otherwise', async () => {
    const representations = [{ __typename: 'Call', id: calls[0]!.id }];
    const traced = await entities(representations, { 'apollo-federation-include-trace': 'ftv1' });
    const plain = await entities(representations);

    assert.equal(traced.body.errors, undefined);
    const trace = traced.body.extensions?.ftv1;
    assert.equal(typeof trace, 'string');
    assert.ok(Buffer.from(trace as string, 'base64').length > 0);
    assert.equal(plain.body.extensions?.ftv1, undefined);
  });
});
