import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { errorCodes, startStack, type GraphQLAnswer, type Stack } from '../helpers/stack.js';

const SITES = ['25508804', '31415926', '27182818', '16180339'];
const MAX_WINDOWS = 5;

const days = (site: string, from: number, count: number) =>
  `site(id: "${site}") { stats(from: "${iso(from)}", to: "${iso(from + count * DAY_MS)}") { totalCalls } }`;
const callIdAt = (beginTime: number) => Buffer.from(`Call:${SITES[0]}:${beginTime}:4711`).toString('base64url');
const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Call { callId } } }`;

function assertOverBudget(answer: GraphQLAnswer, max: number, found?: number): void {
  assert.equal(answer.status, 400, JSON.stringify(answer.body));
  assert.equal(answer.body.data, undefined);
  const [error] = answer.body.errors!;
  assert.equal(error!.extensions?.code, 'QUERY_TOO_COMPLEX');
  assert.equal(error!.extensions?.limit, 'MAX_OPERATION_WINDOWS');
  assert.equal(error!.extensions?.max, max);
  // Exact while the estimate is small; a lower bound once it is certainly over (the walk stops there).
  assert.ok(Number(error!.extensions?.found) > max);
  if (found !== undefined) assert.equal(error!.extensions?.found, found);
  assert.match(error!.message, /MAX_OPERATION_WINDOWS/);
  assert.match(error!.message, /shorter ranges|split/);
}

describe('the upstream window budget of an operation (MAX_OPERATION_WINDOWS)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { MAX_OPERATION_WINDOWS: String(MAX_WINDOWS) }, simulator: { callsPerHour: 1, now: () => TEST_NOW } });
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
  });
  after(() => stack.close());

  it('five days of one site from midnight (five windows) pass; six are refused before any upstream request', async () => {
    assert.equal((await stack.query(`{ ${days(SITES[0]!, TEST_DAY, 5)} }`)).body.errors, undefined);
    assert.equal(stack.simulator.requests.length, 5);
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
    assertOverBudget(await stack.query(`{ ${days(SITES[0]!, TEST_DAY, 6)} }`), MAX_WINDOWS, 6);
    assert.equal(stack.simulator.requests.length, 0);
  });

  it('counts windows, not fields: ten aliases of one day and nested calls on it are one window', async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: ${days(SITES[0]!, TEST_DAY, 1)}`).join(' ');
    const nested = `n: site(id: "${SITES[0]}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 1) { nodes { site { events(from: "${iso(TEST_DAY + HOUR_MS)}", to: "${iso(TEST_DAY + 2 * HOUR_MS)}", first: 1) { totalCount } } } } }`;
    const answer = await stack.query(`{ ${aliases} ${nested} }`);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.equal(stack.simulator.requests.length, 1);
  });

  it('sites add up: three days on each of two sites are six windows', async () => {
    const answer = await stack.query(`{ a: ${days(SITES[0]!, TEST_DAY, 3)} b: ${days(SITES[1]!, TEST_DAY, 3)} }`);
    assertOverBudget(answer, MAX_WINDOWS, 6);
    assert.equal(stack.simulator.requests.length, 0);
  });

  it('ranges passed in variables are counted like literals', async () => {
    const query = 'query ($site: ID!, $from: DateTime!, $to: DateTime!) { site(id: $site) { calls(from: $from, to: $to, first: 1) { totalCount } } }';
    assertOverBudget(await stack.query(query, { site: SITES[0], from: iso(TEST_DAY), to: iso(TEST_DAY + 8 * DAY_MS) }), MAX_WINDOWS, 8);
    assert.equal(stack.simulator.requests.length, 0);
  });

  it('Query.call lookups count the windows of the buckets their ids name', async () => {
    const lookups = (spacing: number) =>
      `{ ${Array.from({ length: 6 }, (_, i) => `c${i}: call(id: "${callIdAt(TEST_DAY + i * spacing)}") { callId }`).join(' ')} }`;
    assertOverBudget(await stack.query(lookups(2 * DAY_MS)), MAX_WINDOWS, 6);
    assert.equal(stack.simulator.requests.length, 0);
    // Six hours of one day: one window.
    assert.equal((await stack.query(lookups(HOUR_MS))).body.errors, undefined);
    assert.equal(stack.simulator.requests.length, 1);
  });

  it('_entities with forged Call ids over many days is refused before any request; over one day it is one window', async () => {
    const representations = (spacing: number) =>
      Array.from({ length: 500 }, (_, i) => ({ __typename: 'Call', id: callIdAt(TEST_DAY - 1_000 * DAY_MS + i * spacing) }));
    assertOverBudget(await stack.query(ENTITIES, { representations: representations(2 * DAY_MS) }), MAX_WINDOWS);
    assert.equal(stack.simulator.requests.length, 0);
    const oneDay = await stack.query(ENTITIES, { representations: representations(60_000) });
    assert.equal(oneDay.body.errors, undefined);
    assert.equal(stack.simulator.requests.length, 1);
  });

  it('a range the resolver refuses (longer than MAX_RANGE) costs no budget and fails as BAD_USER_INPUT', async () => {
    const answer = await stack.query(`{ ${days(SITES[0]!, TEST_DAY, 40)} }`);
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
    assert.equal(stack.simulator.requests.length, 0);
  });
});

