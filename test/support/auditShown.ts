/**
 * Waiting until the console's audit panel shows a page for the route in the address bar. After
 * Apply the previous route's panel stays on screen until the browser reports the hash change, so
 * its "… shown" status is not yet the answer: the panel's status says which route it loaded
 * (`data-route`) and whether that page is on screen (`data-state="loaded"`).
 */
import type { Page } from 'playwright-core';

/** Resolves once the audit panel's rows are the page of the current `location.hash`. */
export async function auditShown(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const status = document.querySelector<HTMLElement>('[data-testid="audit-status"]');
    return status?.dataset.state === 'loaded' && status.dataset.route === location.hash;
  });
}
