// Trusted documents (PERSISTED_DOCUMENTS): the manifest checked at start in both formats, documents named
// by documentId (POST body, GET search) or Apollo's persisted-query hash, and PERSISTED_DOCUMENTS_ONLY.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config.js';
import { loadPersistedDocuments } from '../../src/persistedDocuments.js';
import { buildSchema } from '../../src/schema.js';
import { captureLog } from '../helpers/logCapture.js';
import { spawnMain, within } from '../helpers/mainProcess.js';
import { errorCodes, startStack, type GraphQLAnswer, type Stack } from '../helpers/stack.js';

const WEB_APP_MANIFEST = fileURLToPath(new URL('../../examples/web-app/gql/persisted-documents.json', import.meta.url));
const SITE_NAME = 'query SiteName { site(id: "25508804") { id } }';
const TYPENAME = '{ __typename }';

let dir: string;
let apolloManifest: string;
let webAppIds: string[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'persisted-'));
  apolloManifest = join(dir, 'apollo.json');
  // Apollo's format, with ids that are not hashes of their bodies: ids are names, whatever the toolchain picked.
  await writeFile(
    apolloManifest,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: 'site-name-v1', name: 'SiteName', type: 'query', body: SITE_NAME },
        { id: 'typename-v1', name: null, type: 'query', body: TYPENAME },
      ],
    }),
  );
  webAppIds = Object.keys(JSON.parse(await readFile(WEB_APP_MANIFEST, 'utf8')) as object);
});
after(() => rm(dir, { recursive: true, force: true }));

async function post(stack: Stack, body: unknown): Promise<GraphQLAnswer> {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLAnswer['body'] };
}

