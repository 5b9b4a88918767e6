import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../helpers/stack.js';

describe('health checks as routers and load balancers send them', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('answers the { __typename } GET with apollo-require-preflight, and refuses it without (CSRF prevention)', async () => {
    const url = `${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const checked = await fetch(url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    assert.equal(checked.status, 200);
    assert.deepEqual(((await checked.json()) as { data: unknown }).data, { __typename: 'Query' });

    const unguarded = await fetch(url, { headers: { accept: 'application/json' } });
    assert.equal(unguarded.status, 400);
    await unguarded.body?.cancel();
  });

  it('answers /readyz 200 while the upstream breaker is closed', async () => {
    const ready = await fetch(`${stack.gatewayUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });
});
