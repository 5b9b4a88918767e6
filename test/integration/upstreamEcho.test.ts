import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, iso, TEST_DAY } from '../helpers/day.js';
import { captureLog } from '../helpers/logCapture.js';
import { startHostileStack, type HostileAnswer } from '../helpers/hostileUpstream.js';

const TOKEN = 'Bearer s3cr3t-T0ken-0f-tenant-a-9f8e7d6c5b4a';
const SECRET = TOKEN.slice('Bearer '.length);
/** Every form an upstream might echo the credential or a caller's number in. */
const ECHOES = [
  TOKEN,
  SECRET.slice(0, SECRET.length / 2),
  SECRET.slice(SECRET.length / 2),
  Buffer.from(TOKEN).toString('base64'),
  Buffer.from(SECRET).toString('base64'),
  TOKEN.toUpperCase(),
  '+61 400 111 222',
  '0400-111-222',
];
const ECHO_TEXT = ECHOES.join(' | ');

/** One way of sending the echoes back per site. */
function echoing(siteId: string, startTime: number): HostileAnswer {
  const time = String(startTime);
  const event = (callId: string, extra: Record<string, unknown> = {}) => ({
    callId,
    eventTime: time,
    beginTimeStamp: time,
    eventType: 'callstart',
    ...extra,
  });
  switch (siteId) {
    case '1':
      return { kind: 'answer', status: 500, body: JSON.stringify({ error: ECHO_TEXT }) };
    case '2':
      return { kind: 'answer', status: 503, headers: { 'retry-after': '0' }, body: ECHO_TEXT };
    case '3':
      return { kind: 'answer', body: JSON.stringify({ success: ECHO_TEXT, message: ECHO_TEXT }) };
    case '4':
      // Calls keyed by the echoes, whose events name other callIds: each is skipped and logged.
      return {
        kind: 'answer',
        body: JSON.stringify({ success: 'true', data: Object.fromEntries(ECHOES.map((echo) => [echo, [event(`${echo}!`)]])) }),
      };
    case '5':
      return { kind: 'answer', body: `{"success":"true","data":{${JSON.stringify(ECHO_TEXT)}: [{"eventTime": ${JSON.stringify(ECHO_TEXT)}` };
    default:
      return { kind: 'answer', body: `${ECHO_TEXT}{}` };
  }
}

describe('the log holds nothing the upstream sent', () => {
  it('an upstream echoing the credential and phone numbers in every form, in statuses, bodies and callIds: none of it reaches the log', async () => {
    const log = captureLog('trace');
    const stack = await startHostileStack((request) => echoing(request.siteId, request.startTime), {
      logger: log.logger,
      authorization: TOKEN,
      env: { LIVEDEFLECT_RETRIES: '1', LOG_LEVEL: 'trace' },
    });
    try {
      const range = `from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}"`;
      const answer = await stack.query(
        `{ ${['1', '2', '3', '4', '5', '6'].map((site) => `s${site}: site(id: "${site}") { calls(${range}) { totalCount } }`).join(' ')} }`,
      );
      assert.equal(answer.status, 200);
      assert.equal(stack.upstream.requests.length, 7, 'every site was asked (the 503 twice)');
      assert.ok(log.records().some((record) => record.msg === 'upstream request failed'));
      const text = log.text();
      for (const echo of ECHOES) assert.ok(!text.includes(echo), `the log holds ${JSON.stringify(echo)}`);
      for (const echo of ECHOES) assert.ok(!JSON.stringify(answer.body).includes(echo), `the answer holds ${JSON.stringify(echo)}`);
    } finally {
      await stack.close();
    }
  });
});
