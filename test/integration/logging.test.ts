import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { captureLog } from '../helpers/logCapture.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
/** A site whose answer the test writes itself, with personal data it can look for. */
const CRAFTED_SITE = '38856538';
const TOKEN = 'Bearer log-test-credential-9f8e7d6c5b4a';
const CRAFTED_PHONE = '0400987654';
const CRAFTED_CALLER_INFO = { memberNumber: 'MEMBER-77123-SECRET', note: 'prefers-evening-callback' };

const PII_QUERY = `query PiiCalls($from: DateTime!, $to: DateTime!) {
  a: site(id: "${SITE}") { calls(from: $from, to: $to, first: 100) { nodes { ...Personal } } }
  b: site(id: "${CRAFTED_SITE}") { calls(from: $from, to: $to, first: 100) { nodes { ...Personal } } }
}
fragment Personal on Call {
  callId
  customerPhone { countryCode number e164 }
  dialedPhone { number e164 }
  callerInfo
  callerInfoRaw
}`;

interface PersonalCall {
  callId: string;
  customerPhone: { number: string; e164: string | null } | null;
  dialedPhone: { number: string; e164: string | null } | null;
  callerInfo: Record<string, unknown> | null;
  callerInfoRaw: string | null;
}

/** One crafted call with personal data, and one the decoder must skip (its events name another call), so it logs. */
function craftedBody(): string {
  const event = (callId: string, eventType: string, offset: number) => ({
    callId,
    siteId: CRAFTED_SITE,
    externalCallId: 'ext-1',
    beginTimeStamp: String(TEST_DAY + HOUR_MS),
    skill: 'sales',
    callerEnteredDigits: '4321',
    callerInfo: JSON.stringify(CRAFTED_CALLER_INFO),
    conversationId: null,
    customerCountryCode: '61',
    customerPhoneNumber: CRAFTED_PHONE,
    dialedCountryCode: '61',
    dialedPhoneNumber: '0299998888',
    eventType,
    eventInfo: 'Y',
    eventTime: String(TEST_DAY + HOUR_MS + offset),
    externalConsumerId: 'consumer-1',
  });
  return JSON.stringify({
    success: 'true',
    data: {
      '900001': [event('900001', 'callstart', 0), event('900001', 'skillchoice', 5000)],
      '900002': [event('900003', 'callstart', 0)],
    },
  });
}

