import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { captureLog, type CapturedLog } from '../helpers/logCapture.js';
import { errorCodes, startStack, type GraphQLAnswer, type Stack, type StackOptions } from '../helpers/stack.js';

const SITE_S = '25508804';
const SITE_T = '31415926';
// Distinctive values, so a search of the log can't match by accident.
const TOKEN_A = 'Bearer alpha-4c1e9f0b7d2a-token';
const TOKEN_B = 'Bearer bravo-8e3b52d6a1f9-token';
const RANGE = { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) };

const CALLS = `query Calls($site: ID!, $from: DateTime!, $to: DateTime!) {
  site(id: $site) { calls(from: $from, to: $to, first: 500) { totalCount nodes { callId } } } }`;

const PII = `query Pii($site: ID!, $from: DateTime!, $to: DateTime!) {
  site(id: $site) { calls(from: $from, to: $to, first: 500) { nodes {
    callId customerPhone { countryCode number e164 } dialedPhone { number e164 } callerInfo callerInfoRaw } } } }`;

interface PiiCall {
  callId: string;
  customerPhone: { countryCode: string | null; number: string; e164: string | null } | null;
  dialedPhone: { number: string; e164: string | null } | null;
  callerInfo: Record<string, unknown> | null;
  callerInfoRaw: string | null;
}

function callsOf(answer: GraphQLAnswer): { totalCount: number } | null | undefined {
  return (answer.body.data?.site as { calls: { totalCount: number } | null } | undefined)?.calls;
}

function stackWith(options: StackOptions): Promise<Stack> {
  return startStack({ ...options, simulator: { callsPerHour: 3, now: () => TEST_NOW, ...options.simulator } });
}

describe('credential isolation', () => {
  let stack: Stack;
  let log: CapturedLog;
  before(async () => {
    log = captureLog('trace');
    stack = await stackWith({
      staticAuthorization: null,
      logger: log.logger,
      simulator: { credentials: { [TOKEN_A]: [SITE_S], [TOKEN_B]: [SITE_T] } },
    });
  });
  after(() => stack.close());

  it('a token that may not read a site gets FORBIDDEN and no data, even with that site in the cache', async () => {
    const first = await stack.query(CALLS, { site: SITE_S, ...RANGE }, { authorization: TOKEN_A });
    assert.equal(first.body.errors, undefined, JSON.stringify(first.body.errors));
    assert.ok(callsOf(first)!.totalCount > 0);
    // Warm: A asking again is answered from the cache.
    const requestsBefore = stack.simulator.requests.length;
    assert.equal(callsOf(await stack.query(CALLS, { site: SITE_S, ...RANGE }, { authorization: TOKEN_A }))!.totalCount, callsOf(first)!.totalCount);
    assert.equal(stack.simulator.requests.length, requestsBefore);

    const other = await stack.query(CALLS, { site: SITE_S, ...RANGE }, { authorization: TOKEN_B });
    assert.deepEqual(errorCodes(other), ['FORBIDDEN']);
    assert.deepEqual(other.body.data, { site: { calls: null } });
    // B's request went to the upstream with B's credential, which refused it.
    const sent = stack.simulator.requests.slice(requestsBefore);
    assert.deepEqual(
      sent.map((request) => [request.authorization, request.siteId, request.status]),
      [[TOKEN_B, SITE_S, 403]],
    );
  });

  it('two tokens asking for the same site at the same moment do not share the in-flight upstream request', async () => {
    const range = { from: iso(TEST_DAY + DAY_MS), to: iso(TEST_DAY + 2 * DAY_MS) };
    const [a, b] = await Promise.all([
      stack.query(CALLS, { site: SITE_S, ...range }, { authorization: TOKEN_A }),
      stack.query(CALLS, { site: SITE_S, ...range }, { authorization: TOKEN_B }),
    ]);
    assert.equal(a.body.errors, undefined);
    assert.ok(callsOf(a)!.totalCount > 0);
    assert.deepEqual(errorCodes(b), ['FORBIDDEN']);
    assert.deepEqual(b.body.data, { site: { calls: null } });
  });

  it('each token reads its own site', async () => {
    const b = await stack.query(CALLS, { site: SITE_T, ...RANGE }, { authorization: TOKEN_B });
    assert.equal(b.body.errors, undefined);
    const a = await stack.query(CALLS, { site: SITE_T, ...RANGE }, { authorization: TOKEN_A });
    assert.deepEqual(errorCodes(a), ['FORBIDDEN']);
  });

  it('a credential the upstream does not know gets UNAUTHENTICATED', async () => {
    const answer = await stack.query(CALLS, { site: SITE_S, ...RANGE }, { authorization: 'Bearer unknown-token' });
    assert.deepEqual(errorCodes(answer), ['UNAUTHENTICATED']);
    assert.deepEqual(answer.body.data, { site: { calls: null } });
  });

  it('the log, at its most verbose, never holds a token, even when the upstream echoes one back in an error body', async () => {
    stack.simulator.injectFault({ kind: 'status', status: 500, times: 1, body: JSON.stringify({ message: `bad header ${TOKEN_A}` }) });
    const answer = await stack.query(
      CALLS,
      { site: SITE_S, from: iso(TEST_DAY + 3 * DAY_MS), to: iso(TEST_DAY + 4 * DAY_MS) },
      { authorization: TOKEN_A },
    );
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
    assert.ok(!JSON.stringify(answer.body).includes(TOKEN_A), 'the answer does not echo the upstream body');
    const text = log.text();
    assert.ok(text.includes('upstream request failed'), 'failures were logged');
    for (const secret of [TOKEN_A, TOKEN_B, 'alpha-4c1e9f0b7d2a', 'bravo-8e3b52d6a1f9', 'unknown-token']) {
      assert.ok(!text.includes(secret), `the log holds ${secret}`);
    }
  });
});

