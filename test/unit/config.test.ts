import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { formatDuration, parseDuration } from '../../src/duration.js';

describe('parseDuration', () => {
  for (const [text, ms] of [
    ['500ms', 500],
    ['15s', 15_000],
    ['2h', 7_200_000],
    ['31d', 31 * 86_400_000],
    ['1500', 1500],
    ['1.5s', 1500],
  ] as const) {
    it(`reads "${text}" as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }
  for (const text of ['', 'soon', '15 minutes', '-5s', '1e3']) {
    it(`refuses "${text}"`, () => assert.equal(parseDuration(text), null));
  }
  it('formats whole units back', () => {
    assert.equal(formatDuration(86_400_000 * 31), '31d');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(1500), '1500ms');
  });
});

describe('loadConfig', () => {
  it('has the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.port, 4000);
    assert.equal(config.upstreamUrl, null);
    assert.equal(config.upstreamTimeoutMs, 10_000);
    assert.equal(config.bucketSizeMs, 3_600_000);
    assert.equal(config.maxWindowMs, 86_400_000);
    assert.equal(config.maxRangeMs, 31 * 86_400_000);
    assert.equal(config.maxTimelinePoints, 3_000);
    assert.equal(config.cacheSettleAfterMs, 7_200_000);
    assert.equal(config.cacheRecentTtlMs, 15_000);
    assert.equal(config.maxBodyBytes, 1024 * 1024);
    assert.equal(config.introspection, true);
  });

  it('turns introspection and GraphiQL off in production unless asked for', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production' }).introspection, false);
    assert.equal(loadConfig({ NODE_ENV: 'production' }).graphiql, false);
    assert.equal(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection, true);
  });

  it('has the documented defaults of the edge bounds', () => {
    const config = loadConfig({});
    assert.equal(config.maxQueryBytes, 64 * 1024);
    assert.equal(config.documentCacheBytes, 32 * 1024 * 1024);
    assert.equal(config.maxOperationWindows, 96);
    assert.equal(config.maxBatchSize, 10);
    assert.equal(config.requestTimeoutMs, 30_000);
    assert.equal(config.headersTimeoutMs, 10_000);
    assert.equal(config.maxConnections, 1_024);
    assert.equal(config.shutdownDelayMs, 5_000);
    assert.equal(config.exposeSubgraphSdl, true);
    assert.equal(config.federatedTracing, true);
  });

  it('turns the subgraph SDL and inline traces off in production unless asked for', () => {
    const production = loadConfig({ NODE_ENV: 'production' });
    assert.equal(production.exposeSubgraphSdl, false);
    assert.equal(production.federatedTracing, false);
    const asked = loadConfig({ NODE_ENV: 'production', EXPOSE_SUBGRAPH_SDL: 'true', FEDERATED_TRACING: 'true' });
    assert.equal(asked.exposeSubgraphSdl, true);
    assert.equal(asked.federatedTracing, true);
  });

  it('accepts SHUTDOWN_DELAY=0, where other durations must be positive', () => {
    assert.equal(loadConfig({ SHUTDOWN_DELAY: '0' }).shutdownDelayMs, 0);
    assert.throws(() => loadConfig({ SHUTDOWN_TIMEOUT: '0' }), ConfigError);
  });

  it('reads durations in any documented spelling', () => {
    assert.equal(loadConfig({ LIVEDEFLECT_TIMEOUT: '500ms' }).upstreamTimeoutMs, 500);
    assert.equal(loadConfig({ MAX_RANGE: '7d' }).maxRangeMs, 7 * 86_400_000);
    assert.equal(loadConfig({ LIVEDEFLECT_TIMEOUT: '2500' }).upstreamTimeoutMs, 2500);
  });

  it('allows every origin outside production and none in production, preflights cached 2h, no credentials', () => {
    const config = loadConfig({});
    assert.equal(config.corsOrigins, '*');
    assert.equal(config.corsMaxAgeSeconds, 7200);
    assert.equal(config.corsCredentials, false);
    assert.deepEqual(loadConfig({ NODE_ENV: 'production' }).corsOrigins, []);
  });

  it('reads CORS_ORIGINS as exact origins and CORS_MAX_AGE in whole seconds', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173', CORS_MAX_AGE: '10m', CORS_CREDENTIALS: 'true' });
    assert.deepEqual(config.corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
    assert.equal(config.corsMaxAgeSeconds, 600);
    assert.equal(config.corsCredentials, true);
    assert.equal(loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: '*' }).corsOrigins, '*');
  });

  it('reads LIVE_CALLBACK_URLS as URL prefixes (none by default: the callback protocol is off)', () => {
    assert.deepEqual(loadConfig({}).liveCallbackUrls, []);
    assert.deepEqual(loadConfig({ LIVE_CALLBACK_URLS: 'http://router:4000/callback, https://router.example.com' }).liveCallbackUrls, [
      'http://router:4000/callback',
      'https://router.example.com/',
    ]);
  });

  it('does not repeat a password of an unreadable URL in its error', () => {
    assert.throws(
      () => loadConfig({ REDIS_URL: 'redis://:hunter2@redis:99999' }),
      (error: Error) => /REDIS_URL/.test(error.message) && !error.message.includes('hunter2'),
    );
  });

  it('reads PERSISTED_DOCUMENTS and PERSISTED_DOCUMENTS_ONLY (off by default)', () => {
    assert.equal(loadConfig({}).persistedDocumentsFile, null);
    const config = loadConfig({ PERSISTED_DOCUMENTS: 'manifest.json', PERSISTED_DOCUMENTS_ONLY: 'true' });
    assert.equal(config.persistedDocumentsFile, 'manifest.json');
    assert.equal(config.persistedDocumentsOnly, true);
  });

  for (const [env, mentions] of [
    [{ CORS_ORIGINS: 'https://app.example.com/' }, 'did you mean "https://app.example.com"'],
    [{ CORS_ORIGINS: 'app.example.com' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://a.example.com,,https://b.example.com' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: '*,https://a.example.com' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'ftp://a.example.com' }, 'CORS_ORIGINS'],
    [{ CORS_MAX_AGE: '1500ms' }, 'CORS_MAX_AGE'],
    [{ CORS_CREDENTIALS: 'true' }, 'CORS_CREDENTIALS=true needs CORS_ORIGINS'],
    [{ CORS_CREDENTIALS: 'true', CORS_ORIGINS: '*' }, 'CORS_CREDENTIALS=true needs CORS_ORIGINS'],
    [{ PERSISTED_DOCUMENTS_ONLY: 'true' }, 'PERSISTED_DOCUMENTS'],
    [{ LIVE_CALLBACK_URLS: 'router:4000/callback' }, 'LIVE_CALLBACK_URLS'],
    [{ LIVE_CALLBACK_URLS: 'http://user:secret@router/callback' }, 'must not carry credentials'],
    [{ LIVE_CALLBACK_URLS: 'http://router/callback?x=1' }, 'LIVE_CALLBACK_URLS'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LIVEDEFLECT_TIMEOUT: 'soon' }, 'LIVEDEFLECT_TIMEOUT'],
    [{ LIVEDEFLECT_URL: 'not a url' }, 'LIVEDEFLECT_URL'],
    [{ LIVEDEFLECT_URL: 'ftp://example.test' }, 'LIVEDEFLECT_URL'],
    [{ BUCKET_SIZE: '7h' }, 'BUCKET_SIZE'],
    [{ LIVEDEFLECT_MAX_WINDOW: '90m' }, 'LIVEDEFLECT_MAX_WINDOW'],
    [{ MASK_PII: 'maybe' }, 'MASK_PII'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CACHE_MAX_BYTES: 'lots' }, 'CACHE_MAX_BYTES'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ MAX_QUERY_BYTES: 'big' }, 'MAX_QUERY_BYTES'],
    [{ DOCUMENT_CACHE_BYTES: '0' }, 'DOCUMENT_CACHE_BYTES'],
    [{ MAX_OPERATION_WINDOWS: '0' }, 'MAX_OPERATION_WINDOWS'],
    [{ MAX_BATCH_SIZE: '0' }, 'MAX_BATCH_SIZE'],
    [{ MAX_CONNECTIONS: 'many' }, 'MAX_CONNECTIONS'],
    [{ REQUEST_TIMEOUT: 'slow' }, 'REQUEST_TIMEOUT'],
    [{ REQUEST_TIMEOUT: '5s', HEADERS_TIMEOUT: '10s' }, 'HEADERS_TIMEOUT'],
    [{ SHUTDOWN_DELAY: '-1s' }, 'SHUTDOWN_DELAY'],
    [{ EXPOSE_SUBGRAPH_SDL: 'perhaps' }, 'EXPOSE_SUBGRAPH_SDL'],
    [{ MAX_TIMELINE_POINTS: '0' }, 'MAX_TIMELINE_POINTS'],
    [{ MAX_TIMELINE_POINTS: 'many' }, 'MAX_TIMELINE_POINTS'],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with a message naming ${mentions}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message.includes(mentions),
      );
    });
  }
});
