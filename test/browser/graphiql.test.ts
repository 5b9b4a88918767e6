// GraphiQL as the gateway serves it: first over plain HTTP, then in a real browser, the system's
// chromium (never a downloaded one), with every request outside loopback aborted and reported.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium, LOOPBACK_HOSTS, loopbackContext, skipBrowser, STEP_TIMEOUT_MS } from '../helpers/chromium.js';
import { startStack } from '../helpers/stack.js';

const TEST_TIMEOUT_MS = 60_000;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));
const browserTest = { skip: skipBrowser, timeout: TEST_TIMEOUT_MS };

let stack: Awaited<ReturnType<typeof startStack>>;
let browser: Browser | undefined;
let page: Page;
/** Every URL the browser asked for, from the page and its workers. */
const requested: string[] = [];
/** Requests to anything but loopback, which the route below aborted. */
const blocked: string[] = [];
/** Uncaught exceptions and console errors, Content-Security-Policy violations included. */
const pageErrors: string[] = [];

before(async () => {
  stack = await startStack();
  if (chromiumPath === undefined) return;
  browser = await launchChromium();
  // On the context rather than the page, so that requests from workers and popups pass through too.
  const context = await loopbackContext(browser, { requested, blocked });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // Chromium also logs every HTTP error status, such as the 400 a query failing validation gets;
    // requests are checked through the route above, so only the page's own errors count here.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource:')) {
      pageErrors.push(`console: ${message.text()}`);
    }
  });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** A GET with the path sent exactly as given: fetch() would resolve `..` and re-encode it first. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(stack.gatewayUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, headers: { accept: BROWSER_ACCEPT }, timeout: STEP_TIMEOUT_MS });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function fetchPage(): Promise<{ response: Response; html: string }> {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    headers: { accept: BROWSER_ACCEPT },
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  return { response, html: await response.text() };
}

test('a browser asking for /graphql gets the GraphiQL page, locked to its own origin', async () => {
  const { response, html } = await fetchPage();
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(html, /\b(https?:)?\/\/[a-z0-9]/i, 'the page names no other origin');
});

test('a GraphQL GET request on /graphql is left to the GraphQL server', async () => {
  const response = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
    // Even with a browser's Accept header, a `query` parameter makes it a GraphQL request.
    headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': 'true' },
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  assert.match(response.headers.get('content-type') ?? '', /json/);
  const body = (await response.json()) as { data?: unknown };
  assert.deepEqual(body.data, { __typename: 'Query' });
});

test('the page assets are served with their content type and cached for good', async () => {
  const { html } = await fetchPage();
  const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
  const style = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
  assert.ok(script !== undefined && style !== undefined, 'the page links a script and a stylesheet');
  for (const [path, type] of [
    [script, 'text/javascript'],
    [style, 'text/css'],
  ] as const) {
    const response = await fetch(stack.gatewayUrl + path, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', new RegExp(`^${type}`));
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(response.headers.get('content-encoding'), 'gzip', 'fetch accepts gzip, so it gets it');
    assert.ok((await response.arrayBuffer()).byteLength > 0);
  }
});

test('asset paths outside the bundle are refused', async () => {
  for (const path of [
    '/graphql/graphiql/%2e%2e/%2e%2e/package.json',
    '/graphql/graphiql/..%2f..%2fpackage.json',
    '/graphql/graphiql/manifest.json',
    '/graphql/graphiql/no-such-file.js',
  ]) {
    const { status } = await rawGet(path);
    assert.equal(status, 404, path);
  }
  // A literal `..` leaves the asset prefix altogether; whatever answers, it is not the file.
  const { status, body } = await rawGet('/graphql/graphiql/../../package.json');
  assert.notEqual(status, 200);
  assert.doesNotMatch(body, /livedeflect-graphql/);
});

test('GraphiQL renders its editors in chromium from the gateway alone', browserTest, async () => {
  assert.ok(browser, 'REQUIRE_SYSTEM_DEPS=1 but chromium is not on PATH nor at /usr/bin/chromium');
  const response = await page.goto(`${stack.gatewayUrl}/graphql`, { timeout: STEP_TIMEOUT_MS });
  assert.equal(response?.status(), 200);
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: STEP_TIMEOUT_MS });
  assert.match(await editorText('.graphiql-query-editor'), /calls\s*\(/);
  // The request headers editor is the one open below the operation, holding the authorization hint.
  assert.match(await editorText('.graphiql-editor-tool .graphiql-editor:not(.hidden)'), /"Authorization"/);
});

