import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { errorCodes, startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const callIdAt = (beginTime: number, callId = '42') => Buffer.from(`Call:${SITE}:${beginTime}:${callId}`).toString('base64url');
/** 16 digits, as an id holds them: in the year 287,000 or so. */
const FAR_FUTURE = 9_000_000_000_000_000;

const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Call { callId } } }`;

describe('Call ids name a time a call can have begun', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 2, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  for (const [what, time] of [
    ['the year 287,000', FAR_FUTURE],
    ['two days from now', Date.now() + 2 * DAY_MS],
  ] as const) {
    it(`call(id) beginning in ${what} is BAD_USER_INPUT, and nothing is sent upstream`, async () => {
      stack.simulator.clearRequests();
      const answer = await stack.query('query ($id: ID!) { call(id: $id) { callId } }', { id: callIdAt(time) });
      assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
      assert.match(answer.body.errors![0]!.message, /after tomorrow/);
      assert.deepEqual(answer.body.data, { call: null });
      assert.equal(stack.simulator.requests.length, 0);
    });
  }

  it('in _entities, an id beginning in the far future fails alone; a call of a past day still resolves', async () => {
    const days = await stack.query(
      `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 1) { nodes { id callId } } } }`,
    );
    const [real] = (days.body.data!.site as { calls: { nodes: { id: string; callId: string }[] } }).calls.nodes;
    stack.simulator.clearRequests();
    const answer = await stack.query(ENTITIES, {
      representations: [
        { __typename: 'Call', id: callIdAt(FAR_FUTURE) },
        { __typename: 'Call', id: real!.id },
      ],
    });
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
    assert.deepEqual(answer.body.errors![0]!.path, ['_entities', 0]);
    assert.deepEqual(answer.body.data, { _entities: [null, { callId: real!.callId }] });
    assert.ok(
      stack.simulator.requests.every((request) => request.startTime < Date.now()),
      'no far-future window was asked for',
    );
  });

  it('an answer marked Cache-Control private carries Vary: Authorization', async () => {
    const answer = await stack.query(`{ site(id: "${SITE}") { stats(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}") { totalCalls } } }`);
    assert.equal(answer.body.errors, undefined);
    assert.match(answer.headers.get('cache-control') ?? '', /private/);
    assert.match(answer.headers.get('vary') ?? '', /(^|, *)Authorization(,|$)/i);
  });

  it('an answer that may not be cached says no-store, and needs no Vary', async () => {
    const answer = await stack.query('{ call(id: "nope") { callId } }');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(answer.headers.get('vary') ?? '', /authorization/i);
  });
});
