import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startCallbackRouter, type CallbackRouter, type CallbackSubscription } from '../helpers/callbackRouter.js';
import { simulatedClock, until } from '../helpers/liveClient.js';
import { callStates, expectedUpdates, type CallState, type ExpectedUpdate } from '../helpers/liveExpectations.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const OTHER_SITE = '31337';
const TOKEN = 'Bearer site-a';
const CALLS_PER_HOUR = 600;
const MINUTE = 60_000;

const SUBSCRIPTION = `subscription Live($site: ID!, $filter: CallFilter) {
  callUpdates(siteId: $site, filter: $filter) { kind at call { id callId stage } }
}`;

type Update = { kind: ExpectedUpdate['kind']; call: { callId: string; stage: ExpectedUpdate['stage'] } };

function updatesOf(subscription: CallbackSubscription): ExpectedUpdate[] {
  return subscription.nexts().map((payload) => {
    assert.equal(payload.errors, undefined, JSON.stringify(payload.errors));
    const update = (payload.data as { callUpdates: Update }).callUpdates;
    return { kind: update.kind, callId: update.call.callId, stage: update.call.stage };
  });
}

/**
 * Apollo Router's HTTP callback protocol against the simulator: the test plays the router (its callback
 * endpoint on loopback) and posts subscriptions as the router does, with `extensions.subscription`.
 */
