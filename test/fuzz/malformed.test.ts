import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRng, type Rng } from '../../src/simulator/prng.js';
import { DAY_MS, HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { JUNK, upstreamBody } from '../helpers/malformedBodies.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Malformed input from both sides, generated from a fixed seed (the same requests on every run): clients
 * sending anything, and an upstream answering anything. The gateway must answer every request with a
 * well-formed GraphQL response, never a 5xx or an INTERNAL_SERVER_ERROR, and keep serving.
 */

const SEED = 'fuzz-1';
const SITE = '25508804';
const CALLS_PER_HOUR = 3;
const CLIENT_REQUESTS = 2_100;
const UPSTREAM_BODIES = 500;
const WORKERS = 8;
/** Sites of the upstream-body test, one per worker: numeric, as the simulator wants. */
const FUZZ_SITE_BASE = 90_000_000;

const CALL_FIELDS = `id callId site { id } externalCallId beginTime skill callerEnteredDigits callerInfo callerInfoRaw conversationId
  conversation { id } customerPhone { countryCode number e164 } dialedPhone { countryCode number e164 } externalConsumerId stage
  lastEventTime events { type rawType info time call { callId } }`;

const VARIABLES_QUERY = `query Fuzz($site: ID!, $from: DateTime!, $to: DateTime!, $first: Int, $after: String, $filter: CallFilter, $order: SortOrder) {
  site(id: $site) { calls(from: $from, to: $to, first: $first, after: $after, filter: $filter, order: $order) {
    totalCount pageInfo { hasNextPage endCursor } nodes { callId stage } } } }`;

const VALID_QUERIES = [
  `{ site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 2) { totalCount nodes { ${CALL_FIELDS} } } } }`,
  `{ site(id: "${SITE}") { events(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + HOUR_MS)}", filter: { types: [CALL_START] }) { edges { cursor node { type time } } } } }`,
  VARIABLES_QUERY,
  '{ __typename }',
  'query Named { a: site(id: "1") { id } b: call(id: "x") { id } }',
  'fragment F on Call { callId } query { call(id: "Q2FsbDox") { ...F } }',
];

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '!',
  '=',
  '@',
  '...',
  '|',
  '&',
  ',',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'site',
  'calls',
  'events',
  'call',
  'id',
  'first',
  'after',
  'from',
  'to',
  'filter',
  'nodes',
  'edges',
  'totalCount',
  '__typename',
  '__schema',
  'Site',
  'Call',
  '"25508804"',
  '"x"',
  '""',
  '"\\u0000"',
  '"""block"""',
  '1',
  '-1',
  '1.5',
  '1e309',
  'true',
  'null',
  '#comment\n',
  '\u0000',
  'é',
  '😀',
  '"unterminated',
  '\\',
  '$first',
  'Int',
  'String!',
  '[Int!]!',
  'ASC',
  'DESC',
  '@skip(if: true)',
];

const BAD_DATES = [
  '',
  'yesterday',
  'now',
  '2024-13-01T00:00:00Z',
  '2024-01-32T00:00:00Z',
  '2024-01-01T25:00:00Z',
  '2024-01-01T00:60:00Z',
  '2024-01-01T00:00:00',
  '2024/01/01',
  '01-01-2024',
  '+275760-09-13T00:00:01Z',
  '-000001-01-01T00:00:00Z',
  '0000-00-00',
  'T',
  'Z',
  '2024-01-01T00:00:00+25:00',
  '2024-01-01T00:00:00Z trailing',
  '２０２４-01-01',
  '1700000000000',
  12,
  1.5,
  true,
  [],
  {},
  null,
];

const BAD_FIRSTS = [-1, -100, 501, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 31), 1.5, 1e10, '10', 'all', true, [], {}, 'NaN'];

const BAD_SITE_IDS = ['', ' ', '../../etc/passwd', 'a'.repeat(65), '25508804; DROP TABLE', '2550 8804', 'é', '😀', '\n', '%00', '<script>'];

interface Probe {
  readonly kind: string;
  readonly method: 'GET' | 'POST';
  readonly contentType: string | null;
  /** Sent as is. */
  readonly body?: string;
  readonly search?: string;
  /** An error is the only right answer; otherwise data without errors is acceptable too. */
  readonly mustFail: boolean;
}

