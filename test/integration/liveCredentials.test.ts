import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { liveClient, record, until } from '../helpers/liveClient.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const OTHER_SITE = '31337';
const SUBSCRIPTION = `subscription Live($site: ID!) { callUpdates(siteId: $site) { kind call { callId } } }`;

describe('Subscription.callUpdates credentials', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      staticAuthorization: null,
      env: { LIVE_POLL_INTERVAL: '100ms', LIVEDEFLECT_RETRIES: '0' },
      simulator: { credentials: { 'Bearer site-a': [SITE] } },
    });
  });
  after(() => stack.close());

  it('ends the subscription with FORBIDDEN when the credential may not read the site', async () => {
    const client = liveClient(stack.gatewayUrl, { connectionParams: { Authorization: 'Bearer site-a' } });
    const live = record(client, SUBSCRIPTION, { site: OTHER_SITE });
    await live.ended;
    assert.equal(live.completed, true);
    assert.deepEqual(
      live.results.map((result) => result.errors?.map((error) => error.extensions?.code)),
      [['FORBIDDEN']],
    );
    await until(() => stack.gateway.live.stats.pollers === 0 && stack.gateway.live.stats.polling === 0, 'the poller to stop');
    await client.dispose();
  });

  it('uses connectionParams.Authorization, else the upgrade request header', async () => {
    stack.simulator.clearRequests();
    const byParams = liveClient(stack.gatewayUrl, {
      connectionParams: { Authorization: 'Bearer site-a' },
      headers: { authorization: 'Bearer other' },
    });
    const byHeader = liveClient(stack.gatewayUrl, { headers: { authorization: 'Bearer site-a' } });
    const one = record(byParams, SUBSCRIPTION, { site: SITE });
    const two = record(byHeader, SUBSCRIPTION, { site: SITE });
    await until(() => stack.gateway.live.stats.polls >= 2, 'a poll');
    assert.deepEqual(new Set(stack.simulator.requests.map((request) => request.authorization)), new Set(['Bearer site-a']));
    assert.equal(stack.gateway.live.stats.pollers, 1, 'one credential, one site: one poller');
    one.stop();
    two.stop();
    await byParams.dispose();
    await byHeader.dispose();
    await until(() => stack.gateway.live.stats.pollers === 0 && stack.gateway.live.stats.polling === 0, 'the poller to stop');
  });

  it('fails with UNAUTHENTICATED and polls nothing without a credential', async () => {
    stack.simulator.clearRequests();
    const client = liveClient(stack.gatewayUrl);
    const live = record(client, SUBSCRIPTION, { site: SITE });
    await live.ended;
    assert.deepEqual(
      live.results.map((result) => result.errors?.map((error) => error.extensions?.code)),
      [['UNAUTHENTICATED']],
    );
    assert.equal(stack.simulator.requests.length, 0);
    assert.equal(stack.gateway.live.stats.pollers, 0);
    await client.dispose();
  });

  it('refuses connectionParams whose Authorization is not a string, with BAD_REQUEST on the subscription', async () => {
    const client = liveClient(stack.gatewayUrl, { connectionParams: { Authorization: { token: 'x' } } });
    const live = record(client, SUBSCRIPTION, { site: SITE });
    await live.ended;
    assert.deepEqual(
      (live.error as { extensions?: { code?: string } }[]).map((error) => error.extensions?.code),
      ['BAD_REQUEST'],
    );
    await client.dispose();
  });
});
