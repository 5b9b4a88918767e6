import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { errorCodes, startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const OTHER = '38856538';
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
    const answer = await stack.query(`query($after: String) { site(id: "${SITE}") { calls(${day}, after: $after) { totalCount } } }`, { after: cursor });
    assert.deepEqual(errorCodes(answer), ['BAD_USER_INPUT']);
    assert.match(answer.body.errors![0]!.message, /pass pageInfo.endCursor from the previous page of this same field/);
  });

  it('refuses a cursor made with the other order', async () => {
    const asc = await stack.query(`{ site(id: "${SITE}") { calls(${day}, first: 1) { pageInfo { endCursor } } } }`);
    const cursor = (asc.body.data as { site: { calls: { pageInfo: { endCursor: string } } } }).site.calls.pageInfo.endCursor;
    const answer = await stack.query(`query($after: String) { site(id: "${SITE}") { calls(${day}, order: DESC, after: $after) { totalCount } } }`, { after: cursor });
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
    const answer = await stack.query(`{ site(id: "${SITE}") { calls(${day}, first: 0) { totalCount nodes { callId } pageInfo { hasNextPage endCursor } } } }`);
    const calls = (answer.body.data as { site: { calls: { totalCount: number; nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: null } } } }).site.calls;
    assert.ok(calls.totalCount > 0);
    assert.deepEqual(calls.nodes, []);
    assert.deepEqual(calls.pageInfo, { hasNextPage: true, endCursor: null });
  });

  for (const from of ['yesterday', '2026-02-30T00:00:00Z']) {
    it(`answers the date ${from} in a variable with BAD_USER_INPUT naming the format`, async () => {
      const answer = await stack.query(`query($from: DateTime!) { site(id: "${SITE}") { calls(from: $from, to: "${iso(TEST_DAY)}") { totalCount } } }`, {
        from,
      });
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

describe('upstream failures', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      staticAuthorization: null,
      env: { LIVEDEFLECT_TIMEOUT: '1s', LIVEDEFLECT_RETRIES: '0', BREAKER_FAILURES: '1000' },
      simulator: { callsPerHour: 2, now: () => TEST_NOW, credentials: { 'Bearer ok': [SITE, OTHER], 'Bearer other-site': [OTHER] } },
    });
  });
  beforeEach(() => {
    stack.simulator.clearFaults();
    stack.simulator.clearRequests();
    stack.gateway.memory.clear();
  });
  after(() => stack.close());

  const twoSites = `{ a: site(id: "${SITE}") { id calls(${day}) { totalCount } } b: site(id: "${OTHER}") { id calls(${day}) { totalCount } } }`;
  const ok = { authorization: 'Bearer ok' };

  it('answers no credential with UNAUTHENTICATED at once, sending nothing upstream', async () => {
    const answer = await stack.query(`{ site(id: "${SITE}") { id calls(${day}) { totalCount } } }`);
    assert.deepEqual(errorCodes(answer), ['UNAUTHENTICATED']);
    assert.deepEqual(answer.body.data, { site: { id: SITE, calls: null } });
    assert.equal(stack.simulator.requests.length, 0);
  });

  it('maps an upstream 401 to UNAUTHENTICATED without echoing the token', async () => {
    const answer = await stack.query(`{ site(id: "${SITE}") { calls(${day}) { totalCount } } }`, undefined, { authorization: 'Bearer wrong-secret' });
    assert.deepEqual(errorCodes(answer), ['UNAUTHENTICATED']);
    assert.doesNotMatch(JSON.stringify(answer.body), /wrong-secret/);
  });

  it('maps an upstream 403 to FORBIDDEN for that site only, with partial data for the other', async () => {
    const answer = await stack.query(twoSites, undefined, { authorization: 'Bearer other-site' });
    assert.deepEqual(errorCodes(answer), ['FORBIDDEN']);
    assert.deepEqual(answer.body.errors![0]!.path, ['a', 'calls']);
    const data = answer.body.data as { a: { calls: null }; b: { calls: { totalCount: number } } };
    assert.equal(data.a.calls, null);
    assert.ok(data.b.calls.totalCount > 0);
  });

  it('maps an upstream 500 to UPSTREAM_ERROR with the status, keeping the upstream body out', async () => {
    stack.simulator.injectFault({ kind: 'status', status: 500, body: 'stack trace with secrets', siteId: SITE });
    const answer = await stack.query(twoSites, undefined, ok);
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
    assert.equal(answer.body.errors![0]!.extensions!.upstreamStatus, 500);
    assert.doesNotMatch(JSON.stringify(answer.body), /secrets/);
    assert.ok((answer.body.data as { b: { calls: { totalCount: number } } }).b.calls.totalCount > 0);
  });

  it('maps an upstream that does not answer to UPSTREAM_TIMEOUT', async () => {
    stack.simulator.injectFault({ kind: 'hang', siteId: SITE });
    const answer = await stack.query(twoSites, undefined, ok);
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_TIMEOUT']);
    assert.deepEqual(answer.body.errors![0]!.path, ['a', 'calls']);
    assert.ok((answer.body.data as { b: { calls: { totalCount: number } } }).b.calls.totalCount > 0);
  });

  for (const [name, fault] of [
    ['a body that is not JSON', { kind: 'malformed-json' }],
    ['a body of the wrong shape', { kind: 'body', body: '{"success":"true","data":"nope"}' }],
    ['success false', { kind: 'body', body: '{"success":"false","message":"db down"}' }],
  ] as const) {
    it(`answers ${name} with UPSTREAM_ERROR and keeps serving`, async () => {
      stack.simulator.injectFault({ ...fault, times: 1 });
      const bad = await stack.query(`{ site(id: "${SITE}") { calls(${day}) { totalCount } } }`, undefined, ok);
      assert.deepEqual(errorCodes(bad), ['UPSTREAM_ERROR']);
      assert.doesNotMatch(JSON.stringify(bad.body), /db down/);
      const good = await stack.query(`{ site(id: "${SITE}") { calls(${day}) { totalCount } } }`, undefined, ok);
      assert.equal(good.body.errors, undefined);
    });
  }
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
      const answer = await stack.query(`{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + HOUR_MS)}") { totalCount } } }`);
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
      const socket = connect(stack.gateway.port, '127.0.0.1', () => socket.end('GET http://[bad/graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), body: text }));
      socket.on('error', reject);
    });
    assert.equal(answer.status, 400);
    assert.match(answer.body, /BAD_REQUEST/);
  });
});