async function get(stack: Stack, search: string): Promise<GraphQLAnswer> {
  const response = await fetch(`${stack.gatewayUrl}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLAnswer['body'] };
}

const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

describe('the PERSISTED_DOCUMENTS manifest at start', () => {
  const schema = buildSchema();

  it('reads the client preset\'s format ({ "<hash>": "<document>" })', async () => {
    const documents = await loadPersistedDocuments(WEB_APP_MANIFEST, schema);
    assert.deepEqual([...documents.keys()], webAppIds);
    assert.match(documents.get(webAppIds[0]!) ?? '', /^query RecentCalls/);
  });

  it("reads Apollo's persisted query manifest", async () => {
    const documents = await loadPersistedDocuments(apolloManifest, schema);
    assert.equal(documents.get('site-name-v1'), SITE_NAME);
    assert.equal(documents.get('typename-v1'), TYPENAME);
  });

  for (const [name, manifest, mentions] of [
    ['a document that does not validate', { good: TYPENAME, 'stale-v2': '{ site(id: "1") { noSuchField } }' }, /document "stale-v2" .*noSuchField/],
    ['a document that does not parse', { 'broken-v3': '{ site(' }, /document "broken-v3" .* does not parse/],
    ['a mutation', { 'write-v1': 'mutation { x }' }, /document "write-v1" .*no mutation operations/],
    ['an Apollo manifest of another version', { format: 'apollo-persisted-query-manifest', version: 2, operations: [] }, /not version 1/],
    ['an operation without a body', { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'x' }] }, /operations\[0\]/],
    ['a list', [TYPENAME], /must be \{"<id>": "<document>"/],
  ] as const) {
    it(`refuses ${name}, saying which`, async () => {
      const file = join(dir, 'bad.json');
      await writeFile(file, JSON.stringify(manifest));
      await assert.rejects(loadPersistedDocuments(file, schema), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^PERSISTED_DOCUMENTS: /);
        assert.match(error.message, mentions);
        return true;
      });
    });
  }

  it('refuses a file that is missing or not JSON', async () => {
    await assert.rejects(loadPersistedDocuments(join(dir, 'missing.json'), schema), /cannot read .*ENOENT/);
    await writeFile(join(dir, 'text.json'), 'not json');
    await assert.rejects(loadPersistedDocuments(join(dir, 'text.json'), schema), /is not JSON/);
  });

  it("stops `npm start` with exit code 1 naming the bad document's id", async () => {
    const file = join(dir, 'stale.json');
    await writeFile(file, JSON.stringify({ 'dashboard-v7': '{ site(id: "1") { gone } }' }));
    const main = spawnMain({ PERSISTED_DOCUMENTS: file, GRAPHIQL: 'false' });
    assert.equal(await within(main.exited, 30_000, 'the process to exit'), 1);
    assert.ok(
      main.lines.some((line) => /configuration error: PERSISTED_DOCUMENTS: document "dashboard-v7"/.test(line)),
      main.lines.join('\n'),
    );
  });
});

describe('trusted documents alongside free-form queries', () => {
  let stack: Stack;
  let client: Stack;
  const log = captureLog('info');
  before(async () => {
    stack = await startStack({ env: { PERSISTED_DOCUMENTS: apolloManifest, LOG_LEVEL: 'info' }, logger: log.logger });
    client = await startStack({ env: { PERSISTED_DOCUMENTS: WEB_APP_MANIFEST } });
  });
  after(async () => {
    await stack.close();
    await client.close();
  });

  it('runs a document named by documentId in a POST body, and names it in the log and the metrics', async () => {
    const answer = await post(stack, { documentId: 'site-name-v1' });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, { site: { id: '25508804' } });
    const line = log.records().find((record) => record.msg === 'graphql operation' && record.requestId === answer.headers.get('x-request-id'));
    assert.equal(line?.documentId, 'site-name-v1');
    assert.equal(line?.operationName, 'SiteName');
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    assert.match(metrics, /^graphql_operations_total\{operation="SiteName",document="site-name-v1"\} 1$/m);
  });

  it('runs a document named by ?documentId= on GET', async () => {
    const answer = await get(stack, 'documentId=typename-v1');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, { __typename: 'Query' });
  });

  it('runs a document named by extensions.persistedQuery.sha256Hash, even when the id is no hash of its text', async () => {
    const answer = await post(stack, { extensions: persisted('site-name-v1') });
    assert.deepEqual(answer.body.data, { site: { id: '25508804' } });
  });

  it("runs the client preset's documents by their hashes, with variables", async () => {
    const variables = { site: '25508804', from: '2026-11-24T00:00:00Z', to: '2026-11-24T01:00:00Z' };
    for (const answer of [
      await post(client, { documentId: webAppIds[1], variables }),
      await post(client, { extensions: persisted(webAppIds[1]!), variables }),
    ]) {
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
      assert.equal(typeof (answer.body.data?.site as { stats: { totalCalls: number } }).stats.totalCalls, 'number');
    }
  });

  it('answers an unknown documentId with 400 PERSISTED_QUERY_NOT_IN_LIST, on POST and GET, counted and logged', async () => {
    for (const answer of [await post(stack, { documentId: 'site-name-v2' }), await get(stack, 'documentId=nope')]) {
      assert.equal(answer.status, 400);
      assert.deepEqual(errorCodes(answer), ['PERSISTED_QUERY_NOT_IN_LIST']);
      const line = log.records().find((record) => record.requestId === answer.headers.get('x-request-id'));
      assert.equal(line?.msg, 'graphql request refused');
      assert.deepEqual(line?.errorCodes, ['PERSISTED_QUERY_NOT_IN_LIST']);
    }
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    assert.match(metrics, /^graphql_errors_total\{code="PERSISTED_QUERY_NOT_IN_LIST"\} 2$/m);
  });

  it('refuses a documentId that is not a string, or that comes with other query text, as BAD_REQUEST', async () => {
    for (const answer of [await post(stack, { documentId: 7 }), await post(stack, { documentId: 'typename-v1', query: SITE_NAME })]) {
      assert.equal(answer.status, 400);
      assert.deepEqual(errorCodes(answer), ['BAD_REQUEST']);
    }
  });

  it('still runs free-form queries, and leaves unknown hashes to automatic persisted queries', async () => {
    assert.deepEqual((await post(stack, { query: TYPENAME })).body.data, { __typename: 'Query' });
    const miss = await post(stack, { extensions: persisted('0'.repeat(64)) });
    assert.deepEqual(errorCodes(miss), ['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('PERSISTED_DOCUMENTS_ONLY=true', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { PERSISTED_DOCUMENTS: apolloManifest, PERSISTED_DOCUMENTS_ONLY: 'true' } });
  });
  after(() => stack.close());

  it('refuses free-form query text with 400 PERSISTED_QUERY_ID_REQUIRED, on POST and GET', async () => {
    for (const answer of [await post(stack, { query: TYPENAME }), await get(stack, `query=${encodeURIComponent(TYPENAME)}`)]) {
      assert.equal(answer.status, 400);
      assert.deepEqual(errorCodes(answer), ['PERSISTED_QUERY_ID_REQUIRED']);
    }
  });

  it('answers an unknown persisted-query hash with PERSISTED_QUERY_NOT_IN_LIST and lets no client register one', async () => {
    const hash = 'a'.repeat(64);
    assert.deepEqual(errorCodes(await post(stack, { extensions: persisted(hash) })), ['PERSISTED_QUERY_NOT_IN_LIST']);
    // The APQ registration a client sends after a miss: refused, and the hash is still unknown afterwards.
    assert.equal((await post(stack, { query: TYPENAME, extensions: persisted(hash) })).status, 400);
    assert.deepEqual(errorCodes(await post(stack, { extensions: persisted(hash) })), ['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  it("runs the manifest's documents by either id form", async () => {
    assert.deepEqual((await post(stack, { documentId: 'site-name-v1' })).body.data, { site: { id: '25508804' } });
    assert.deepEqual((await post(stack, { extensions: persisted('typename-v1') })).body.data, { __typename: 'Query' });
  });
});