describe('Subscription.callUpdates over the HTTP callback protocol', () => {
  const clock = simulatedClock();
  let stack: Stack;
  let router: CallbackRouter;
  const subscribe = async (
    subscription: CallbackSubscription,
    variables: Record<string, unknown>,
    headers: Record<string, string> = { authorization: TOKEN },
  ) => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json;callbackSpec=1.0', ...headers },
      body: router.body(subscription, SUBSCRIPTION, variables),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };
  const states = (): Map<string, CallState> => callStates(SITE, CALLS_PER_HOUR, clock.now(), clock.start - 60 * MINUTE, clock.now() + 1);
  const polled = async (): Promise<void> => {
    const target = stack.gateway.live.stats.polls + 2;
    await until(() => stack.gateway.live.stats.polls >= target, 'two more polls');
  };

  before(async () => {
    router = await startCallbackRouter();
    stack = await startStack({
      staticAuthorization: null,
      env: { LIVE_POLL_INTERVAL: '100ms', LIVEDEFLECT_RETRIES: '0', LIVE_CALLBACK_URLS: router.baseUrl, ALLOW_BATCHED_REQUESTS: 'true' },
      simulator: { callsPerHour: CALLS_PER_HOUR, now: clock.now, precompute: true, credentials: { [TOKEN]: [SITE] } },
    });
  });
  afterEach(() => until(() => stack.gateway.live.stats.pollers === 0 && stack.gateway.live.stats.polling === 0, 'every poller to stop'));
  after(async () => {
    await stack.close();
    await router.close();
  });

  it('answers {data: null}, checks the callback URL, then posts NEW and CHANGED updates as next messages', async () => {
    const subscription = router.open();
    const answer = await subscribe(subscription, { site: SITE });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.data, null);
    assert.equal(answer.body.errors, undefined);
    assert.equal(subscription.messages[0]?.action, 'check', 'the URL is checked before the answer');
    await until(() => stack.gateway.live.stats.polls >= 1 && stack.gateway.live.stats.pollers === 1, 'the baseline poll');
    await polled();
    const sent = new Set<string>();
    const expected: ExpectedUpdate[] = [];
    for (let step = 0; step < 3; step++) {
      const before = states();
      clock.advance(2 * MINUTE);
      expected.push(...expectedUpdates(before, states(), () => true, sent));
      await polled();
      await until(() => subscription.nexts().length >= expected.length, `${expected.length} updates`);
    }
    await polled();
    assert.deepEqual(updatesOf(subscription), expected);
    assert.ok(expected.some((update) => update.kind === 'NEW') && expected.some((update) => update.kind === 'CHANGED'));
    // The router forgets the subscription: its next answer is 404, and the subgraph stops.
    subscription.status = 404;
    clock.advance(2 * MINUTE);
    await until(() => stack.gateway.live.stats.subscriptions === 0, 'the subscription to end');
    assert.equal(subscription.completed(), undefined, 'a subscription the router dropped is not completed to it');
  });

  it('ends with FORBIDDEN, as a coded error, when the credential may not read the site', async () => {
    const subscription = router.open();
    assert.equal((await subscribe(subscription, { site: OTHER_SITE })).status, 200);
    await until(() => subscription.completed() !== undefined, 'complete');
    assert.deepEqual(
      subscription.nexts().map((payload) => payload.errors?.map((error) => error.extensions?.code)),
      [['FORBIDDEN']],
    );
    assert.equal(subscription.nexts()[0]?.data, null);
  });

  it('completes with UNAUTHENTICATED and polls nothing without a credential', async () => {
    stack.simulator.clearRequests();
    const subscription = router.open();
    assert.equal((await subscribe(subscription, { site: SITE }, {})).status, 200);
    await until(() => subscription.completed() !== undefined, 'complete');
    assert.deepEqual(
      subscription.completed()?.errors?.map((error) => error.extensions?.code),
      ['UNAUTHENTICATED'],
    );
    assert.equal(stack.simulator.requests.length, 0);
  });

  it('refuses a callback URL outside LIVE_CALLBACK_URLS, a query sent as a subscription and a subscription sent without the extension, before posting or polling anything', async () => {
    const before = router.requests;
    const elsewhere = { ...router.open(), callbackUrl: `${router.baseUrl}-elsewhere/x` };
    const refused = await subscribe(elsewhere, { site: SITE });
    assert.equal(refused.status, 400);
    assert.deepEqual(
      refused.body.errors?.map((error) => error.extensions?.code),
      ['BAD_REQUEST'],
    );

    const subscription = router.open();
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: TOKEN },
      body: router.body(subscription, `query { site(id: "${SITE}") { id } }`, {}),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.deepEqual(
      body.errors?.map((error) => error.extensions?.code),
      ['BAD_REQUEST'],
    );

    // Without the extension, a subscription is no request Apollo can run over HTTP: its client is told where to send it.
    const plain = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: TOKEN },
      body: JSON.stringify({ query: SUBSCRIPTION, variables: { site: SITE } }),
    });
    assert.equal(plain.status, 400);
    const plainBody = (await plain.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    assert.deepEqual(
      plainBody.errors?.map((error) => error.extensions?.code),
      ['BAD_REQUEST'],
    );
    assert.match(plainBody.errors?.[0]?.message ?? '', /WebSocket/);

    // 10 ms would be a loop of checks, and so would 2^31 ms (a timer runs it as 1 ms).
    for (const heartbeat of [10, 2 ** 31]) {
      const refusedHeartbeat = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TOKEN },
        body: router.body(router.open(), SUBSCRIPTION, { site: SITE }, heartbeat),
      });
      assert.equal(refusedHeartbeat.status, 400, `a heartbeat of ${heartbeat} ms`);
    }
    // In a batch, the subscription would share the batch's request context, whose deadline and loader cache end with it.
    const batched = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: TOKEN },
      body: `[${router.body(router.open(), SUBSCRIPTION, { site: SITE })}]`,
    });
    const batch = (await batched.json()) as { errors?: { extensions?: { code?: string } }[] }[];
    assert.deepEqual(
      batch.map((answer) => answer.errors?.map((error) => error.extensions?.code)),
      [['BAD_REQUEST']],
    );
    assert.equal(router.requests, before, 'nothing was posted');
    assert.equal(stack.gateway.live.stats.subscriptions, 0);
  });

  it('answers 400 BAD_REQUEST when the router fails the check (an error, a redirect, a subscription it no longer knows), and starts nothing', async () => {
    for (const status of [500, 302, 404]) {
      const subscription = router.open();
      subscription.status = status;
      const answer = await subscribe(subscription, { site: SITE });
      assert.equal(answer.status, 400, `a check answered ${status}`);
      assert.deepEqual(
        answer.body.errors?.map((error) => error.extensions),
        [{ code: 'BAD_REQUEST' }],
      );
      assert.ok(subscription.messages.every((message) => message.action === 'check'));
      assert.equal(stack.gateway.live.stats.subscriptions, 0);
    }
  });

  it('survives a router that refuses the complete, and posts nothing more for that subscription', async () => {
    const subscription = router.open();
    subscription.completeStatus = 400;
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // No credential: the subscription is refused at once, and Apollo posts its complete without waiting for it.
      body: router.body(subscription, SUBSCRIPTION, { site: SITE }, 1_000),
    });
    assert.equal(response.status, 200);
    await until(() => subscription.completed() !== undefined, 'the complete');
    const posted = subscription.messages.length;
    const requests = router.requests;
    // Two heartbeat intervals: a heartbeat still running would have posted a check in each.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(router.requests, requests, 'no heartbeat after the complete');
    assert.equal(subscription.messages.length, posted);
    assert.equal((await stack.query('{ __typename }')).status, 200, 'the gateway is still up');
  });

  it('sends heartbeats at the interval the router asked for, and completes every subscription when the gateway stops', async () => {
    // A gateway of its own, so stopping it leaves the others' stack running.
    const own = await startStack({
      staticAuthorization: null,
      env: { LIVE_POLL_INTERVAL: '100ms', LIVE_CALLBACK_URLS: router.baseUrl, SHUTDOWN_DELAY: '0s' },
      simulator: { callsPerHour: 60, credentials: { [TOKEN]: [SITE] } },
    });
    const subscription = router.open();
    const response = await fetch(`${own.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: TOKEN },
      body: router.body(subscription, SUBSCRIPTION, { site: SITE }, 1_000),
    });
    assert.equal(response.status, 200);
    await until(() => subscription.messages.filter((message) => message.action === 'check').length >= 2, 'a heartbeat after the first check');
    await own.close();
    assert.ok(subscription.completed(), 'completed before the gateway stopped');
    assert.equal(subscription.completed()?.errors, undefined);
  });
});