const post = (kind: string, envelope: unknown, mustFail = true): Probe => ({
  kind,
  method: 'POST',
  contentType: 'application/json',
  body: JSON.stringify(envelope),
  mustFail,
});

function badBase64(rng: Rng): string {
  const choices = [
    () => Buffer.from(JSON.stringify(rng.pick(JUNK))).toString('base64url'),
    // Cursors of the right form but made by another field or order, or with the key's types swapped.
    () =>
      Buffer.from(
        JSON.stringify(
          rng.pick([
            ['calls', 'DESC', 1, 'x'],
            ['events', 'ASC', 1, 'x', 2],
            ['calls', 'ASC', 'x', 1],
            ['calls', 'ASC', 1],
          ]),
        ),
      ).toString('base64url'),
    () => Buffer.from(`Call:${rng.pick(['x', '', SITE, '../'])}:${rng.pick(['abc', '', '-1', '1.5'])}:${rng.digits(5)}`).toString('base64url'),
    () => Array.from({ length: rng.int(1, 80) }, () => rng.pick([...'ABCxyz019-_+/=.~ é'])).join(''),
    () => 'x'.repeat(rng.int(1001, 5000)),
  ];
  return rng.pick(choices)();
}

/** One malformed client request, drawn by kind. */
function clientProbe(rng: Rng): Probe {
  const day = { from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) };
  const valid = { site: SITE, ...day, first: 2 };
  switch (rng.int(0, 9)) {
    case 0: {
      const document = Array.from({ length: rng.int(1, 40) }, () => rng.pick(TOKENS)).join(rng.pick([' ', '', '\n', '\t']));
      return post('random document', { query: document }, false);
    }
    case 1: {
      let document = rng.pick(VALID_QUERIES);
      for (let edits = rng.int(1, 4); edits > 0; edits--) {
        const at = rng.int(0, document.length);
        const insert = rng.chance(0.5) ? rng.pick([...'{}()[]:$!"@.#\\\u0000é😀 ', 'query', '...']) : '';
        document = document.slice(0, at) + insert + document.slice(at + rng.int(0, 3));
      }
      return post('mutated document', { query: document, variables: valid }, false);
    }
    case 2: {
      const name = rng.pick(['site', 'from', 'to', 'first', 'after', 'filter', 'order'] as const);
      const wrong = name === 'from' || name === 'to' ? rng.pick(BAD_DATES) : name === 'first' ? rng.pick(BAD_FIRSTS) : rng.pick(JUNK);
      // A junk value that happens to fit (null for an optional, a string for after...) is allowed to pass.
      return post('variable of a wrong type', { query: VARIABLES_QUERY, variables: { ...valid, [name]: wrong } }, false);
    }
    case 3: {
      const first = rng.pick(BAD_FIRSTS);
      return rng.chance(0.5)
        ? post('first out of range', { query: VARIABLES_QUERY, variables: { ...valid, first } })
        : post('first literal out of range', {
            query: `{ site(id: "${SITE}") { calls(from: "${day.from}", to: "${day.to}", first: ${JSON.stringify(first)}) { totalCount } } }`,
          });
    }
    case 4:
      return post('bad cursor', { query: VARIABLES_QUERY, variables: { ...valid, after: badBase64(rng) } });
    case 5:
      return rng.chance(0.5)
        ? post('bad site id', { query: VARIABLES_QUERY, variables: { ...valid, site: rng.pick(BAD_SITE_IDS) } })
        : post('bad call id', { query: 'query($id: ID!) { call(id: $id) { callId } }', variables: { id: badBase64(rng) } });
    case 6: {
      const which = rng.int(0, 3);
      const from = TEST_DAY + rng.int(-5, 5) * HOUR_MS;
      const variables =
        which === 0
          ? { ...valid, from: rng.pick(BAD_DATES) }
          : which === 1
            ? { ...valid, to: rng.pick(BAD_DATES) }
            : which === 2
              ? { ...valid, from: iso(from), to: iso(from - rng.int(0, 48) * HOUR_MS) }
              : { ...valid, from: iso(from), to: iso(from + rng.int(32, 400) * DAY_MS) };
      return post('bad dates', { query: VARIABLES_QUERY, variables });
    }
    case 7: {
      const envelopes: unknown[] = [
        { query: rng.pick(JUNK) },
        {},
        { query: '{ __typename }', variables: rng.pick(['x', 1, [], true]) },
        { query: '{ __typename }', operationName: rng.pick([1, {}, 'Missing']) },
        { query: 'query A { __typename } query B { __typename }' },
        { query: '{ __typename }', extensions: { persistedQuery: { version: rng.pick([1, 2, 'x']), sha256Hash: badBase64(rng) } } },
        [{ query: '{ __typename }' }, { query: '{ __typename }' }],
        rng.pick(JUNK),
        { query: 'mutation { site }' },
        { query: 'subscription { site(id: "1") { id } }' },
      ];
      return post('malformed envelope', rng.pick(envelopes));
    }
    case 8: {
      const [body, mustFail] = rng.pick<readonly [string, boolean]>([
        ['', true],
        ['{', true],
        ['{"query": "{ __typename }"', true],
        ["{'query': '{ __typename }'}", true],
        ['\uFEFF{"query":"{ __typename }"}x', true],
        ['['.repeat(rng.int(1, 200_000)), true],
        [Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'), true],
        ['query { __typename }', true],
        // Deep but valid JSON, with variables the operation does not declare: may be answered.
        [`{"query": "{ __typename }", "variables": ${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`, false],
      ]);
      const contentType = rng.pick(['application/json', 'application/graphql', 'text/plain', 'application/x-www-form-urlencoded', null]);
      return { kind: 'malformed body', method: 'POST', contentType, body, mustFail: mustFail || contentType !== 'application/json' };
    }
    default: {
      const params = new URLSearchParams();
      if (rng.chance(0.8)) params.set('query', rng.chance(0.5) ? rng.pick(TOKENS) + rng.pick(TOKENS) : 'mutation { x }');
      if (rng.chance(0.5)) params.set('variables', rng.pick(['{', 'null', '[]', '{"site": 1}', 'x']));
      if (rng.chance(0.3)) params.set('extensions', rng.pick(['{', '{"persistedQuery": 1}']));
      return { kind: 'malformed GET', method: 'GET', contentType: null, search: `?${params}`, mustFail: false };
    }
  }
}

