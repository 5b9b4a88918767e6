import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnMain, within } from '../helpers/mainProcess.js';

describe('npm start (src/main.ts)', () => {
  it("with no configuration serves the embedded simulator's example site at once, with no credential from the client", async () => {
    const main = spawnMain({ GRAPHIQL: 'false' });
    try {
      const url = await within(main.graphqlUrl, 30_000, 'the gateway to log its URL');
      const now = Date.now();
      const query = `{ site(id:"25508804") { calls(from:"${new Date(now - 86_400_000).toISOString()}", to:"${new Date(now).toISOString()}", first:5) {
        totalCount nodes { id callId skill stage customerPhone { e164 } events { type info time } } } } }`;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const body = (await response.json()) as { data: { site: { calls: { totalCount: number; nodes: { events: unknown[] }[] } } }; errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      assert.ok(body.data.site.calls.totalCount > 0);
      assert.equal(body.data.site.calls.nodes.length, 5);
      assert.ok(body.data.site.calls.nodes.every((call) => call.events.length > 0));
    } finally {
      main.child.kill('SIGTERM');
      assert.equal(await within(main.exited, 30_000, 'the process to exit'), 0);
    }
  });

  it('exits 1 with a message naming the setting when the configuration is bad', async () => {
    const main = spawnMain({ LIVEDEFLECT_TIMEOUT: 'soon' });
    assert.equal(await within(main.exited, 30_000, 'the process to exit'), 1);
    assert.ok(
      main.lines.some((line) => /configuration error: LIVEDEFLECT_TIMEOUT must be a positive duration/.test(line)),
      main.lines.join('\n'),
    );
  });
});
