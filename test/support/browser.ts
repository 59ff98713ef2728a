/**
 * Headless Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by
 * playwright-core (no browser download), a fresh profile per launch, and a
 * screenshot helper writing under test-results/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where screenshots go (repository-relative, gitignored). */
export const RESULTS_DIR = new URL('../../test-results/', import.meta.url);

/** The flags every test browser runs with. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A running browser context; `close()` (or `await using`) removes its profile too. */
export interface TestBrowser extends AsyncDisposable {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data directory (and, with `timezoneId`, in that timezone, e.g. `Europe/Berlin`). */
export async function launchBrowser(
  options: { downloadsPath?: string; timezoneId?: string } = {},
): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'mandate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    ...(options.downloadsPath ? { downloadsPath: options.downloadsPath } : {}),
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  const close = async (): Promise<void> => {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  };
  return { context, newPage: () => context.newPage(), close, [Symbol.asyncDispose]: close };
}

/** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR.pathname, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