describe('personal data', () => {
  let plain: Stack;
  let masked: Stack;
  let maskedLog: CapturedLog;
  let plainLog: CapturedLog;
  before(async () => {
    plainLog = captureLog('trace');
    maskedLog = captureLog('trace');
    plain = await stackWith({ logger: plainLog.logger });
    masked = await stackWith({ logger: maskedLog.logger, env: { MASK_PII: 'true' } });
  });
  after(async () => {
    await plain.close();
    await masked.close();
  });

  async function piiCalls(stack: Stack): Promise<PiiCall[]> {
    const answer = await stack.query(PII, { site: SITE_S, ...RANGE });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return (answer.body.data as { site: { calls: { nodes: PiiCall[] } } }).site.calls.nodes;
  }

  it('MASK_PII=true shows only the last 4 digits of phone numbers and hides every callerInfo value', async () => {
    const [clear, hidden] = await Promise.all([piiCalls(plain), piiCalls(masked)]);
    assert.equal(hidden.length, clear.length);
    const digits = (text: string) => text.replace(/\D/g, '');
    let phones = 0;
    let infos = 0;
    for (const [index, call] of hidden.entries()) {
      const original = clear[index]!;
      assert.equal(call.callId, original.callId);
      for (const [phone, originalPhone] of [
        [call.customerPhone, original.customerPhone],
        [call.dialedPhone, original.dialedPhone],
      ] as const) {
        if (!originalPhone) continue;
        phones++;
        assert.equal(digits(phone!.number), digits(originalPhone.number).slice(-4));
        assert.equal(phone!.number.length, originalPhone.number.length, 'masking keeps the shape');
        assert.match(phone!.number, /^\**\d{0,4}$/);
        if (originalPhone.e164) assert.equal(digits(phone!.e164!), digits(originalPhone.e164).slice(-4));
      }
      if (original.callerInfo && Object.keys(original.callerInfo).length > 0) {
        infos++;
        assert.deepEqual(Object.keys(call.callerInfo!), Object.keys(original.callerInfo));
        assert.ok(Object.values(call.callerInfo!).every((value) => value === '****'));
        for (const value of Object.values(original.callerInfo)) {
          if (String(value).length > 4) assert.ok(!call.callerInfoRaw!.includes(String(value)), 'callerInfoRaw hides the values too');
        }
      }
      if (original.callerInfoRaw && !original.callerInfo)
        assert.ok(call.callerInfoRaw === '[masked]' || call.callerInfoRaw === original.callerInfoRaw);
    }
    assert.ok(phones > 10 && infos > 5, `checked ${phones} phones and ${infos} callerInfo objects`);
  });
});