interface Answer {
  readonly status: number;
  readonly body: { data?: unknown; errors?: { message?: unknown; extensions?: { code?: unknown; stacktrace?: unknown } }[] };
}

async function send(stack: Stack, probe: Probe): Promise<Answer> {
  const response = await fetch(`${stack.gatewayUrl}/graphql${probe.search ?? ''}`, {
    method: probe.method,
    headers: {
      'apollo-require-preflight': 'true',
      ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
    },
    ...(probe.body === undefined ? {} : { body: probe.body }),
  });
  const text = await response.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    assert.fail(`HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, body };
}

/** A well-formed GraphQL response: data, or errors each with a message and a code; never a 5xx, an internal error or a stack trace. */
function assertWellFormed(answer: Answer, probe: Probe, where: string): 'error' | 'data' {
  const context = `${where} ${probe.kind}: ${(probe.body ?? probe.search ?? '').slice(0, 300)} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`;
  assert.ok(answer.status < 500, context);
  assert.ok(answer.body !== null && typeof answer.body === 'object' && !Array.isArray(answer.body), context);
  if (answer.body.errors === undefined) {
    assert.ok(!probe.mustFail, `expected an error: ${context}`);
    assert.ok('data' in answer.body, context);
    return 'data';
  }
  assert.ok(Array.isArray(answer.body.errors) && answer.body.errors.length > 0, context);
  for (const error of answer.body.errors) {
    assert.equal(typeof error.message, 'string', context);
    assert.ok((error.message as string).length > 0, context);
    assert.equal(typeof error.extensions?.code, 'string', context);
    assert.notEqual(error.extensions?.code, 'INTERNAL_SERVER_ERROR', context);
    assert.equal(error.extensions?.stacktrace, undefined, context);
  }
  return 'error';
}

/** Runs the items over a few concurrent workers: each worker gets its own index and takes the items at its stride. */
async function inWorkers<T>(items: readonly T[], work: (item: T, worker: number, index: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let index = worker; index < items.length; index += WORKERS) await work(items[index]!, worker, index);
    }),
  );
}

async function assertStillServes(stack: Stack): Promise<void> {
  const answer = await stack.query(VALID_QUERIES[0]!);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
  assert.equal((answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount, 24 * CALLS_PER_HOUR);
}

describe('fuzz: malformed input never breaks the gateway', () => {
  let stack: Stack;
  before(async () => {
    // Production mode: what clients would really see, stack traces off.
    stack = await startStack({ env: { NODE_ENV: 'production' }, simulator: { callsPerHour: CALLS_PER_HOUR, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  it(`${CLIENT_REQUESTS} malformed client requests each get a well-formed GraphQL answer, and the gateway serves on`, async () => {
    const rng = createRng('client', SEED);
    const probes = Array.from({ length: CLIENT_REQUESTS }, () => clientProbe(rng));
    const outcomes = new Map<string, { error: number; data: number }>();
    await inWorkers(probes, async (probe) => {
      const outcome = assertWellFormed(await send(stack, probe), probe, 'client');
      const counts = outcomes.get(probe.kind) ?? { error: 0, data: 0 };
      counts[outcome]++;
      outcomes.set(probe.kind, counts);
    });
    const errors = [...outcomes.values()].reduce((sum, counts) => sum + counts.error, 0);
    assert.ok(errors > CLIENT_REQUESTS * 0.9, `only ${errors} of ${CLIENT_REQUESTS} were refused: ${JSON.stringify([...outcomes])}`);
    assert.equal(outcomes.size, 12, 'every kind of probe was drawn');
    await assertStillServes(stack);
  });

  it(`${UPSTREAM_BODIES} malformed upstream bodies each give data or UPSTREAM_ERROR on the fields that needed them, and the gateway serves on`, async () => {
    const rng = createRng('upstream', SEED);
    const bodies = Array.from({ length: UPSTREAM_BODIES }, (_, index) => {
      const worker = index % WORKERS;
      const hour = TEST_DAY - (Math.floor(index / WORKERS) + 1) * HOUR_MS;
      const siteId = String(FUZZ_SITE_BASE + worker);
      return { siteId, hour, body: upstreamBody(rng, siteId, hour, CALLS_PER_HOUR) };
    });
    let failed = 0;
    let served = 0;
    await inWorkers(bodies, async ({ siteId, hour, body }) => {
      // Each worker has its own site, so its fault meets its own request; each body has its own hour, so no cache answers it.
      stack.simulator.injectFault({ kind: 'body', body, siteId, times: 1 });
      const probe: Probe = post(
        'upstream body',
        {
          query: `query($site: ID!, $from: DateTime!, $to: DateTime!) { site(id: $site) {
          calls(from: $from, to: $to, first: 500) { totalCount nodes { ${CALL_FIELDS} } }
          events(from: $from, to: $to, first: 500) { totalCount nodes { type rawType info time call { callId stage } } } } }`,
          variables: { site: siteId, from: iso(hour), to: iso(hour + HOUR_MS) },
        },
        false,
      );
      const answer = await send(stack, probe);
      if (assertWellFormed(answer, { ...probe, body: body.slice(0, 300) }, 'upstream') === 'data') served++;
      else {
        failed++;
        for (const error of answer.body.errors!) {
          assert.equal(error.extensions?.code, 'UPSTREAM_ERROR', JSON.stringify(error));
          assert.doesNotMatch(String(error.message), /eventTime|success|callId/, 'the upstream body does not reach the client');
        }
      }
    });
    const fuzzSites = new Set(bodies.map((body) => body.siteId));
    const fuzzRequests = stack.simulator.requests.filter((request) => fuzzSites.has(request.siteId));
    assert.equal(fuzzRequests.length, UPSTREAM_BODIES);
    assert.ok(
      fuzzRequests.every((request) => request.status === 200),
      'every body was served as a 200',
    );
    // Both outcomes are exercised: bodies refused whole, and bodies read with their bad parts skipped.
    assert.ok(failed > UPSTREAM_BODIES * 0.2 && served > UPSTREAM_BODIES * 0.2, `${failed} refused, ${served} read`);
    await assertStillServes(stack);
  });
});
