// examples/web-app as a frontend team ships it: built by esbuild into static files, served from an origin
// of its own, calling the gateway cross-origin with trusted documents, in the system's chromium.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildWebApp } from '../../examples/web-app/build.js';
import { assertCompiles, assertGeneratedFresh } from '../helpers/examples.js';
import { chromiumPath, launchChromium, LOOPBACK_HOSTS, loopbackContext, skipBrowser, STEP_TIMEOUT_MS } from '../helpers/chromium.js';
import { captureLog, type CapturedLog } from '../helpers/logCapture.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { serveStatic, type StaticServer } from '../helpers/staticServer.js';

const TEST_TIMEOUT_MS = 60_000;
const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../../examples/web-app/gql/persisted-documents.json', import.meta.url));
const SITE = '25508804';
const TOKEN = 'Bearer web-app-token';
const browserTest = { skip: skipBrowser, timeout: TEST_TIMEOUT_MS };

let buildDir: string;
let listed: StaticServer;
let unlisted: StaticServer;
let browser: Browser | undefined;
const seen = { requested: [] as string[], blocked: [] as string[] };

before(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'web-app-'));
  await buildWebApp(buildDir);
  listed = await serveStatic(buildDir);
  unlisted = await serveStatic(buildDir);
  if (chromiumPath !== undefined) browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await listed?.close();
  await unlisted?.close();
  await rm(buildDir, { recursive: true, force: true });
});

/** A gateway allowing the listed origin only, with the web app's manifest, passing the page's Authorization upstream. */
async function startGateway(log: CapturedLog, env: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    env: { CORS_ORIGINS: listed.origin, PERSISTED_DOCUMENTS: MANIFEST, LOG_LEVEL: 'info', ...env },
    staticAuthorization: null,
    simulator: { credentials: { [TOKEN]: [SITE] } },
    logger: log.logger,
  });
}

/** Opens the app from origin, enters the credential and asks for the site's calls; resolves with the page's final status. */
async function openApp(origin: string, stack: Stack): Promise<{ page: Page; state: string; status: string; bodies: string[] }> {
  assert.ok(browser, 'REQUIRE_SYSTEM_DEPS=1 but chromium is not on PATH nor at /usr/bin/chromium');
  const context = await loopbackContext(browser, seen);
  const page = await context.newPage();
  const bodies: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(stack.gatewayUrl) && request.method() === 'POST') bodies.push(request.postData() ?? '');
  });
  const query = new URLSearchParams({ gateway: `${stack.gatewayUrl}/graphql`, site: SITE });
  await page.goto(`${origin}/?${query}`, { timeout: STEP_TIMEOUT_MS });
  await page.locator('#authorization').fill(TOKEN);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#status:is([data-state="done"], [data-state="error"])').waitFor({ timeout: STEP_TIMEOUT_MS });
  return {
    page,
    state: (await page.locator('#status').getAttribute('data-state')) ?? '',
    status: (await page.locator('#status').textContent()) ?? '',
    bodies,
  };
}

const operationLines = (log: CapturedLog) => log.records().filter((record) => record.msg === 'graphql operation');

describe("the web app's sources", () => {
  it('compile under its own tsconfig (DOM) with tsc --noEmit', () => assertCompiles('examples/web-app'));

  it('have committed gql/ (types and persisted-documents.json) equal to what codegen makes from schema/ now', () =>
    assertGeneratedFresh('examples/web-app'));
});

describe('the web app from an allowed origin', () => {
  const log = captureLog('info');
  let stack: Stack;
  before(async () => {
    stack = await startGateway(log);
  });
  after(() => stack?.close());

  it("renders the last hour's calls with their stage and the deflection rate, sending its Authorization header", browserTest, async () => {
    const { page, state, status, bodies } = await openApp(listed.origin, stack);
    assert.equal(state, 'done', status);
    assert.match(status, /^\d+ calls in the last hour$/);
    const rows = page.locator('#calls tr');
    assert.ok((await rows.count()) > 0, 'some calls are listed');
    assert.match((await rows.first().locator('td').nth(3).textContent()) ?? '', /^(Started|Accepted|Declined|Text sent|Conversation started)$/);
    assert.match((await page.locator('#rate').textContent()) ?? '', /^\d+\.\d% of \d+ calls$/);
    // The gateway passed the page's credential upstream; the operations ran as the manifest's documents.
    assert.ok(stack.simulator.requests.length > 0);
    assert.ok(stack.simulator.requests.every((request) => request.authorization === TOKEN));
    const ids = Object.keys(JSON.parse(await readFile(MANIFEST, 'utf8')) as object);
    assert.deepEqual(new Set(operationLines(log).map((line) => line.documentId)), new Set(ids));
    assert.equal(bodies.length, 2);
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-app.png'), timeout: STEP_TIMEOUT_MS });
    await page.context().close();
  });
});

describe('the web app against a gateway with PERSISTED_DOCUMENTS_ONLY=true', () => {
  const log = captureLog('info');
  let stack: Stack;
  before(async () => {
    stack = await startGateway(log, { PERSISTED_DOCUMENTS_ONLY: 'true' });
  });
  after(() => stack?.close());

  it('still works, sending only document ids, while a free-form query from the page is refused', browserTest, async () => {
    const { page, state, status, bodies } = await openApp(listed.origin, stack);
    assert.equal(state, 'done', status);
    assert.ok((await page.locator('#calls tr').count()) > 0);
    for (const body of bodies) {
      const sent = JSON.parse(body) as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
      assert.equal(sent.query, undefined, 'no query text travels');
      assert.match(String(sent.extensions?.persistedQuery?.sha256Hash), /^sha256:[0-9a-f]{64}$/);
    }
    const refused = await page.evaluate(
      async ({ endpoint, token }) => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: token },
          body: JSON.stringify({
            query: '{ site(id: "25508804") { calls(from: "2026-11-24T00:00:00Z", to: "2026-11-25T00:00:00Z") { totalCount } } }',
          }),
        });
        return { status: response.status, body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
      },
      { endpoint: `${stack.gatewayUrl}/graphql`, token: TOKEN },
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_ID_REQUIRED');
    await page.context().close();
  });
});

describe('the web app from an origin CORS_ORIGINS does not list', () => {
  const log = captureLog('info');
  let stack: Stack;
  before(async () => {
    stack = await startGateway(log);
  });
  after(() => stack?.close());

  it('fails every request in the browser, and the gateway runs nothing', browserTest, async () => {
    const { page, state, status } = await openApp(unlisted.origin, stack);
    assert.equal(state, 'error', status);
    assert.equal(await page.locator('#calls tr').count(), 0);
    const direct = await page.evaluate(async (endpoint) => {
      try {
        await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
        return 'answered';
      } catch (error) {
        return (error as Error).name;
      }
    }, `${stack.gatewayUrl}/graphql`);
    assert.equal(direct, 'TypeError', 'the browser refuses the answer');
    assert.deepEqual(operationLines(log), []);
    assert.equal(stack.simulator.requests.length, 0);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'web-app-unlisted-origin.png'), timeout: STEP_TIMEOUT_MS });
    await page.context().close();
  });

  it('made no request outside loopback', browserTest, () => {
    assert.deepEqual(seen.blocked, []);
    for (const url of seen.requested) assert.ok(LOOPBACK_HOSTS.has(new URL(url).hostname), url);
  });
});
