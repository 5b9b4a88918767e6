// How often the request limits are weighed: once per trusted document (and variables), however often Apollo
// re-parses it. Counted through the limits object itself: each check reads its setting when it runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../../../src/context.js';
import { createLimitsPlugin, type RequestLimits } from '../../../src/plugins/limits.js';
import { createPersistedDocumentsPlugin } from '../../../src/plugins/persistedDocuments.js';
import { buildSchema } from '../../../src/schema.js';

const DOCUMENT = 'query SiteName { site(id: "25508804") { id } }';

/** Limits far above the document, counting how often the token count and the cost verdict read theirs. */
function countingLimits(): { limits: RequestLimits; reads: { tokens: number; cost: number } } {
  const reads = { tokens: 0, cost: 0 };
  const limits: RequestLimits = {
    maxDepth: 10,
    maxAliases: 50,
    maxRootFields: 100,
    maxQueryBytes: 64 * 1024,
    documentCacheBytes: 32 * 1024 * 1024,
    get maxTokens() {
      reads.tokens++;
      return 5000;
    },
    get maxCost() {
      reads.cost++;
      return 50_000;
    },
  };
  return { limits, reads };
}

async function serverWith(limits: RequestLimits): Promise<ApolloServer<GatewayContext>> {
  const server = new ApolloServer<GatewayContext>({
    schema: buildSchema(),
    // No document cache: every request is parsed again, as after Apollo's cache dropped the document.
    documentStore: null,
    plugins: [createPersistedDocumentsPlugin(new Map([['site-name-v1', DOCUMENT]]), false), createLimitsPlugin(limits)],
  });
  await server.start();
  return server;
}

// The resolvers that run here (Query.site) read nothing from the context.
const contextValue = {} as GatewayContext;

describe('request-limit verdicts', () => {
  it('are weighed once for a trusted document, however often it is parsed again', async () => {
    const { limits, reads } = countingLimits();
    const server = await serverWith(limits);
    try {
      const request = () => ({ extensions: { persistedQuery: { version: 1, sha256Hash: 'site-name-v1' } } });
      const first = await server.executeOperation(request(), { contextValue });
      assert.equal(first.body.kind === 'single' && first.body.singleResult.errors, undefined);
      const afterFirst = { ...reads };
      assert.ok(afterFirst.tokens > 0 && afterFirst.cost > 0, 'the first run was checked');
      for (let i = 0; i < 3; i++) await server.executeOperation(request(), { contextValue });
      assert.deepEqual(reads, afterFirst);
    } finally {
      await server.stop();
    }
  });

  it('are weighed again for the same query text sent free-form, once it is parsed again', async () => {
    const { limits, reads } = countingLimits();
    const server = await serverWith(limits);
    try {
      await server.executeOperation({ query: DOCUMENT }, { contextValue });
      const afterFirst = { ...reads };
      await server.executeOperation({ query: DOCUMENT }, { contextValue });
      assert.ok(reads.tokens > afterFirst.tokens && reads.cost > afterFirst.cost);
    } finally {
      await server.stop();
    }
  });
});
