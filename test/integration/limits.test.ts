import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Lexer, Source, TokenKind } from 'graphql';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { captureLog } from '../helpers/logCapture.js';
import { startStack, type GraphQLAnswer, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const RANGE = `from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}"`;

function assertPasses(answer: GraphQLAnswer): void {
  assert.equal(answer.status, 200, JSON.stringify(answer.body.errors));
  assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
}

function assertRefused(answer: GraphQLAnswer, limit: string, max: number): void {
  assert.equal(answer.status, 400);
  assert.equal(answer.body.data, undefined);
  assert.equal(answer.body.errors?.length, 1);
  const [error] = answer.body.errors;
  assert.equal(error!.extensions?.code, 'QUERY_TOO_COMPLEX');
  assert.equal(error!.extensions?.limit, limit);
  assert.equal(error!.extensions?.max, max);
  // The message names the setting and its value, and says what to change.
  assert.ok(error!.message.includes(limit) && error!.message.includes(String(max)), error!.message);
  assert.match(error!.message, /split|smaller|fewer/);
}

function tokenCount(document: string): number {
  const lexer = new Lexer(new Source(document));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}

/** A valid query exactly `depth` fields deep, walking site -> calls -> nodes -> site ... and ending on a scalar. */
function queryOfDepth(depth: number): string {
  return `{ site(id: "${SITE}") { ${siteSelectionOfDepth(depth - 1)} } }`;
}

/** A selection on Site that is `depth` fields deep. */
function siteSelectionOfDepth(depth: number): string {
  const objects = [`calls(${RANGE}, first: 1)`, 'nodes', 'site'];
  const leaves = ['id', 'totalCount', 'callId'];
  let selection = leaves[(depth - 1) % 3]!;
  for (let level = depth - 1; level >= 1; level--) selection = `${objects[(level - 1) % 3]} { ${selection} }`;
  return selection;
}

/** Aliased root fields: each alias is also a root field. */
const aliasedSites = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `s${i}: site(id: "${SITE}") { id }`).join(' ')} }`;

/** `count` root fields and no alias: the same field repeated merges into one answer key. */
const repeatedRootFields = (count: number) => `{ ${Array.from({ length: count }, () => `site(id: "${SITE}") { id }`).join(' ')} }`;

/** A document of exactly `tokens` tokens: a list argument absorbs the difference, one token per string. */
function queryOfTokens(tokens: number): string {
  const build = (strings: number) =>
    `{ site(id: "${SITE}") { calls(${RANGE}, first: 0, filter: { skills: [${'"x" '.repeat(strings)}] }) { totalCount } } }`;
  const document = build(tokens - tokenCount(build(0)));
  assert.equal(tokenCount(document), tokens);
  return document;
}

/**
 * site 1 + calls 100 + 500 nodes x (call 1 + k customerPhone objects; scalars are free): the largest k
 * within maxCost and one more object past it.
 */
function queriesAroundCost(maxCost: number): { under: string; over: string } {
  const objects = Math.floor((maxCost - 101) / 500) - 1;
  const build = (k: number) => `{ site(id: "${SITE}") { calls(${RANGE}, first: 500) { nodes { callId ${'customerPhone { e164 } '.repeat(k)} } } } }`;
  return { under: build(objects), over: build(objects + 1) };
}

describe('request limits at their defaults', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 2, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  it('MAX_DEPTH: a query just at the depth limit passes, one level deeper is QUERY_TOO_COMPLEX', async () => {
    const { maxDepth } = stack.config;
    assertPasses(await stack.query(queryOfDepth(maxDepth)));
    assertRefused(await stack.query(queryOfDepth(maxDepth + 1)), 'MAX_DEPTH', maxDepth);
  });

  it('MAX_DEPTH counts the fields of a fragment at the depth it is spread, and the spread itself as no level', async () => {
    const { maxDepth } = stack.config;
    const spread = (depth: number) => `{ site(id: "${SITE}") { ...Deep } } fragment Deep on Site { ${siteSelectionOfDepth(depth - 1)} }`;
    assertPasses(await stack.query(spread(maxDepth)));
    assertRefused(await stack.query(spread(maxDepth + 1)), 'MAX_DEPTH', maxDepth);
  });

  it('MAX_ALIASES: as many aliases as allowed pass, one more is QUERY_TOO_COMPLEX', async () => {
    const { maxAliases } = stack.config;
    assertPasses(await stack.query(aliasedSites(maxAliases)));
    assertRefused(await stack.query(aliasedSites(maxAliases + 1)), 'MAX_ALIASES', maxAliases);
  });

  it('MAX_ROOT_FIELDS: as many root fields as allowed pass, one more is QUERY_TOO_COMPLEX with the count found', async () => {
    const { maxRootFields } = stack.config;
    assertPasses(await stack.query(repeatedRootFields(maxRootFields)));
    const refused = await stack.query(repeatedRootFields(maxRootFields + 1));
    assertRefused(refused, 'MAX_ROOT_FIELDS', maxRootFields);
    assert.equal(refused.body.errors![0]!.extensions?.found, maxRootFields + 1);
  });

  it('MAX_TOKENS: a document of exactly the token limit passes, one token more is refused before parsing', async () => {
    const { maxTokens } = stack.config;
    assertPasses(await stack.query(queryOfTokens(maxTokens)));
    assertRefused(await stack.query(queryOfTokens(maxTokens + 1)), 'MAX_TOKENS', maxTokens);
    // Refused by count alone: a document that would not even parse is refused the same way.
    assertRefused(await stack.query(`{ ${'{ '.repeat(maxTokens)}`), 'MAX_TOKENS', maxTokens);
  });

  it('MAX_COST: a page costs its first times each item; just within passes, one object more is refused', async () => {
    const { maxCost } = stack.config;
    const { under, over } = queriesAroundCost(maxCost);
    assertPasses(await stack.query(under));
    const refused = await stack.query(over);
    assertRefused(refused, 'MAX_COST', maxCost);
    assert.ok((refused.body.errors![0]!.extensions?.found as number) > maxCost);
  });

  it('the limits pass the dashboard operation: 25 aliases, depth 7, five ranges, twenty Query.call lookups', async () => {
    const listing = await stack.query(`{ site(id: "${SITE}") { calls(${RANGE}, first: 20) { nodes { id } } } }`);
    assertPasses(listing);
    const ids = (listing.body.data as { site: { calls: { nodes: { id: string }[] } } }).site.calls.nodes.map((node) => node.id);
    assert.equal(ids.length, 20);
    const callFields = `id callId beginTime skill stage conversationId customerPhone { e164 } dialedPhone { e164 } callerInfo
      lastEventTime events { type rawType info time }`;
    const ranges = Array.from(
      { length: 4 },
      (_, i) => `r${i}: calls(from: "${iso(TEST_DAY + i * 6 * 3_600_000)}", to: "${iso(TEST_DAY + (i + 1) * 6 * 3_600_000)}", first: 500) {
        totalCount pageInfo { hasNextPage endCursor } nodes { ${callFields} } }`,
    );
    const dashboard = `query Dashboard {
      site(id: "${SITE}") { ${ranges.join('\n')} }
      day: site(id: "${SITE}") { calls(${RANGE}, first: 100) { totalCount edges { cursor node { ${callFields} } } } }
      ${ids.map((id, i) => `c${i}: call(id: "${id}") { ${i === 0 ? `site { calls(${RANGE}, first: 5) { nodes { events { call { callId } } } } }` : callFields} }`).join('\n')}
    }`;
    const answer = await stack.query(dashboard);
    assertPasses(answer);
    const data = answer.body.data!;
    assert.equal(Object.keys(data).length, 22);
    assert.ok((data.c0 as { site: { calls: { nodes: unknown[] } } }).site.calls.nodes.length > 0);
  });

  it('fragments spread into each other many times are refused, not expanded without end', async () => {
    const levels = 20;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Site { id }` : `fragment F${i} on Site { ...F${i + 1} ...F${i + 1} }`,
    );
    const answer = await stack.query(`{ site(id: "${SITE}") { ...F0 } } ${fragments.join(' ')}`);
    // The document is small and shallow; what it expands to (2^19 fields) is not.
    assertRefused(answer, 'MAX_COST', stack.config.maxCost);
    assert.match(answer.body.errors![0]!.message, /fragments/);
  });

  it('introspection is not counted against the limits, so GraphiQL can always load the schema', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    assertPasses(await stack.query(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true })));
  });
});

