// The system's chromium (Debian's, never a downloaded one), as the browser tests launch it, with every
// request outside loopback aborted and recorded.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const STEP_TIMEOUT_MS = 20_000;
export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function findSystemChromium(): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'chromium'))
    .find((file) => existsSync(file));
  return onPath ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
}

export const chromiumPath = findSystemChromium();

// Without chromium the browser tests are skipped, unless the environment promises its system
// dependencies (REQUIRE_SYSTEM_DEPS=1, as CI does): then they run and fail on the missing browser.
export const skipBrowser =
  chromiumPath === undefined && process.env.REQUIRE_SYSTEM_DEPS !== '1'
    ? 'chromium not found on PATH nor at /usr/bin/chromium (REQUIRE_SYSTEM_DEPS=1 makes this a failure)'
    : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: STEP_TIMEOUT_MS,
  });
}

/** A context whose requests (from pages, workers and popups) reach loopback only; the rest are aborted and listed in `blocked`. */
export async function loopbackContext(browser: Browser, seen: { readonly requested: string[]; readonly blocked: string[] }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.route('**', async (route, request) => {
    const url = new URL(request.url());
    seen.requested.push(url.href);
    if (LOOPBACK_HOSTS.has(url.hostname)) {
      await route.continue();
    } else {
      seen.blocked.push(url.href);
      await route.abort('blockedbyclient');
    }
  });
  return context;
}
