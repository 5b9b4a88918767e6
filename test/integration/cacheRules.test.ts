import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BucketStore } from '../../src/cache/bucketStore.js';
import { CallsLoader } from '../../src/loaders/callsLoader.js';
import type { OperationContext, Scope } from '../../src/model/operation.js';
import { createFingerprinter } from '../../src/cache/fingerprint.js';
import { MemoryTier } from '../../src/cache/memoryTier.js';
import { emptyOperationCost } from '../../src/model/operation.js';
import { createWindowDecoding, type WindowDecoding } from '../../src/decode/decodePool.js';
import { createLogger } from '../../src/logger.js';
import type { CallList } from '../../src/model/call.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { LiveDeflectClient } from '../../src/upstream/client.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { DAY_MS, HOUR_MS, TEST_DAY } from '../helpers/day.js';

const SITE = '25508804';
const OTHER_SITE = '38856538';
const TOKEN_A = 'Bearer tenant-a';
const TOKEN_B = 'Bearer tenant-b';
const SECOND = 1_000;
const SETTLE_AFTER = 2 * HOUR_MS;
const RECENT_TTL = 15 * SECOND;
const SETTLED_TTL = 7 * DAY_MS;
// The fake clock starts at noon of the test day: buckets ending by 10:00 are settled, later ones recent.
const NOON = TEST_DAY + 12 * HOUR_MS;
const logger = createLogger({ level: 'silent' });
const fingerprint = createFingerprinter('test secret');
const scopeOf = (authorization: string): Scope => ({ authorization, fingerprint: fingerprint(authorization) });
const at = (hour: number): number => TEST_DAY + hour * HOUR_MS;

interface Fixture {
  readonly store: BucketStore;
  readonly memory: MemoryTier;
  /** Moves the fake clock the store and the memory tier read. */
  readonly advance: (ms: number) => void;
}

