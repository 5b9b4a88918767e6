import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Every per-document store together may hold 3 x DOCUMENT_CACHE_BYTES; the rest of the bound is noise. */
const DOCUMENT_CACHE_BYTES = 2 * 1024 * 1024;
const MAX_GROWTH_BYTES = 16 * 1024 * 1024;
const CONCURRENCY = 4;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sends count requests, CONCURRENCY at a time, and returns how much the heap grew for good. */
async function heapGrowth(count: number, send: (index: number) => Promise<unknown>): Promise<number> {
  const before = heapUsed();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return heapUsed() - before;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** A valid document of `bytes` bytes, distinct per index: most of it a comment, which is not a token. */
const commentedDocument = (index: number, bytes: number) => {
  const head = `{ __typename } # ${index} `;
  return head + 'x'.repeat(bytes - head.length);
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('document memory is bounded by bytes (DOCUMENT_CACHE_BYTES, MAX_QUERY_BYTES)', () => {
  let stack: Stack;
  const post = async (body: unknown): Promise<{ status: number; body: { errors?: { message: string; extensions?: Record<string, unknown> }[] } }> => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as never };
  };
  before(async () => {
    stack = await startStack({ env: { DOCUMENT_CACHE_BYTES: String(DOCUMENT_CACHE_BYTES) }, simulator: { callsPerHour: 1, now: () => TEST_NOW } });
    // Warm: the first requests build what every later one reuses.
    for (let i = 0; i < 20; i++) await post({ query: commentedDocument(-i - 1, 1_000) });
  });
  after(() => stack.close());

  it('a query text of exactly MAX_QUERY_BYTES (64 KiB) passes; one byte more is QUERY_TOO_COMPLEX with limit and max', async () => {
    const max = stack.config.maxQueryBytes;
    assert.equal(max, 64 * 1024);
    const within = await post({ query: commentedDocument(1, max) });
    assert.equal(within.status, 200);
    assert.equal(within.body.errors, undefined);
    const over = await post({ query: commentedDocument(2, max + 1) });
    assert.equal(over.status, 400);
    const { code, limit, max: maxSent, found } = over.body.errors![0]!.extensions!;
    assert.deepEqual({ code, limit, max: maxSent, found }, { code: 'QUERY_TOO_COMPLEX', limit: 'MAX_QUERY_BYTES', max, found: max + 1 });
    assert.match(over.body.errors![0]!.message, /MAX_QUERY_BYTES.*smaller/);
  });

  it('a persisted query over MAX_QUERY_BYTES is refused and never registered', async () => {
    const query = commentedDocument(3, stack.config.maxQueryBytes + 10);
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const refused = await post({ query, extensions: { persistedQuery } });
    assert.equal(refused.body.errors?.[0]?.extensions?.limit, 'MAX_QUERY_BYTES');
    const byHash = await post({ extensions: { persistedQuery } });
    assert.equal(byHash.body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('1,000 distinct 60 KB documents (mostly comment) leave the heap within the bound, not 60 MB bigger', async () => {
    const growth = await heapGrowth(1_000, (i) => post({ query: commentedDocument(1_000 + i, 60_000) }));
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });

  it('2,000 distinct 14 KB GET query strings leave the heap within the bound', async () => {
    const growth = await heapGrowth(2_000, async (i) => {
      const search = new URLSearchParams({ query: commentedDocument(10_000 + i, 14_000) });
      const response = await fetch(`${stack.gatewayUrl}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    });
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });

  it('600 automatic persisted query registrations of 60 KB leave the heap within the bound', async () => {
    const growth = await heapGrowth(600, async (i) => {
      const query = commentedDocument(20_000 + i, 60_000);
      const answer = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      assert.equal(answer.body.errors, undefined);
    });
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });

  it('the limits plugin remembers verdicts by bytes: 640 variable sets of 40 KB leave the heap within the bound', async () => {
    const growth = await heapGrowth(640, async (i) => {
      // Ten documents, each with 64 distinct sets of variables (the old per-document count).
      const query = `query Q${i % 10}($id: ID!) { site(id: $id) { id } }`;
      const answer = await post({ query, variables: { id: `${i}`.padStart(40_000, '9') } });
      assert.equal(answer.status, 200);
    });
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });
});
