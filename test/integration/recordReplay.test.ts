import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { resolveUpstream } from '../../src/embeddedUpstream.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { generateWindow } from '../../src/simulator/generator.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type GraphQLAnswer } from '../helpers/stack.js';

const SITE = '25508804';
const SEED = 'recorded-account';
const CALLS_PER_HOUR = 6;
const TOKEN = 'Bearer recording-credential-5e4d3c2b1a';
const TWO_DAYS = { from: iso(TEST_DAY), to: iso(TEST_DAY + 2 * DAY_MS) };

const REPLAYED = `query Replayed($from: DateTime!, $to: DateTime!) {
  site(id: "${SITE}") {
    calls(from: $from, to: $to, first: 500) {
      totalCount
      nodes {
        id callId beginTime skill stage conversationId externalConsumerId callerInfo callerInfoRaw
        customerPhone { countryCode number e164 }
        dialedPhone { number e164 }
        events { type rawType info time }
      }
    }
    stats(from: $from, to: $to) { totalCalls deflectionRate medianSecondsToConversation bySkill { skill totalCalls conversations } }
  }
}`;

interface Answers {
  twoDays: GraphQLAnswer['body'];
  morning: GraphQLAnswer['body'];
  call: GraphQLAnswer['body'];
}

const MORNING = { from: iso(TEST_DAY + 3 * HOUR_MS), to: iso(TEST_DAY + 9 * HOUR_MS + 30 * 60_000) };
const CALL_QUERY = 'query One($id: ID!) { call(id: $id) { callId beginTime stage events { type time } } }';

/** Records the answers to a few queries through a gateway that treats the simulator as its real upstream. */
async function record(dir: string, env: Record<string, string> = {}): Promise<Answers> {
  const stack = await startStack({
    env: { LIVEDEFLECT_RECORD: dir, ...env },
    staticAuthorization: TOKEN,
    simulator: { seed: SEED, callsPerHour: CALLS_PER_HOUR, now: () => TEST_NOW, credentials: { [TOKEN]: '*' } },
  });
  try {
    const twoDays = (await stack.query(REPLAYED, TWO_DAYS)).body;
    const morning = (await stack.query(REPLAYED, MORNING)).body;
    const id = (twoDays.data as { site: { calls: { nodes: { id: string }[] } } }).site.calls.nodes[40]!.id;
    const call = (await stack.query(CALL_QUERY, { id })).body;
    return { twoDays, morning, call };
  } finally {
    await stack.close();
  }
}

/** The gateway as `npm start` runs it with LIVEDEFLECT_REPLAY: the embedded simulator serving the recordings. */
async function replay(dir: string, env: Record<string, string> = {}) {
  // Another seed: were the generator still on, every call would differ.
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LIVEDEFLECT_REPLAY: dir, SIMULATOR_SEED: 'not-the-recorded-one', ...env });
  const upstream = await resolveUpstream(config);
  const gateway = await startGateway({
    config,
    logger: createLogger({ level: 'silent' }),
    upstreamUrl: upstream.url,
    upstreamAuthorization: upstream.authorization,
  });
  const query = async (query: string, variables: Record<string, unknown>): Promise<GraphQLAnswer['body']> => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer['body'];
  };
  return {
    query,
    simulator: upstream.simulator!,
    async close() {
      await gateway.close();
      await upstream.simulator?.close();
    },
  };
}

/** What the simulator sent for a window: the recording's expected content. */
function sentFor(startTime: number, endTime: number) {
  return generateWindow({ seed: SEED, siteId: SITE, startTime, endTime, now: TEST_NOW, callsPerHour: CALLS_PER_HOUR });
}

async function recordedFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, SITE))).sort();
}