test('running the example query shows calls with their callId', browserTest, async () => {
  assert.ok(browser);
  await page.locator('.graphiql-execute-button').click();
  const result = await waitForResult(/"callId"/);
  assert.match(result, /"callId": "[^"]+"/);
  assert.doesNotMatch(result, /"errors"/);
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, 'graphiql.png'), timeout: STEP_TIMEOUT_MS });
});

test('a query asking for an unknown field shows the error in the result pane', browserTest, async () => {
  assert.ok(browser);
  const editor = page.locator('.graphiql-query-editor');
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText('{ notAField }');
  // Monaco auto-closes the `{` with a `}` of its own: drop whatever it put after the cursor.
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Delete');
  await editor
    .locator('.view-lines')
    .filter({ hasText: /^\{\s*notAField\s*\}$/ })
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  // The squiggle comes from monaco-graphql's worker validating against the introspected schema.
  await editor.locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS });

  await page.locator('.graphiql-execute-button').click();
  const result = await waitForResult(/notAField/);
  assert.match(result, /"errors"/);
  // The message is shown as a JSON string, its quotes escaped.
  assert.match(result, /Cannot query field \\"notAField\\"/);
  await page.screenshot({ path: join(ARTIFACTS_DIR, 'graphiql-error.png'), timeout: STEP_TIMEOUT_MS });
});

test('a subscription runs over a WebSocket to /graphql and shows its updates', browserTest, async () => {
  assert.ok(browser);
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  const editor = page.locator('.graphiql-query-editor');
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  // `since` replays the calls of the last two hours, so the first update comes at once.
  const since = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await page.keyboard.insertText(`subscription Live { callUpdates(siteId: "25508804", since: "${since}") { kind call { callId stage } } }`);
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Delete');
  await page.locator('.graphiql-execute-button').click();
  const result = await waitForResult(/"kind":\s*"NEW"/);
  assert.match(result, /"callId": "[^"]+"/);
  assert.doesNotMatch(result, /"errors"/);
  assert.deepEqual(
    sockets.map((url) => new URL(url).pathname),
    ['/graphql'],
  );
  // The stop button ends the subscription; the gateway's poller stops with its last subscriber.
  await page.locator('.graphiql-execute-button').click();
  for (let waited = 0; stack.gateway.live.stats.pollers > 0 && waited < STEP_TIMEOUT_MS; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.equal(stack.gateway.live.stats.pollers, 0);
});

test('the explorer plugin lists the fields of the schema', browserTest, async () => {
  assert.ok(browser);
  await page.locator('button[aria-label="Show GraphiQL Explorer"]').click();
  await page.locator('.graphiql-explorer-root').getByText('site', { exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
});

test('the page made no request outside loopback and broke no rule of its policy', browserTest, () => {
  assert.ok(browser);
  assert.deepEqual(blocked, []);
  assert.ok(requested.length > 0, 'no request was recorded');
  for (const url of requested) assert.ok(LOOPBACK_HOSTS.has(new URL(url).hostname), url);
  for (const worker of ['editor', 'json', 'graphql']) {
    assert.ok(
      requested.some((url) => new RegExp(`/${worker}\\.worker-[^/]+\\.js$`).test(url)),
      `the ${worker} worker was not loaded from the gateway`,
    );
  }
  assert.deepEqual(pageErrors, []);
});

/** The text of a Monaco editor's rendered lines, with Monaco's non-breaking spaces made plain. */
async function editorText(selector: string): Promise<string> {
  const text = await page.locator(`${selector} .view-lines`).textContent({ timeout: STEP_TIMEOUT_MS });
  return (text ?? '').replaceAll('\u00a0', ' ');
}

async function waitForResult(pattern: RegExp): Promise<string> {
  await page.locator('.result-window .view-lines').filter({ hasText: pattern }).waitFor({ timeout: STEP_TIMEOUT_MS });
  return editorText('.result-window');
}
