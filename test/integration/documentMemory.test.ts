import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TEST_NOW } from '../helpers/day.js';
import { commentedDocument, heapGrowth, mb } from '../helpers/heap.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** Every per-document store together may hold 3 x DOCUMENT_CACHE_BYTES; the rest of the bound is noise. */
const DOCUMENT_CACHE_BYTES = 1024 * 1024;
const MAX_GROWTH_BYTES = 8 * 1024 * 1024;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('document memory is bounded by bytes (DOCUMENT_CACHE_BYTES, MAX_QUERY_BYTES)', () => {
  let stack: Stack;
  const post = async (body: unknown): Promise<{ status: number; body: { errors?: { message: string; extensions?: Record<string, unknown> }[] } }> => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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

  it('300 distinct 60 KB documents (mostly comment) leave the heap within the bound, not 18 MB bigger', async () => {
    const growth = await heapGrowth(300, (i) => post({ query: commentedDocument(1_000 + i, 60_000) }));
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });

  it('200 automatic persisted query registrations of 60 KB leave the heap within the bound', async () => {
    const growth = await heapGrowth(200, async (i) => {
      const query = commentedDocument(20_000 + i, 60_000);
      const answer = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      assert.equal(answer.body.errors, undefined);
    });
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });
});
