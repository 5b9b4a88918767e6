import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { OperationCost } from '../../src/model/operation.js';
import { loadConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { generateWindow } from '../../src/simulator/generator.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { captureLog, type CapturedLog } from '../helpers/logCapture.js';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const SITE = '25508804';
const OTHER_SITE = '38856538';
const TOKEN_A = 'Bearer tenant-a';
const TOKEN_B = 'Bearer tenant-b';

interface Answer {
  readonly data?: { site: { calls: { totalCount: number; nodes: { callId: string }[] } } } | null;
  readonly errors?: { message: string; extensions?: { code?: string } }[];
  readonly extensions?: { livedeflect?: OperationCost };
}

const rangeQuery = (from: number, to: number, site = SITE) =>
  `{ site(id: "${site}") { calls(from: "${iso(from)}", to: "${iso(to)}", first: 3) { totalCount nodes { callId } } } }`;

async function query(gateway: Gateway, text: string, authorization = TOKEN_A): Promise<Answer> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: text }),
  });
  return (await response.json()) as Answer;
}

describe('Redis tier: replicas sharing a real redis-server', { skip: skipWithoutRedis() }, () => {
  let simulator: Simulator;
  let redis: RedisServer;
  let log: CapturedLog;
  const replicas: Gateway[] = [];

  async function startReplica(env: Record<string, string> = {}): Promise<Gateway> {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GRAPHIQL: 'false',
      LIVEDEFLECT_URL: simulator.url,
      LIVEDEFLECT_RETRIES: '0',
      REDIS_URL: redis.url,
      REDIS_TIMEOUT: '300ms',
      CACHE_KEY_SECRET: 'shared by the replicas',
      DECODE_WORKERS: '1',
      ...env,
    });
    // No static credential: each request's Authorization goes upstream, so two tenants can be told apart.
    const gateway = await startGateway({ config, logger: log.logger, upstreamUrl: simulator.url, upstreamAuthorization: null });
    replicas.push(gateway);
    return gateway;
  }

  before(async () => {
    log = captureLog('warn');
    redis = await startRedisServer();
    simulator = await startSimulator({ callsPerHour: 3, now: () => TEST_NOW, credentials: { [TOKEN_A]: '*', [TOKEN_B]: [OTHER_SITE] } });
  });
  beforeEach(() => simulator.clearRequests());
  after(async () => {
    await Promise.all(replicas.map((gateway) => gateway.close()));
    await simulator.close();
    await redis.kill();
  });

  it('answers a second replica from Redis, with no upstream request, for an operation the first already ran', async () => {
    const [first, second] = [await startReplica(), await startReplica()];
    const text = rangeQuery(TEST_DAY, TEST_DAY + 2 * DAY_MS);
    const cold = await query(first, text);
    assert.equal(cold.errors, undefined);
    assert.equal(simulator.requests.length, 2);
    simulator.clearRequests();
    const shared = await query(second, text);
    assert.deepEqual(shared.data, cold.data);
    assert.equal(simulator.requests.length, 0);
    assert.deepEqual(shared.extensions?.livedeflect?.cache.redis, { hits: 48, misses: 0, waited: 0, waitMs: 0 });
    assert.equal(shared.extensions?.livedeflect?.upstreamRequests, 0);
  });

  it('counts Redis hits and misses in /metrics', async () => {
    const [first, second] = [await startReplica(), await startReplica()];
    // A day no other test of this file reads, so the first replica's lookups all miss.
    const text = rangeQuery(TEST_DAY + 8 * DAY_MS, TEST_DAY + 9 * DAY_MS);
    await query(first, text);
    await query(second, text);
    const sample = async (gateway: Gateway, result: 'hit' | 'miss') => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      const line = metrics.split('\n').find((row) => row.startsWith(`livedeflect_cache_lookups_total{tier="redis",result="${result}"}`));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    assert.ok((await sample(first, 'miss')) >= 24);
    assert.ok((await sample(second, 'hit')) >= 24);
  });

  it('stores compact packs in Redis with the settled TTL', async () => {
    // Its own day, so what it reads back is what its own query stored.
    const day = TEST_DAY - DAY_MS;
    assert.equal((await query(await startReplica(), rangeQuery(day, day + DAY_MS))).errors, undefined);
    const raw = new Redis(redis.url);
    try {
      const keys = (await raw.keys('livedeflect:v3:*')).filter((key) => {
        const bucket = Number(key.split('|').at(-1));
        return bucket >= day && bucket < day + DAY_MS;
      });
      assert.equal(keys.length, 24, 'one key per hour of the day');
      assert.ok(
        keys.every((key) => !key.includes(TOKEN_A)),
        'keys hold a fingerprint, never the credential',
      );
      const ttl = await raw.pttl(keys[0]!);
      assert.ok(ttl > 6 * DAY_MS && ttl <= 7 * DAY_MS, `TTL ${ttl} ms`);
      // Compact: a pack, far smaller than the wire JSON of the same hour.
      const bucket = Number(keys[0]!.split('|').at(-1));
      const wire = JSON.stringify({
        success: 'true',
        data: generateWindow({ seed: 'livedeflect', siteId: SITE, startTime: bucket, endTime: bucket + HOUR_MS, now: TEST_NOW, callsPerHour: 3 }),
      });
      const stored = await raw.strlen(keys[0]!);
      assert.ok(stored * 3 < wire.length, `${stored} bytes stored for ${wire.length} bytes of wire JSON`);
    } finally {
      raw.disconnect();
    }
  });

  it('costs one upstream request per window when three replicas start cold on one operation at once', async () => {
    const cold = [await startReplica(), await startReplica(), await startReplica()];
    // Slow answers, so the three really overlap: two of them must wait for the first one's lease.
    simulator.injectFault({ kind: 'latency', ms: 300, times: 6 });
    const text = rangeQuery(TEST_DAY + 3 * DAY_MS, TEST_DAY + 5 * DAY_MS);
    const answers = await Promise.all(cold.map((gateway) => query(gateway, text)));
    for (const answer of answers) {
      assert.equal(answer.errors, undefined);
      assert.deepEqual(answer.data, answers[0]!.data);
    }
    const windows = simulator.requests.map((request) => request.startTime).sort((a, b) => a - b);
    assert.deepEqual(windows, [TEST_DAY + 3 * DAY_MS, TEST_DAY + 4 * DAY_MS], 'one request per window in total');
    const waited = answers.reduce((sum, answer) => sum + (answer.extensions?.livedeflect?.cache.redis.waited ?? 0), 0);
    assert.ok(waited >= 48, `the others waited for ${waited} buckets`);
  });

  it('never answers one credential from Redis entries another credential filled', async () => {
    const [first, second] = [await startReplica(), await startReplica()];
    const text = rangeQuery(TEST_DAY + 6 * DAY_MS, TEST_DAY + 6 * DAY_MS + 2 * HOUR_MS);
    assert.equal((await query(first, text, TOKEN_A)).errors, undefined);
    const denied = await query(second, text, TOKEN_B);
    assert.equal(denied.data?.site.calls ?? null, null);
    assert.equal(denied.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(denied.extensions?.livedeflect?.cache.redis.hits, 0);
    assert.deepEqual(
      simulator.requests.map((request) => request.authorization),
      [TOKEN_A, TOKEN_B],
    );
  });

  it('answers while Redis hangs (each command gives up after REDIS_TIMEOUT)', async () => {
    const gateway = await startReplica();
    redis.pause();
    try {
      const answer = await query(gateway, rangeQuery(TEST_DAY + 7 * DAY_MS, TEST_DAY + 7 * DAY_MS + HOUR_MS));
      assert.equal(answer.errors, undefined);
      assert.equal(answer.data?.site.calls.totalCount, 3);
      assert.equal(simulator.requests.length, 1);
    } finally {
      redis.resume();
    }
  });

  it('answers every query after Redis is killed, and says so once in the log', async () => {
    const gateway = await startReplica();
    const warm = rangeQuery(TEST_DAY, TEST_DAY + 2 * DAY_MS);
    assert.equal((await query(gateway, warm)).errors, undefined);
    const mark = log.records().length;
    await redis.kill();
    const fromMemory = await query(gateway, warm);
    assert.equal(fromMemory.errors, undefined);
    for (let hour = 1; hour <= 2; hour++) {
      const from = TEST_DAY + 8 * DAY_MS + hour * HOUR_MS;
      const answer = await query(gateway, rangeQuery(from, from + HOUR_MS));
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.equal(answer.data?.site.calls.totalCount, 3);
    }
    const warnings = log
      .records()
      .slice(mark)
      .filter((record) => String(record.msg).startsWith('Redis cache tier unavailable'));
    assert.ok(warnings.length >= 1, 'a warning says Redis is gone');
    assert.ok(warnings.length <= replicas.length, `at most one warning per replica in 10 s, got ${warnings.length}`);
  });
});
