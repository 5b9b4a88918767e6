import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_NOW } from '../helpers/day.js';
import { commentedDocument, heapGrowth, mb } from '../helpers/heap.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** Every per-document store together may hold 3 x DOCUMENT_CACHE_BYTES; the rest of the bound is noise. */
const DOCUMENT_CACHE_BYTES = 1024 * 1024;
const MAX_GROWTH_BYTES = 8 * 1024 * 1024;

describe('what GET query strings and variables leave behind is bounded by bytes (DOCUMENT_CACHE_BYTES)', () => {
  let stack: Stack;
  const post = async (body: unknown): Promise<{ status: number }> => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return { status: response.status };
  };
  before(async () => {
    stack = await startStack({ env: { DOCUMENT_CACHE_BYTES: String(DOCUMENT_CACHE_BYTES) }, simulator: { callsPerHour: 1, now: () => TEST_NOW } });
    // Warm: the first requests build what every later one reuses.
    for (let i = 0; i < 20; i++) await post({ query: commentedDocument(-i - 1, 1_000) });
  });
  after(() => stack.close());

  it('800 distinct 14 KB GET query strings leave the heap within the bound', async () => {
    const growth = await heapGrowth(800, async (i) => {
      const search = new URLSearchParams({ query: commentedDocument(10_000 + i, 14_000) });
      const response = await fetch(`${stack.gatewayUrl}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    });
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });

  it('the limits plugin remembers verdicts by bytes: 320 variable sets of 40 KB leave the heap within the bound', async () => {
    const growth = await heapGrowth(320, async (i) => {
      // Five documents, each with 64 distinct sets of variables (the old per-document count).
      const query = `query Q${i % 5}($id: ID!) { site(id: $id) { id } }`;
      const answer = await post({ query, variables: { id: `${i}`.padStart(40_000, '9') } });
      assert.equal(answer.status, 200);
    });
    assert.ok(growth < MAX_GROWTH_BYTES, `heap grew by ${mb(growth)}`);
  });
});