describe('LIVEDEFLECT_RECORD and LIVEDEFLECT_REPLAY', () => {
  let dir: string;
  let recorded: Answers;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedeflect-record-'));
    recorded = await record(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('saves each upstream window answer as its body alone, with no credential or header in it', async () => {
    const files = await recordedFiles(dir);
    assert.ok(files.includes(`${TEST_DAY}-${TEST_DAY + DAY_MS}.json`), files.join(', '));
    assert.ok(files.includes(`${TEST_DAY + DAY_MS}-${TEST_DAY + 2 * DAY_MS}.json`), files.join(', '));
    const body = await readFile(join(dir, SITE, `${TEST_DAY}-${TEST_DAY + DAY_MS}.json`), 'utf8');
    assert.deepEqual(JSON.parse(body), { success: 'true', data: sentFor(TEST_DAY, TEST_DAY + DAY_MS) });
    for (const file of files) {
      const text = await readFile(join(dir, SITE, file), 'utf8');
      assert.ok(!text.includes('recording-credential'), `${file} holds the credential`);
      assert.ok(!/authorization|content-type/i.test(text), `${file} holds request headers`);
    }
  });

  it('replays with the generator off: the same queries give the same answers', async () => {
    const replayed = await replay(dir);
    try {
      const twoDays = await replayed.query(REPLAYED, TWO_DAYS);
      assert.equal(twoDays.errors, undefined);
      assert.equal((twoDays.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount, 48 * CALLS_PER_HOUR);
      assert.deepEqual(twoDays.data, recorded.twoDays.data);
      assert.deepEqual((await replayed.query(REPLAYED, MORNING)).data, recorded.morning.data);
      const id = (twoDays.data as { site: { calls: { nodes: { id: string }[] } } }).site.calls.nodes[40]!.id;
      assert.deepEqual((await replayed.query(CALL_QUERY, { id })).data, recorded.call.data);
      assert.ok(replayed.simulator.requests.length > 0 && replayed.simulator.requests.every((request) => request.status === 200));

      const never = await replayed.query(REPLAYED, { from: iso(TEST_DAY + 5 * DAY_MS), to: iso(TEST_DAY + 6 * DAY_MS) });
      const neverCount = (never.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount;
      assert.equal(neverCount, 0, 'a range never recorded has no calls');
    } finally {
      await replayed.close();
    }
  });

  it('answers windows laid out unlike the recorded ones from the calls of all recordings of the site', async () => {
    const replayed = await replay(dir, { BUCKET_SIZE: '6h', LIVEDEFLECT_MAX_WINDOW: '12h' });
    try {
      assert.deepEqual((await replayed.query(REPLAYED, TWO_DAYS)).data, recorded.twoDays.data);
      assert.deepEqual((await replayed.query(REPLAYED, MORNING)).data, recorded.morning.data);
      const windows = replayed.simulator.requests.map(({ startTime, endTime }) => endTime - startTime);
      assert.ok(windows.every((length) => length <= 12 * HOUR_MS) && windows.length >= 4, 'none of these windows was recorded');
    } finally {
      await replayed.close();
    }
  });
});

describe('LIVEDEFLECT_REPLAY of a missing directory', () => {
  it('fails at start with a message naming the directory', async () => {
    const missing = join(tmpdir(), 'livedeflect-no-such-recordings');
    await assert.rejects(replay(missing), (error: Error) => error.message.includes(missing) && /LIVEDEFLECT_RECORD/.test(error.message));
  });
});

describe('LIVEDEFLECT_RECORD_MASK_PII', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedeflect-record-masked-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps phone numbers (but their last four digits) and callerInfo values out of the recording, which still replays', async () => {
    const live = await record(dir, { LIVEDEFLECT_RECORD_MASK_PII: 'true' });
    const sent = Object.values(sentFor(TEST_DAY, TEST_DAY + 2 * DAY_MS)).flat();
    const phones = new Set(sent.flatMap((event) => [event.customerPhoneNumber, event.dialedPhoneNumber]));
    const callerInfoValues = new Set(
      sent.flatMap((event) => {
        try {
          const values = Object.values(JSON.parse(event.callerInfo) as Record<string, unknown>);
          return values.filter((value): value is string => typeof value === 'string' && value.length >= 5);
        } catch {
          return [];
        }
      }),
    );
    assert.ok(phones.size > 50 && callerInfoValues.size > 5);
    const recordings = await Promise.all((await recordedFiles(dir)).map((file) => readFile(join(dir, SITE, file), 'utf8')));
    const text = recordings.join('\n');
    for (const phone of phones) assert.ok(!text.includes(phone), `the recording holds ${phone}`);
    for (const value of callerInfoValues) assert.ok(!text.includes(`"${value}`), `the recording holds callerInfo value ${value}`);

    const replayed = await replay(dir);
    try {
      const answer = await replayed.query(REPLAYED, TWO_DAYS);
      assert.equal(answer.errors, undefined);
      type Node = { callId: string; customerPhone: { number: string } | null; callerInfo: Record<string, unknown> | null };
      const nodes = (answer.data as { site: { calls: { nodes: Node[] } } }).site.calls.nodes;
      const liveNodes = (live.twoDays.data as { site: { calls: { nodes: Node[] } } }).site.calls.nodes;
      assert.deepEqual(
        nodes.map((node) => node.callId),
        liveNodes.map((node) => node.callId),
      );
      nodes.forEach((node, i) => {
        const original = liveNodes[i]!.customerPhone!.number;
        assert.equal(node.customerPhone!.number, `${'*'.repeat(original.length - 4)}${original.slice(-4)}`);
        assert.deepEqual(Object.keys(node.callerInfo ?? {}), Object.keys(liveNodes[i]!.callerInfo ?? {}));
        for (const value of Object.values(node.callerInfo ?? {})) assert.equal(value, '****');
      });
    } finally {
      await replayed.close();
    }
  });
});
