import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, iso, TEST_DAY } from '../helpers/day.js';
import { captureLog } from '../helpers/logCapture.js';
import { normalAnswer, startHostileStack, type HostileAnswer, type HostileRequest, type HostileStack } from '../helpers/hostileUpstream.js';
import { errorCodes } from '../helpers/stack.js';

/**
 * 200 answers no real LiveDeflect sends, each built to take a part of the gateway down: the window
 * they answer fails with a coded error (or, where the body is readable, is served), the process serves
 * on, and a normal query right after answers correctly.
 */

/** The site whose windows are answered normally; every other site gets the body under test. */
const NORMAL_SITE = '11111111';
const HOSTILE_SITE = '22222222';
const MIB = 1024 * 1024;

const CALLS = `query($site: ID!, $from: DateTime!, $to: DateTime!) {
  site(id: $site) { calls(from: $from, to: $to, first: 2) { totalCount nodes { callId callerInfo callerInfoRaw } } } }`;
const day = (site: string, offset = 0) => ({ site, from: iso(TEST_DAY + offset * DAY_MS), to: iso(TEST_DAY + (offset + 1) * DAY_MS) });

/** `size` bytes of `piece`, a MiB at a time. */
function* repeated(piece: string, size: number): Iterable<string> {
  const chunk = piece.repeat(Math.ceil(MIB / piece.length)).slice(0, MIB);
  for (let left = size; left > 0; left -= MIB) yield left >= MIB ? chunk : chunk.slice(0, left);
}

/** A call beginning at `time` in the wire format, with `extra` fields on its one event. */
function wireCall(callId: string, time: number, extra: Record<string, unknown> = {}): string {
  const event = { callId, eventTime: String(time), beginTimeStamp: String(time), eventType: 'callstart', eventInfo: 'Y', skill: 's', ...extra };
  return `${JSON.stringify(callId)}:[${JSON.stringify(event)}]`;
}

let body: (request: HostileRequest) => HostileAnswer = () => ({ kind: 'hang' });

describe('hostile upstream bodies', () => {
  let stack: HostileStack;
  const log = captureLog('warn');
  before(async () => {
    stack = await startHostileStack((request) => (request.siteId === NORMAL_SITE ? normalAnswer(request) : body(request)), {
      logger: log.logger,
      env: { LIVEDEFLECT_TIMEOUT: '20s', OPERATION_DEADLINE: '25s', LIVEDEFLECT_MAX_BODY: '160MiB', MAX_BUCKET_CALLS: '1000', LOG_LEVEL: 'warn' },
    });
  });
  after(() => stack.close());

  let dayOffset = 0;
  /** The hostile site's next day (never cached), then a normal query that must answer in full. */
  async function hostileThenNormal(answer: (request: HostileRequest) => HostileAnswer): Promise<ReturnType<HostileStack['query']>> {
    body = answer;
    const hostile = await stack.query(CALLS, day(HOSTILE_SITE, dayOffset++));
    const normal = await stack.query(CALLS, day(NORMAL_SITE));
    assert.equal(normal.body.errors, undefined, JSON.stringify(normal.body.errors));
    assert.equal((normal.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount, 48);
    return hostile;
  }

  it('a 140 MiB string outside "data" fails the window with UPSTREAM_ERROR instead of aborting the process', async () => {
    const answer = await hostileThenNormal(() => ({
      kind: 'answer',
      body: function* () {
        yield '{"success":"true","pad":"';
        yield* repeated('x', 140 * MIB);
        yield '","data":{}}';
      },
    }));
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
    assert.match(answer.body.errors![0]!.message, /cannot read/);
    assert.deepEqual(answer.body.data, { site: { calls: null } });
    // Refused by the reader's bound, not by a decode thread that ran out of memory.
    assert.doesNotMatch(log.text(), /decode worker stopped/);
  });

  it('one call entry of 64 MiB fails the window with UPSTREAM_ERROR', async () => {
    const answer = await hostileThenNormal((request) => ({
      kind: 'answer',
      body: function* () {
        yield `{"success":"true","data":{${wireCall('1', request.startTime).slice(0, -1)},{"pad":"`;
        yield* repeated('y', 64 * MIB);
        yield '"}]}}';
      },
    }));
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
  });

  it('more calls in one bucket than MAX_BUCKET_CALLS fail the window with a message naming BUCKET_SIZE', async () => {
    const answer = await hostileThenNormal((request) => ({
      kind: 'answer',
      body: function* () {
        yield '{"success":"true","data":{';
        for (let call = 0; call < 1_500; call++) yield `${call === 0 ? '' : ','}${wireCall(String(call), request.startTime + call)}`;
        yield '}}';
      },
    }));
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
    assert.match(answer.body.errors![0]!.message, /BUCKET_SIZE/);
  });

  it('64 MiB of whitespace inside "data" is read (linearly) and the calls around it are served', async () => {
    const answer = await hostileThenNormal((request) => ({
      kind: 'answer',
      body: function* () {
        yield `{"success":"true","data":{${wireCall('1', request.startTime)},`;
        yield* repeated(' \n', 64 * MIB);
        yield `${wireCall('2', request.startTime + HOUR_MS)}}}`;
      },
    }));
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.equal((answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount, 2);
  });

  it('a body just over LIVEDEFLECT_MAX_BODY fails on its size, not by a timeout', async () => {
    const answer = await hostileThenNormal(() => ({
      kind: 'answer',
      body: function* () {
        yield '{"success":"true","data":{';
        yield* repeated(' ', 160 * MIB);
        yield '}}';
      },
    }));
    assert.deepEqual(errorCodes(answer), ['UPSTREAM_ERROR']);
    assert.match(answer.body.errors![0]!.message, /larger than this gateway accepts/);
  });

  it('a callerInfo nested 5,000 deep is served as callerInfoRaw with callerInfo null, not a failed answer', async () => {
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const answer = await hostileThenNormal((request) => ({
      kind: 'answer',
      body: JSON.stringify({
        success: 'true',
        data: {
          '7': [
            {
              callId: '7',
              eventTime: String(request.startTime),
              beginTimeStamp: String(request.startTime),
              eventType: 'callstart',
              callerInfo: deep,
            },
          ],
        },
      }),
    }));
    assert.equal(answer.status, 200);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const [call] = (answer.body.data as { site: { calls: { nodes: { callerInfo: unknown; callerInfoRaw: string }[] } } }).site.calls.nodes;
    assert.equal(call!.callerInfo, null);
    assert.equal(call!.callerInfoRaw, deep);
  });
});