describe('structured logs', () => {
  let stack: Stack;
  const log = captureLog('debug');
  /** How many records the log held when the current test began. */
  let mark = 0;
  before(async () => {
    stack = await startStack({
      staticAuthorization: null,
      logger: log.logger,
      simulator: { callsPerHour: 6, now: () => TEST_NOW, credentials: { [TOKEN]: '*' } },
    });
  });
  beforeEach(() => {
    mark = log.records().length;
  });
  after(() => stack.close());

  const operationLines = () =>
    log
      .records()
      .slice(mark)
      .filter((record) => record.msg === 'graphql operation');

  it('leaves no token, phone number or callerInfo value in the log of a query that returns them', async () => {
    stack.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '0', times: 1, siteId: SITE });
    stack.simulator.injectFault({ kind: 'body', body: craftedBody(), siteId: CRAFTED_SITE });
    const answer = await stack.query(PII_QUERY, { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) }, { authorization: TOKEN });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const data = answer.body.data as { a: { calls: { nodes: PersonalCall[] } }; b: { calls: { nodes: PersonalCall[] } } };
    const calls = [...data.a.calls.nodes, ...data.b.calls.nodes];
    assert.ok(data.b.calls.nodes.some((call) => call.customerPhone?.number === CRAFTED_PHONE));

    const secrets = new Set<string>([TOKEN, TOKEN.replace(/^Bearer /, ''), CRAFTED_PHONE, ...Object.values(CRAFTED_CALLER_INFO)]);
    for (const call of calls) {
      for (const phone of [call.customerPhone, call.dialedPhone]) {
        if (phone) for (const value of [phone.number, phone.e164]) if (value) secrets.add(value);
      }
      if (call.callerInfoRaw && call.callerInfoRaw.length > 2) secrets.add(call.callerInfoRaw);
      for (const value of Object.values(call.callerInfo ?? {})) {
        // Short values (true, 42) would match unrelated text; the distinctive ones prove the point.
        if (typeof value === 'string' && value.length >= 5) secrets.add(value);
      }
    }
    assert.ok(secrets.size > 20, 'the answer carried plenty of personal data to look for');

    const text = log.text();
    assert.match(text, /upstream request failed/, 'the retried 503 was logged');
    assert.match(text, /needed repair/, 'the skipped crafted call was logged');
    for (const secret of secrets) assert.ok(!text.includes(secret), `the log contains ${JSON.stringify(secret)}`);
  });

  it('leaves no phone number or callerInfo in the log when the upstream sends a body that is not JSON', async () => {
    const broken = craftedBody().replace(`"customerPhoneNumber":"${CRAFTED_PHONE}"`, `"customerPhoneNumber": +${CRAFTED_PHONE}`);
    assert.notEqual(broken, craftedBody(), 'the body was broken next to the phone number');
    stack.simulator.clearFaults();
    stack.simulator.injectFault({ kind: 'body', body: broken, siteId: CRAFTED_SITE, times: 1 });
    stack.simulator.injectFault({ kind: 'status', status: 500, body: `{"message":"bad row ${CRAFTED_PHONE}"}`, siteId: SITE, times: 1 });
    const answer = await stack.query(PII_QUERY, { from: iso(TEST_DAY + 2 * DAY_MS), to: iso(TEST_DAY + 3 * DAY_MS) }, { authorization: TOKEN });
    assert.deepEqual(
      (answer.body.errors ?? []).map((error) => error.extensions?.code),
      ['UPSTREAM_ERROR', 'UPSTREAM_ERROR'],
    );
    const text = log
      .records()
      .slice(mark)
      .map((record) => JSON.stringify(record))
      .join('\n');
    assert.match(text, /body is not JSON/);
    assert.ok(!text.includes(CRAFTED_PHONE.slice(1)), 'the log contains the phone number');
    for (const value of Object.values(CRAFTED_CALLER_INFO)) assert.ok(!text.includes(String(value)), `the log contains ${value}`);
  });

  it('writes one line per operation with request id, operation name, duration, upstream calls and error codes', async () => {
    const range = { from: iso(TEST_DAY + DAY_MS), to: iso(TEST_DAY + 2 * DAY_MS) };
    const first = await stack.query(
      'query Named($from: DateTime!, $to: DateTime!) { site(id: "25508804") { calls(from: $from, to: $to) { totalCount } } }',
      range,
      { authorization: TOKEN, 'x-request-id': 'trace-abc.123' },
    );
    const failed = await stack.query('query Bad { call(id: "not-a-call-id") { callId } }', {}, { authorization: TOKEN });
    assert.equal(failed.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');

    const [named, bad, ...rest] = operationLines();
    assert.equal(rest.length, 0);
    assert.equal(first.headers.get('x-request-id'), 'trace-abc.123');
    assert.equal(named?.requestId, 'trace-abc.123');
    assert.equal(named?.operationName, 'Named');
    assert.equal(named?.operationType, 'query');
    assert.equal(typeof named?.durationMs, 'number');
    assert.equal(named?.upstreamRequests, 1);
    assert.deepEqual(named?.errorCodes, []);
    assert.equal(bad?.requestId, failed.headers.get('x-request-id'));
    assert.equal(bad?.operationName, 'Bad');
    assert.equal(bad?.upstreamRequests, 0);
    assert.deepEqual(bad?.errorCodes, ['BAD_USER_INPUT']);
    assert.equal(named?.level, 30, 'info level');
  });

  it('echoes a safe x-request-id and makes one when it is missing or unsafe to log', async () => {
    const query = '{ __typename }';
    const echoed = await stack.query(query, {}, { 'x-request-id': 'upstream-svc:42' });
    assert.equal(echoed.headers.get('x-request-id'), 'upstream-svc:42');
    const made = await stack.query(query);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    assert.match(made.headers.get('x-request-id') ?? '', uuid);
    const unsafe = await stack.query(query, {}, { 'x-request-id': 'no spaces {or} "quotes" in logs' });
    assert.match(unsafe.headers.get('x-request-id') ?? '', uuid);
    const health = await fetch(`${stack.gatewayUrl}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    assert.equal(health.headers.get('x-request-id'), 'probe-1');
    assert.deepEqual(
      operationLines().map((record) => record.requestId),
      ['upstream-svc:42', made.headers.get('x-request-id'), unsafe.headers.get('x-request-id')],
    );
  });
});
