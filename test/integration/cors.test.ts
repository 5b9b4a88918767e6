// CORS at the HTTP edge, over real HTTP: what a browser's preflight and actual request get back for an
// allowed origin, a refused one, "*" and credentials, and that a refused origin's request never runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureLog } from '../helpers/logCapture.js';
import { startStack, type Stack } from '../helpers/stack.js';

const APP = 'http://app.example.test:5173';
const OTHER = 'http://evil.example.test';
const QUERY = JSON.stringify({ query: '{ site(id: "25508804") { id } }' });

function preflight(stack: Stack, origin: string, headers = 'content-type, authorization'): Promise<Response> {
  return fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
}

function post(stack: Stack, origin: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { origin, 'content-type': contentType }, body: QUERY });
}

const corsHeaders = (response: Response): string[] => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS with CORS_ORIGINS listing origins', () => {
  let stack: Stack;
  const log = captureLog('info');
  before(async () => {
    stack = await startStack({
      env: { CORS_ORIGINS: `https://admin.example.test,${APP}`, CORS_MAX_AGE: '10m', LOG_LEVEL: 'info' },
      logger: log.logger,
    });
  });
  after(() => stack.close());

  it("answers an allowed origin's preflight with 204 before GraphQL: its origin, methods, headers and max age", async () => {
    const response = await preflight(stack, APP);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), APP);
    assert.match(response.headers.get('vary') ?? '', /\bOrigin\b/);
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET,POST,OPTIONS');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(',');
    for (const header of [
      'content-type',
      'authorization',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'apollographql-client-name',
      'apollographql-client-version',
      'traceparent',
      'tracestate',
      'x-request-id',
    ]) {
      assert.ok(allowed.includes(header), header);
    }
    assert.equal(response.headers.get('access-control-max-age'), '600');
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    assert.equal(await response.text(), '');
  });

  it("gives an allowed origin's actual request its origin and the exposed x-request-id", async () => {
    const response = await post(stack, APP);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), APP);
    assert.match(response.headers.get('vary') ?? '', /\bOrigin\b/);
    assert.equal(response.headers.get('access-control-expose-headers'), 'x-request-id');
    assert.deepEqual(((await response.json()) as { data: unknown }).data, { site: { id: '25508804' } });
  });

  it("refuses another origin's preflight and request with 403, no CORS headers, and runs nothing", async () => {
    const before = log.records().filter((record) => record.msg === 'graphql operation').length;
    const options = await preflight(stack, OTHER);
    assert.equal(options.status, 403);
    assert.deepEqual(corsHeaders(options), []);
    const response = await post(stack, OTHER);
    assert.equal(response.status, 403);
    assert.deepEqual(corsHeaders(response), []);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, 'FORBIDDEN');
    assert.equal(log.records().filter((record) => record.msg === 'graphql operation').length, before, 'no operation ran');
    // Origins are compared exactly: another port or scheme is another origin.
    assert.equal((await post(stack, 'http://app.example.test:5174')).status, 403);
    assert.equal((await post(stack, 'null')).status, 403);
  });

  it("lets requests without an Origin, and a page of the gateway's own origin, run without CORS headers", async () => {
    const plain = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('access-control-allow-origin'), null);
    const own = await post(stack, stack.gatewayUrl);
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('access-control-allow-origin'), null);
  });

  it('keeps CSRF prevention for requests a browser sends without a preflight, from an allowed origin too', async () => {
    const response = await post(stack, APP, 'text/plain');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.match(body.errors[0]?.message ?? '', /CSRF/);
    assert.equal(body.errors[0]?.extensions.code, 'BAD_REQUEST');
  });
});

describe('CORS with the default "*" outside production', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('allows any origin with "*" and no Vary, preflight cached for 2h', async () => {
    const options = await preflight(stack, OTHER);
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('access-control-allow-origin'), '*');
    assert.doesNotMatch(options.headers.get('vary') ?? '', /Origin/);
    assert.equal(options.headers.get('access-control-max-age'), '7200');
    const response = await post(stack, OTHER);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });
});

describe('CORS with CORS_CREDENTIALS=true', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { CORS_ORIGINS: APP, CORS_CREDENTIALS: 'true' } });
  });
  after(() => stack.close());

  it('allows credentials on the preflight and the actual answer, for the listed origin only', async () => {
    const options = await preflight(stack, APP);
    assert.equal(options.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(options.headers.get('access-control-allow-origin'), APP);
    const response = await post(stack, APP);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal((await post(stack, OTHER)).status, 403);
  });
});

describe('CORS in production with no CORS_ORIGINS', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production' } });
  });
  after(() => stack.close());

  it('refuses every other origin, and still serves callers without one (a router)', async () => {
    assert.equal((await preflight(stack, APP)).status, 403);
    assert.equal((await post(stack, APP)).status, 403);
    const router = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });
    assert.equal(router.status, 200);
  });
});