describe('the window budget at its default', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 1, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  it('fifty aliased sites of 31-day stats (5 KB, 1,550 windows) are refused at once with the default of 96', async () => {
    const sites = Array.from({ length: 50 }, (_, i) => `s${i}: ${days(String(10_000_000 + i), TEST_DAY - 40 * DAY_MS, 31)}`).join(' ');
    assertOverBudget(await stack.query(`{ ${sites} }`), 96);
    assert.equal(stack.simulator.requests.length, 0);
  });
});

describe('batched requests (ALLOW_BATCHED_REQUESTS=true)', () => {
  let stack: Stack;
  const batch = async (operations: { query: string }[]): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(operations),
    });
    return { status: response.status, body: await response.json() };
  };
  before(async () => {
    stack = await startStack({
      env: { ALLOW_BATCHED_REQUESTS: 'true', MAX_OPERATION_WINDOWS: String(MAX_WINDOWS), MAX_COST: '1000' },
      simulator: { callsPerHour: 1, now: () => TEST_NOW },
    });
  });
  beforeEach(() => {
    stack.gateway.memory.clear();
    stack.simulator.clearRequests();
  });
  after(() => stack.close());

  it('MAX_BATCH_SIZE (default 10): ten operations are answered, eleven are refused as a whole with limit and max', async () => {
    const ten = await batch(Array.from({ length: 10 }, () => ({ query: '{ __typename }' })));
    assert.equal(ten.status, 200);
    assert.equal((ten.body as unknown[]).length, 10);
    const eleven = await batch(Array.from({ length: 11 }, () => ({ query: '{ __typename }' })));
    assert.equal(eleven.status, 400);
    const [error] = (eleven.body as { errors: { message: string; extensions: Record<string, unknown> }[] }).errors;
    assert.deepEqual(error!.extensions, { code: 'QUERY_TOO_COMPLEX', limit: 'MAX_BATCH_SIZE', max: 10, found: 11 });
    assert.match(error!.message, /MAX_BATCH_SIZE/);
  });

  it('the window budget holds for the batch as a whole: two operations of three days each are six windows, one is refused', async () => {
    const answers = (await batch([{ query: `{ ${days(SITES[0]!, TEST_DAY, 3)} }` }, { query: `{ ${days(SITES[1]!, TEST_DAY, 3)} }` }]))
      .body as GraphQLAnswer['body'][];
    const refused = answers.filter((answer) => answer.errors?.[0]?.extensions?.limit === 'MAX_OPERATION_WINDOWS');
    assert.equal(refused.length, 1, JSON.stringify(answers));
    assert.equal(refused[0]!.errors![0]!.extensions?.max, MAX_WINDOWS);
    assert.equal(stack.simulator.requests.length, 3);
  });

  it('operations of a batch naming the same windows count them once', async () => {
    const answers = (await batch([0, 1, 2].map(() => ({ query: `{ ${days(SITES[0]!, TEST_DAY, 3)} }` })))).body as GraphQLAnswer['body'][];
    assert.ok(
      answers.every((answer) => answer.errors === undefined),
      JSON.stringify(answers),
    );
    assert.equal(stack.simulator.requests.length, 3);
  });

  it('field costs add up across the batch against MAX_COST', async () => {
    // site 1 + calls 100 + 100 nodes x (call 1 + customerPhone 1) = 301; three fit in 1000, four do not.
    const query = `{ site(id: "${SITES[0]}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + HOUR_MS)}", first: 100) { nodes { callId customerPhone { e164 } } } } }`;
    const answers = (await batch([0, 1, 2, 3].map(() => ({ query })))).body as GraphQLAnswer['body'][];
    const refused = answers.filter((answer) => answer.errors?.[0]?.extensions?.limit === 'MAX_COST');
    assert.equal(refused.length, 1, JSON.stringify(answers.map((answer) => answer.errors)));
    assert.match(refused[0]!.errors![0]!.message, /batch/);
  });
});