describe('request limits set by configuration', () => {
  let stack: Stack;
  const log = captureLog('info');
  before(async () => {
    stack = await startStack({
      logger: log.logger,
      simulator: { callsPerHour: 2, now: () => TEST_NOW },
      env: { MAX_DEPTH: '6', MAX_ALIASES: '2', MAX_ROOT_FIELDS: '3', MAX_TOKENS: '60', MAX_COST: '401' },
    });
  });
  after(() => stack.close());

  it('each limit follows its setting', async () => {
    assertPasses(await stack.query(queryOfDepth(6)));
    assertRefused(await stack.query(queryOfDepth(7)), 'MAX_DEPTH', 6);
    assertPasses(await stack.query(aliasedSites(2)));
    assertRefused(await stack.query(aliasedSites(3)), 'MAX_ALIASES', 2);
    assertPasses(await stack.query(repeatedRootFields(3)));
    assertRefused(await stack.query(repeatedRootFields(4)), 'MAX_ROOT_FIELDS', 3);
    assertPasses(await stack.query(queryOfTokens(60)));
    assertRefused(await stack.query(queryOfTokens(61)), 'MAX_TOKENS', 60);
  });

  it('cost uses the variables sent and the schema default of first', async () => {
    const query = `query($first: Int) { site(id: "${SITE}") { calls(${RANGE}, first: $first) { totalCount nodes { id } } } }`;
    // site 1 + calls 100 + first x (call 1)
    assertPasses(await stack.query(query, { first: 300 }));
    assertRefused(await stack.query(query, { first: 301 }), 'MAX_COST', 401);
    // Verdicts are remembered per document and variables: asking again gives the same answers.
    assertPasses(await stack.query(query, { first: 300 }));
    assertRefused(await stack.query(query, { first: 301 }), 'MAX_COST', 401);
    // Six objects an item (call, site, phone; edge, call, site): 101 + 50 x 6 = 401 with the schema's default of 50, and 101 + 51 x 6 with one more.
    const sixAnItem = (first: string) =>
      `{ site(id: "${SITE}") { calls(${RANGE}${first}) { nodes { site { id } customerPhone { e164 } } edges { node { site { id } } } } } }`;
    assertPasses(await stack.query(sixAnItem('')));
    assertRefused(await stack.query(sixAnItem(', first: 51')), 'MAX_COST', 401);
  });

  it('nested pages multiply: a range inside a page costs its weight for every item of the page', async () => {
    // site 1 + calls 100 + outer x (call 1 + site 1 + calls 100) = 101 + 102 x outer
    const nested = (outer: number) =>
      `{ site(id: "${SITE}") { calls(${RANGE}, first: ${outer}) { nodes { site { calls(${RANGE}, first: 1) { totalCount } } } } } }`;
    assertPasses(await stack.query(nested(2)));
    assertRefused(await stack.query(nested(3)), 'MAX_COST', 401);
  });

  it("a refused request is the client's mistake: the gateway logs no error for it", async () => {
    const mark = log.records().length;
    assertRefused(await stack.query(queryOfDepth(7)), 'MAX_DEPTH', 6);
    const records = log.records().slice(mark);
    const refusals = records.filter((record) => record.msg === 'graphql operation' && (record.errorCodes as string[]).includes('QUERY_TOO_COMPLEX'));
    assert.equal(refusals.length, 1, 'the refusal is logged as an operation');
    assert.deepEqual(
      records.filter((record) => (record.level as number) >= 50),
      [],
    );
  });

  it('a query with invalid variables gets the usual BAD_USER_INPUT, not a cost error', async () => {
    const answer = await stack.query(`query($first: Int) { site(id: "${SITE}") { calls(${RANGE}, first: $first) { totalCount } } }`, {
      first: 'many',
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });
});

describe('the HTTP edge refuses malformed requests with a clear 4xx', () => {
  let stack: Stack;
  let url: string;
  before(async () => {
    stack = await startStack();
    url = `${stack.gatewayUrl}/graphql`;
  });
  after(() => stack.close());

  async function send(init: RequestInit, path = ''): Promise<{ status: number; body: GraphQLAnswer['body'] }> {
    const response = await fetch(`${url}${path}`, init);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    return { status: response.status, body: (await response.json()) as GraphQLAnswer['body'] };
  }

  function assertError(answer: { status: number; body: GraphQLAnswer['body'] }, status: number, code: string, message: RegExp): void {
    assert.equal(answer.status, status);
    assert.equal(answer.body.errors?.length, 1);
    assert.equal(answer.body.errors[0]!.extensions?.code, code);
    assert.match(answer.body.errors[0]!.message, message);
  }

  it('a 10 MiB body with its length declared gets 413', async () => {
    const answer = await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(10 * 1024 * 1024) });
    assertError(answer, 413, 'PAYLOAD_TOO_LARGE', /at most 1048576/);
  });

  it('a 10 MiB body sent in chunks without a length gets 413 once it passes the limit', async () => {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 10; i++) req.write(chunk);
      req.end();
    });
    assert.equal(status, 413);
    assert.equal((JSON.parse(text) as GraphQLAnswer['body']).errors?.[0]?.extensions?.code, 'PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON gets 400 saying what to send', async () => {
    const answer = await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ __typename }"' });
    assertError(answer, 400, 'BAD_REQUEST', /not valid JSON.*send \{"query"/);
  });

  it('a wrong content type gets 400', async () => {
    assertError(
      await send({ method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<query/>' }),
      400,
      'BAD_REQUEST',
      /invalid Content-Type/,
    );
    // text/plain is what a cross-site form can send: CSRF prevention refuses it and says which header to use.
    assertError(
      await send({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }),
      400,
      'BAD_REQUEST',
      /Cross-Site Request Forgery.*content-type/,
    );
  });

  it('a GET without a query gets 400', async () => {
    assertError(await send({ headers: { 'apollo-require-preflight': 'true' } }), 400, 'BAD_REQUEST', /non-empty `query`/);
    assertError(await send({ headers: { accept: 'application/json' } }), 400, 'BAD_REQUEST', /Cross-Site Request Forgery/);
  });

  it('a GET with a query and a preflight header is answered; a mutation-free GET is the only kind allowed', async () => {
    const answer = await send({ headers: { 'apollo-require-preflight': 'true' } }, `?query=${encodeURIComponent('{ __typename }')}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, { __typename: 'Query' });
  });

  it('batched requests are refused by default', async () => {
    const body = JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    assertError(await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body }), 400, 'BAD_REQUEST', /batching disabled/);
  });

  it('other methods get 405', async () => {
    const answer = await send({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    assert.equal(answer.status, 405);
  });
});
