import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { errorCodes, startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const day = `from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}"`;

describe('bad input', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 2, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  const cases: [string, string, RegExp][] = [
    ['from equal to to', `calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY)}") { totalCount }`, /"from" must be earlier than "to"/],
    ['from after to', `calls(from: "${iso(TEST_DAY + HOUR_MS)}", to: "${iso(TEST_DAY)}") { totalCount }`, /earlier/],
    ['a range over 31 days', `calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 32 * DAY_MS)}") { totalCount }`, /longer than the 31d allowed/],
    ['first below 0', `calls(${day}, first: -1) { totalCount }`, /"first" must be from 0 to 500/],
    ['first above 500', `calls(${day}, first: 501) { totalCount }`, /"first" must be from 0 to 500/],
    ['a cursor that is not one', `calls(${day}, after: "xyz") { totalCount }`, /not a cursor of calls/],
    ['a events range over 31 days', `events(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 40 * DAY_MS)}") { totalCount }`, /longer than/],
    ['a huge first', `calls(${day}, first: 100000) { totalCount }`, /"first" must be from 0 to 500/],
    ['a range before 1970', `calls(from: "1969-12-31T00:00:00Z", to: "1970-01-01T01:00:00Z") { totalCount }`, /before 1970/],
  ];
  for (const [name, field, message] of cases) {
    it(`answers ${name} with BAD_USER_INPUT saying what to change, and no upstream request`, async () => {
      stack.simulator.clearRequests();
      const answer = await stack.query(`{ site(id: "${SITE}") { ${field} } }`);
      assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
      assert.match(answer.body.errors![0]!.message, message);
      assert.equal(stack.simulator.requests.length, 0);
    });
  }

  it('refuses a cursor made by another field', async () => {
    const events = await stack.query(`{ site(id: "${SITE}") { events(${day}, first: 1) { pageInfo { endCursor } } } }`);
    const cursor = (events.body.data as { site: { events: { pageInfo: { endCursor: string } } } }).site.events.pageInfo.endCursor;
    const answer = await stack.query(`query($after: String) { site(id: "${SITE}") { calls(${day}, after: $after) { totalCount } } }`, {
      after: cursor,
    });
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
    assert.match(answer.body.errors![0]!.message, /pass pageInfo.endCursor from the previous page of this same field/);
  });

  it('refuses a cursor made with the other order', async () => {
    const asc = await stack.query(`{ site(id: "${SITE}") { calls(${day}, first: 1) { pageInfo { endCursor } } } }`);
    const cursor = (asc.body.data as { site: { calls: { pageInfo: { endCursor: string } } } }).site.calls.pageInfo.endCursor;
    const answer = await stack.query(`query($after: String) { site(id: "${SITE}") { calls(${day}, order: DESC, after: $after) { totalCount } } }`, {
      after: cursor,
    });
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
  });

  it('answers a malformed call id with BAD_USER_INPUT', async () => {
    const answer = await stack.query(`{ call(id: "not-a-call-id") { callId } }`);
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
    assert.match(answer.body.errors![0]!.message, /is not a Call id/);
  });

  for (const id of ['25508804; DROP', 'abc', '']) {
    it(`answers the site id ${JSON.stringify(id)} with BAD_USER_INPUT and no upstream request`, async () => {
      stack.simulator.clearRequests();
      const answer = await stack.query(`query($id: ID!) { site(id: $id) { id calls(${day}) { totalCount } } }`, { id });
      assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
      assert.match(answer.body.errors![0]!.message, /digits only/);
      assert.equal(stack.simulator.requests.length, 0);
    });
  }

  it('answers first: 0 with the count and no calls', async () => {
    const answer = await stack.query(
      `{ site(id: "${SITE}") { calls(${day}, first: 0) { totalCount nodes { callId } pageInfo { hasNextPage endCursor } } } }`,
    );
    const calls = (
      answer.body.data as { site: { calls: { totalCount: number; nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: null } } } }
    ).site.calls;
    assert.ok(calls.totalCount > 0);
    assert.deepEqual(calls.nodes, []);
    assert.deepEqual(calls.pageInfo, { hasNextPage: true, endCursor: null });
  });

  for (const from of ['yesterday', '2026-02-30T00:00:00Z']) {
    it(`answers the date ${from} in a variable with BAD_USER_INPUT naming the format`, async () => {
      const answer = await stack.query(
        `query($from: DateTime!) { site(id: "${SITE}") { calls(from: $from, to: "${iso(TEST_DAY)}") { totalCount } } }`,
        {
          from,
        },
      );
      assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
      assert.match(answer.body.errors![0]!.message, /ISO-8601/);
    });
  }

  it('answers a date literal that does not exist as an invalid document, naming the format', async () => {
    const answer = await stack.query(`{ site(id: "${SITE}") { calls(from: "2026-02-30T00:00:00Z", to: "2026-03-02T00:00:00Z") { totalCount } } }`);
    assert.deepEqual(errorCodes(answer), ['GRAPHQL_VALIDATION_FAILED']);
    assert.match(answer.body.errors![0]!.message, /ISO-8601/);
  });
});

describe('no credential', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      staticAuthorization: null,
      simulator: { callsPerHour: 2, now: () => TEST_NOW },
    });
  });
  beforeEach(() => {
    stack.simulator.clearFaults();
    stack.simulator.clearRequests();
    stack.gateway.memory.clear();
  });
  after(() => stack.close());

  it('answers no credential with UNAUTHENTICATED at once, sending nothing upstream', async () => {
    const answer = await stack.query(`{ site(id: "${SITE}") { id calls(${day}) { totalCount } } }`);
    assert.deepEqual(errorCodes(answer), ['UNAUTHENTICATED']);
    assert.deepEqual(answer.body.data, { site: { id: SITE, calls: null } });
    assert.equal(stack.simulator.requests.length, 0);
  });
});

describe('the request the upstream receives', () => {
  it('is a POST of siteId, startTime and endTime as strings, with JSON headers', async () => {
    const seen: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string }[] = [];
    const upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":"true","data":{}}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const stack = await startStack({ env: { LIVEDEFLECT_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } });
    try {
      const answer = await stack.query(
        `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + HOUR_MS)}") { totalCount } } }`,
      );
      assert.equal((answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount, 0);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.method, 'POST');
      assert.equal(seen[0]!.url, '/api/getLiveDeflectData/v2');
      assert.equal(seen[0]!.headers!['content-type'], 'application/json');
      assert.equal(seen[0]!.headers!.accept, 'application/json');
      assert.equal(seen[0]!.headers!.authorization, 'Bearer test');
      assert.deepEqual(JSON.parse(seen[0]!.body!), { siteId: SITE, startTime: String(TEST_DAY), endTime: String(TEST_DAY + HOUR_MS) });
    } finally {
      await stack.close();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

describe('the HTTP edge', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 2, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  it('redirects / to /graphql', async () => {
    const response = await fetch(`${stack.gatewayUrl}/`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/graphql');
  });

  it('answers an unknown path with 404 in the GraphQL error shape', async () => {
    const response = await fetch(`${stack.gatewayUrl}/nope`);
    assert.equal(response.status, 404);
    assert.deepEqual(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'NOT_FOUND');
  });

  it('answers a request target it cannot parse with 400, not 500', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const socket = connect(stack.gateway.port, '127.0.0.1', () =>
        socket.end('GET http://[bad/graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), body: text }));
      socket.on('error', reject);
    });
    assert.equal(answer.status, 400);
    assert.match(answer.body, /BAD_REQUEST/);
  });
});
