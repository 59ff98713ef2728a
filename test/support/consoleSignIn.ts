/**
 * Signing in to the operator console in headless Chromium, as the e2e tests do: a new page, the
 * role's token in the login form, then waiting until the header names the role and the live
 * stream is open. The page's console errors and uncaught exceptions are collected for the test
 * to assert on (a CSP violation or a crash of the dashboard fails it).
 */
import type { Page } from 'playwright-core';
import type { TestBrowser } from './browser.ts';

/** Options of {@link consoleSignIn}. */
export interface SignInOptions {
  /** Where the page opens. */
  browser: TestBrowser;
  /** The gateway serving the console, and the plaintext token of each role (the e2e gateway fixture has both). */
  gateway: { url: string; tokens: Readonly<Record<string, string>> };
  /** The role signing in: one of `gateway.tokens`' names. */
  role: string;
  /** Where the page's console errors and uncaught exceptions go. */
  errors: string[];
  /** The console route to open, e.g. `#/audit` (default: the home page). */
  at?: string;
  /** Console errors the test expects (e.g. the 403s an observer is shown): not collected. */
  expectErrors?: RegExp;
}

/**
 * Opens the console in a new page of `browser` and signs `role` in; resolves once the header names
 * the role and the live stream is open.
 *
 * @example
 * const page = await consoleSignIn({ browser, gateway: fx, role: 'operator', errors: pageErrors, at: '#/audit' });
 */
export async function consoleSignIn(options: SignInOptions): Promise<Page> {
  const { role, errors } = options;
  const token = options.gateway.tokens[role];
  if (token === undefined) throw new Error(`No token for role "${role}" in the gateway fixture`);
  const page = await options.browser.newPage();
  // Shorter than the test's own timeout, so a step that never completes fails naming its locator.
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (m.type() === 'error' && !(options.expectErrors?.test(m.text()) ?? false)) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${options.gateway.url}/${options.at ?? ''}`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('login-submit').click();
  await page
    .getByTestId('whoami')
    .filter({ hasText: `(${role})` })
    .waitFor();
  await page.getByTestId('connection').filter({ hasText: 'live: open' }).waitFor();
  return page;
}