describe('production mode', () => {
  let production: Stack;
  let development: Stack;
  before(async () => {
    production = await stackWith({ env: { NODE_ENV: 'production' } });
    development = await stackWith({});
  });
  after(async () => {
    await production.close();
    await development.close();
  });

  it('introspection is off when NODE_ENV=production and on in development', async () => {
    const off = await production.query(getIntrospectionQuery());
    assert.equal(off.status, 400);
    assert.equal(off.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(off.body.errors[0].message, /introspection/i);
    assert.equal((await production.query('{ __type(name: "Call") { name } }')).status, 400);
    const on = await development.query(getIntrospectionQuery());
    assert.equal(on.body.errors, undefined);
  });

  it('GraphiQL is not served when NODE_ENV=production, and is in development', async () => {
    const page = (stack: Stack) => fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    const off = await page(production);
    assert.doesNotMatch(off.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(off.status >= 400, `status ${off.status}`);
    await off.arrayBuffer();
    const on = await page(development);
    assert.equal(on.status, 200);
    assert.match(on.headers.get('content-type') ?? '', /text\/html/);
    await on.arrayBuffer();
  });

  it('INTROSPECTION=true turns it on in production', async () => {
    const stack = await stackWith({ env: { NODE_ENV: 'production', INTROSPECTION: 'true' } });
    try {
      assert.equal((await stack.query('{ __schema { queryType { name } } }')).body.errors, undefined);
    } finally {
      await stack.close();
    }
  });

  it('no error answer carries a stack trace in production, while development shows them', async () => {
    // One request per kind of failure: parse, validation, user input, limit, upstream, HTTP edge.
    production.simulator.injectFault({ kind: 'status', status: 500, siteId: SITE_T });
    development.simulator.injectFault({ kind: 'status', status: 500, siteId: SITE_T });
    const failures: [string, (stack: Stack) => Promise<unknown>][] = [
      ['parse', (stack) => stack.query('{ site(id: "1") {')],
      ['validation', (stack) => stack.query('{ site(id: "1") { nope } }')],
      ['user input', (stack) => stack.query(CALLS, { site: SITE_S, from: RANGE.to, to: RANGE.from })],
      ['variables', (stack) => stack.query(CALLS, { site: SITE_S, from: 'yesterday', to: RANGE.to })],
      [
        'limit',
        (stack) => stack.query(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(' ')} ${'site(id: "1") { id } '.repeat(101)} }`),
      ],
      ['upstream', (stack) => stack.query(CALLS, { site: SITE_T, ...RANGE })],
      [
        'batch',
        async (stack) =>
          (await (
            await fetch(`${stack.gatewayUrl}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
            })
          ).json()) as unknown,
      ],
    ];
    let developmentTraces = 0;
    for (const [kind, send] of failures) {
      const [answer, devAnswer] = await Promise.all([send(production), send(development)]);
      const body = (answer as GraphQLAnswer).body ?? answer;
      assert.ok((body.errors?.length ?? 0) > 0, `${kind}: ${JSON.stringify(body)}`);
      for (const error of body.errors!) {
        assert.equal(typeof error.extensions?.code, 'string', kind);
        assert.equal(error.extensions?.stacktrace, undefined, `${kind} error has a stack trace in production`);
      }
      assert.doesNotMatch(JSON.stringify(body), /\.ts:\d+|node_modules| {4}at /, kind);
      const devBody = (devAnswer as GraphQLAnswer).body ?? devAnswer;
      if (devBody.errors?.some((error) => Array.isArray(error.extensions?.stacktrace))) developmentTraces++;
    }
    // Proves the check above can fail: the same requests do carry traces in development.
    assert.ok(developmentTraces >= 4, `${developmentTraces} kinds showed traces in development`);
  });
});
