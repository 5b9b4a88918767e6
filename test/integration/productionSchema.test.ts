import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_NOW } from '../helpers/day.js';
import { liveClient, record } from '../helpers/liveClient.js';
import { startStack, type Stack, type StackOptions } from '../helpers/stack.js';

const SDL = '{ _service { sdl } }';
const MISSPELT = '{ site(id: "25508804") { cals { totalCount } } }';
const TRACE_HEADER = { 'apollo-federation-include-trace': 'ftv1' };

const stackWith = (env: Record<string, string>, options: StackOptions = {}): Promise<Stack> =>
  startStack({ ...options, env, simulator: { callsPerHour: 1, now: () => TEST_NOW } });

describe('production hides the schema from clients', () => {
  let production: Stack;
  let development: Stack;
  before(async () => {
    [production, development] = await Promise.all([stackWith({ NODE_ENV: 'production' }), stackWith({})]);
  });
  after(() => Promise.all([production.close(), development.close()]));

  it('_service { sdl } is refused in production with a message naming EXPOSE_SUBGRAPH_SDL, and answered in development', async () => {
    const refused = await production.query(SDL);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(refused.body.errors[0].message, /EXPOSE_SUBGRAPH_SDL=true/);
    assert.doesNotMatch(JSON.stringify(refused.body), /type Call/);
    const answered = await development.query(SDL);
    assert.match((answered.body.data?._service as { sdl: string }).sdl, /type Call/);
  });

  it('EXPOSE_SUBGRAPH_SDL=true answers _service in production', async () => {
    const stack = await stackWith({ NODE_ENV: 'production', EXPOSE_SUBGRAPH_SDL: 'true' });
    try {
      const answer = await stack.query(SDL);
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
      assert.match((answer.body.data?._service as { sdl: string }).sdl, /type Call/);
    } finally {
      await stack.close();
    }
  });

  it('a misspelt field gets no "Did you mean" in production, and does in development', async () => {
    const hidden = await production.query(MISSPELT);
    assert.equal(hidden.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(hidden.body.errors[0].message, /Cannot query field "cals"/);
    assert.doesNotMatch(hidden.body.errors[0].message, /Did you mean/);
    assert.match((await development.query(MISSPELT)).body.errors![0]!.message, /Did you mean "calls"/);
  });

  it('a misspelt enum value in the variables, or a misspelt field over WebSocket, gets no "Did you mean" in production either', async () => {
    const query = `query($stages: [DeflectionStage!]) { site(id: "25508804") { stats(from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z", filter: { stages: $stages }) { totalCalls } } }`;
    const variables = { stages: ['ACEPTED'] };
    const hidden = await production.query(query, variables);
    assert.equal(hidden.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(hidden.body.errors[0].message, /Value "ACEPTED" does not exist in "DeflectionStage" enum\.$/);
    assert.match((await development.query(query, variables)).body.errors![0]!.message, /Did you mean the enum value "ACCEPTED"\?/);

    const misspelt = async (stack: Stack): Promise<string> => {
      const client = liveClient(stack.gatewayUrl);
      const live = record(client, 'subscription { callUpdates(siteId: "25508804") { kind cal { callId } } }');
      await live.ended;
      await client.dispose();
      return (live.error as { message: string }[])[0]!.message;
    };
    assert.match(await misspelt(production), /^Cannot query field "cal" on type "CallUpdate"\.$/);
    assert.match(await misspelt(development), /Did you mean "call"/);
  });

  it('the ftv1 header gets no inline trace in production, and one in development', async () => {
    const hidden = await production.query('{ __typename }', {}, TRACE_HEADER);
    assert.equal(hidden.body.errors, undefined);
    assert.equal(hidden.body.extensions?.ftv1, undefined);
    assert.equal(typeof (await development.query('{ __typename }', {}, TRACE_HEADER)).body.extensions?.ftv1, 'string');
  });

  it('FEDERATED_TRACING=true sends inline traces in production', async () => {
    const stack = await stackWith({ NODE_ENV: 'production', FEDERATED_TRACING: 'true' });
    try {
      assert.equal(typeof (await stack.query('{ __typename }', {}, TRACE_HEADER)).body.extensions?.ftv1, 'string');
    } finally {
      await stack.close();
    }
  });
});