describe('bucket cache rules (fake clock, real simulator)', () => {
  let simulator: Simulator;
  let client: LiveDeflectClient;
  let decoding: WindowDecoding;
  before(async () => {
    // The simulator's own clock stays at noon: the data never changes, only the cache's clock moves.
    simulator = await startSimulator({
      callsPerHour: 4,
      now: () => NOON,
      credentials: { [TOKEN_A]: '*', [TOKEN_B]: [OTHER_SITE] },
    });
    decoding = createWindowDecoding({ workers: 1, bucketSizeMs: HOUR_MS, maxBucketCalls: 100_000, logger });
    client = new LiveDeflectClient({
      baseUrl: simulator.url,
      timeoutMs: 5_000,
      connectTimeoutMs: 1_000,
      maxBodyBytes: 64 * 1024 * 1024,
      retries: 0,
      retryAfterMaxMs: 1_000,
      connections: 8,
      breakerFailureThreshold: 100,
      breakerCooldownMs: 1_000,
      logger,
      openBody: decoding.open,
    });
  });
  beforeEach(() => simulator.clearRequests());
  after(async () => {
    await client.close();
    await decoding.close();
    await simulator.close();
  });

  function fixture(maxBytes = 64 * 1024 * 1024): Fixture {
    let now = NOON;
    const clock = () => now;
    const memory = new MemoryTier(maxBytes, clock);
    const store = new BucketStore({
      client,
      upstreamUrl: simulator.url,
      bucketSizeMs: HOUR_MS,
      maxWindowMs: DAY_MS,
      concurrency: 4,
      memory,
      settleAfterMs: SETTLE_AFTER,
      recentTtlMs: RECENT_TTL,
      settledTtlMs: SETTLED_TTL,
      logger,
      now: clock,
    });
    return { store, memory, advance: (ms) => void (now += ms) };
  }

  const operation = (): OperationContext => ({
    cost: emptyOperationCost(),
    deadline: Date.now() + 10_000,
    requestId: 'test',
    reads: { latest: null },
  });
  const load = async (store: BucketStore, buckets: number[], token = TOKEN_A, site = SITE) => {
    const op = operation();
    const results = await store.loadBuckets(scopeOf(token), site, buckets, op);
    return { results, cost: op.cost };
  };

  it('answers a bucket loaded once from memory, without an upstream request', async () => {
    const { store } = fixture();
    const first = await load(store, [at(3)]);
    const second = await load(store, [at(3)]);
    assert.equal(simulator.requests.length, 1);
    assert.deepEqual(first.cost.cache.memory, { hits: 0, misses: 1 });
    assert.deepEqual(second.cost.cache.memory, { hits: 1, misses: 0 });
    assert.equal(second.cost.upstreamRequests, 0);
    assert.deepEqual(
      [...(second.results.get(at(3)) as CallList)].map((call) => call.callId),
      [...(first.results.get(at(3)) as CallList)].map((call) => call.callId),
    );
  });

  it('keeps a recent bucket for CACHE_RECENT_TTL and a settled one for CACHE_SETTLED_TTL', async () => {
    const { store, advance } = fixture();
    // 09:00-10:00 ended 2 h before noon: settled. 11:00-12:00 is recent.
    await load(store, [at(9)]);
    await load(store, [at(11)]);
    assert.equal(simulator.requests.length, 2);
    advance(RECENT_TTL - SECOND);
    await load(store, [at(9), at(11)]);
    assert.equal(simulator.requests.length, 2, 'both still cached just before the recent TTL');
    advance(2 * SECOND);
    const { cost } = await load(store, [at(9), at(11)]);
    assert.deepEqual(cost.cache.memory, { hits: 1, misses: 1 });
    assert.deepEqual(
      simulator.requests.slice(2).map((request) => request.startTime),
      [at(11)],
      'only the recent bucket expired',
    );
    advance(SETTLED_TTL);
    await load(store, [at(9)]);
    assert.deepEqual(
      simulator.requests.slice(3).map((request) => request.startTime),
      [at(9)],
      'the settled bucket expires after its own TTL',
    );
  });

  it('settles a bucket once its end is CACHE_SETTLE_AFTER old, judged when it is fetched', async () => {
    const { store, advance } = fixture();
    // 10:00-11:00 ends 1 h before noon: recent now, settled from 13:00.
    await load(store, [at(10)]);
    advance(RECENT_TTL + SECOND);
    await load(store, [at(10)]);
    assert.equal(simulator.requests.length, 2, 'refetched as recent');
    advance(HOUR_MS);
    await load(store, [at(10)]);
    assert.equal(simulator.requests.length, 3, 'fetched again at 13:00, now as settled history');
    advance(DAY_MS);
    await load(store, [at(10)]);
    assert.equal(simulator.requests.length, 3, 'kept a day later');
  });

  it('evicts the least recently used buckets to stay under CACHE_MAX_BYTES', async () => {
    const probe = fixture();
    await load(probe.store, [at(1)]);
    const oneBucket = probe.memory.bytes;
    const { store, memory } = fixture(Math.floor(oneBucket * 2.5));
    await load(store, [at(1)]);
    await load(store, [at(3)]);
    await load(store, [at(5)]);
    assert.ok(memory.bytes <= oneBucket * 2.5, `${memory.bytes} bytes held, bound ${oneBucket * 2.5}`);
    assert.equal(memory.size, 2);
    simulator.clearRequests();
    await load(store, [at(5)]);
    assert.equal(simulator.requests.length, 0, 'the newest bucket is still there');
    await load(store, [at(1)]);
    assert.equal(simulator.requests.length, 1, 'the oldest was evicted and costs a request again');
  });

  it('never answers one credential from entries another credential filled', async () => {
    const { store } = fixture();
    await load(store, [at(2)], TOKEN_A, OTHER_SITE);
    const asB = await load(store, [at(2)], TOKEN_B, OTHER_SITE);
    assert.equal(asB.cost.cache.memory.hits, 0);
    assert.deepEqual(
      simulator.requests.map((request) => request.authorization),
      [TOKEN_A, TOKEN_B],
      'each credential sent its own request',
    );
    // B may not read SITE: A's warm cache must not answer it.
    await load(store, [at(2)], TOKEN_A, SITE);
    const denied = await load(store, [at(2)], TOKEN_B, SITE);
    const result = denied.results.get(at(2));
    assert.ok(result instanceof UpstreamError && result.code === 'FORBIDDEN', result instanceof Error ? result.message : 'calls');
  });

  it('sends one upstream request for a bucket two operations miss at the same time', async () => {
    const { store } = fixture();
    const [first, second] = await Promise.all([load(store, [at(4), at(5)]), load(store, [at(5), at(6)])]);
    assert.equal(simulator.requests.length, 2, 'a window for 04:00-06:00 and one for 06:00, none for 05:00 twice');
    assert.equal(second.cost.cache.shared, 1, 'the second operation joined the first for 05:00');
    assert.deepEqual(first.results.get(at(5)), second.results.get(at(5)));
    simulator.clearRequests();
    const [third, fourth] = await Promise.all([load(store, [at(7)]), load(store, [at(7)])]);
    assert.equal(simulator.requests.length, 1);
    assert.equal(third.cost.upstreamRequests + fourth.cost.upstreamRequests, 1);
  });

  it('fails the buckets of a window the upstream refuses, and caches nothing for them', async () => {
    const { store, memory } = fixture();
    simulator.injectFault({ kind: 'status', status: 500, times: 1 });
    const failed = await load(store, [at(8)]);
    assert.ok(failed.results.get(at(8)) instanceof UpstreamError);
    assert.equal(memory.size, 0);
    const retried = await load(store, [at(8)]);
    assert.ok(!(retried.results.get(at(8)) instanceof Error));
    assert.equal(simulator.requests.length, 2);
  });

  it('peeks buckets all in memory at once, in the order asked, and counts them as hits', async () => {
    const { store } = fixture();
    const loaded = await load(store, [at(1), at(2)]);
    const op = operation();
    const peeked = store.peekBuckets(scopeOf(TOKEN_A), SITE, [at(2), at(1)], op);
    assert.deepEqual(peeked, [loaded.results.get(at(2)), loaded.results.get(at(1))]);
    assert.deepEqual(op.cost.cache.memory, { hits: 2, misses: 0 });
    assert.equal(simulator.requests.length, 1);
  });

  it("peeks nothing, and counts nothing, when one bucket asked is not in memory or is another credential's", async () => {
    const { store } = fixture();
    await load(store, [at(1)]);
    const op = operation();
    assert.equal(store.peekBuckets(scopeOf(TOKEN_A), SITE, [at(1), at(2)], op), null);
    assert.equal(store.peekBuckets(scopeOf(TOKEN_B), SITE, [at(1)], op), null);
    assert.deepEqual(op.cost.cache.memory, { hits: 0, misses: 0 });
    assert.equal(simulator.requests.length, 1, 'a peek never goes upstream');
  });

  it("an operation's loader answers buckets in memory without a promise, and the others through one batch", async () => {
    const { store } = fixture();
    await load(store, [at(1)]);
    simulator.clearRequests();
    const op = operation();
    const loader = new CallsLoader(store, scopeOf(TOKEN_A), op);
    const warm = loader.buckets(SITE, [at(1)]);
    assert.ok(Array.isArray(warm), 'a warm bucket is answered in the tick that asks');
    const cold = loader.buckets(SITE, [at(1), at(2)]);
    const alsoCold = loader.buckets(SITE, [at(3)]);
    assert.ok(cold instanceof Promise && alsoCold instanceof Promise);
    const [both, third] = await Promise.all([cold, alsoCold]);
    assert.equal(both[0], warm[0], 'the bucket read at once is the one the mixed read answers');
    assert.equal(both.length, 2);
    assert.equal(third.length, 1);
    assert.deepEqual(
      simulator.requests.map((request) => [request.startTime, request.endTime]),
      [[at(2), at(4)]],
      'the two cold buckets asked in one tick went upstream as one window',
    );
    assert.equal(op.reads.latest, at(3));
    assert.deepEqual(op.cost.cache.memory, { hits: 1, misses: 2 });
  });

  it("an operation reads a bucket the same all through, a subscription's loader afresh each time", async () => {
    const { store, advance } = fixture();
    // 11:00-12:00 is recent: kept for RECENT_TTL, then fetched again.
    const operationLoader = new CallsLoader(store, scopeOf(TOKEN_A), operation());
    const subscriptionLoader = new CallsLoader(store, scopeOf(TOKEN_A), operation(), { cache: false });
    const [first] = await operationLoader.buckets(SITE, [at(11)]);
    const [subscriptionFirst] = await subscriptionLoader.buckets(SITE, [at(11)]);
    assert.equal(subscriptionFirst, first, 'both read the bucket the store holds');
    advance(RECENT_TTL + SECOND);
    const [refetched] = await load(store, [at(11)]).then(({ results }) => [results.get(at(11))]);
    assert.notEqual(refetched, first, 'the store fetched the recent bucket again');
    const [again] = await operationLoader.buckets(SITE, [at(11)]);
    assert.equal(again, first, 'the operation keeps what it read');
    const [subscriptionAgain] = await subscriptionLoader.buckets(SITE, [at(11)]);
    assert.equal(subscriptionAgain, refetched, 'the subscription reads what the store holds now');
    assert.equal(simulator.requests.length, 2);
  });
});
