import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { captureLog, type CapturedLog } from '../helpers/logCapture.js';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const SITE = '25508804';
const OTHER_SITE = '38856538';
const PASSWORD = 'a redis password';

const dayQuery = (site: string) =>
  `{ site(id: "${site}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 500) { totalCount nodes { callId site { id } } } } }`;

interface Answer {
  readonly data?: { site: { calls: { totalCount: number; nodes: { callId: string; site: { id: string } }[] } } } | null;
  readonly errors?: unknown[];
}

describe('Redis values are checked, and Redis is password-protected', { skip: skipWithoutRedis() }, () => {
  let simulator: Simulator;
  let redis: RedisServer;
  const gateways: Gateway[] = [];

  async function startReplica(log: CapturedLog, secret = 'shared by the replicas'): Promise<Gateway> {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GRAPHIQL: 'false',
      LIVEDEFLECT_URL: simulator.url,
      REDIS_URL: redis.url,
      CACHE_KEY_SECRET: secret,
      DECODE_WORKERS: '1',
    });
    const gateway = await startGateway({ config, logger: log.logger, upstreamUrl: simulator.url, upstreamAuthorization: 'Bearer test' });
    gateways.push(gateway);
    return gateway;
  }

  async function query(gateway: Gateway, site: string): Promise<Answer> {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: dayQuery(site) }),
    });
    return (await response.json()) as Answer;
  }

  before(async () => {
    simulator = await startSimulator({ callsPerHour: 3, now: () => TEST_NOW });
    redis = await startRedisServer({ password: PASSWORD });
  });
  after(async () => {
    for (const gateway of gateways) await gateway.close();
    await simulator.close();
    await redis.kill();
  });

  it("a pack copied under another site's key is a miss and a warning, never served", async () => {
    const first = await startReplica(captureLog('warn'));
    const own = await query(first, SITE);
    assert.equal((await query(first, OTHER_SITE)).errors, undefined);
    assert.equal(own.errors, undefined, JSON.stringify(own.errors));
    // Whoever can write to Redis copies the other site's buckets over this site's keys.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`livedeflect:v3:*|${SITE}|*`);
      assert.ok(keys.length > 0, 'the first replica stored its buckets (through the password)');
      for (const key of keys) {
        const value = await client.getBuffer(key.replace(`|${SITE}|`, `|${OTHER_SITE}|`));
        if (value) await client.set(key, value, 'PX', 60_000);
      }
    } finally {
      client.disconnect();
    }
    const log = captureLog('warn');
    const second = await startReplica(log);
    const answer = await query(second, SITE);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.deepEqual(answer.data, own.data);
    assert.ok(
      answer.data!.site.calls.nodes.every((call) => call.site.id === SITE),
      'no call of the other site is served',
    );
    assert.ok(
      log.records().some((record) => record.msg === 'Redis holds a value under this key that names another site or bucket: treated as a miss'),
    );
  });

  it('a replica starting with another CACHE_KEY_SECRET than others on the same Redis says so', async () => {
    await startReplica(captureLog('warn'), 'secret one');
    const log = captureLog('warn');
    await startReplica(log, 'secret two');
    const warning = log.records().find((record) => String(record.msg).includes('different CACHE_KEY_SECRETs'));
    assert.ok(warning, log.text());
    assert.doesNotMatch(log.text(), /secret one|secret two/);
  });
});
