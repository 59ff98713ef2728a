import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { consoleSignIn } from '../support/consoleSignIn.ts';
import { startGatewayFixture, type GatewayFixture } from './gatewayFixture.ts';

let fx: GatewayFixture;
let browser: TestBrowser;
const pageErrors: string[] = [];
beforeAll(async () => {
  fx = await startGatewayFixture({ buildUi: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

function signIn(role: keyof GatewayFixture['tokens']): Promise<Page> {
  return consoleSignIn({ browser, gateway: fx, role, errors: pageErrors });
}

/** The kept alert of `code` (raised through the runtime, stored in PostgreSQL). */
async function kept(code: string) {
  for (let i = 0; i < 50; i++) {
    const found = fx.runtime.listAlerts().find((a) => a.code === code);
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no kept alert ${code}`);
}

describe('dashboard - alert history', () => {
  it('dashboard - lists kept alerts after a reload, filters them by severity and agent in the URL, and acknowledges one', async () => {
    fx.runtime.alert({
      severity: 'critical',
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: 'payables crashed (e2e)',
      actorId: 'payables',
    });
    fx.runtime.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ORACLE_UNAVAILABLE,
      message: 'price source down (e2e)',
      actorId: 'fx-rebalancer',
    });
    const crash = await kept(ErrorCode.MANDATE_ERR_ACTOR_CRASHED);
    const oracle = await kept(ErrorCode.MANDATE_ERR_ORACLE_UNAVAILABLE);
    const p = await signIn('operator');
    await p.getByTestId('tab-alerts').click();
    await p.getByTestId(`alert-${crash.id}`).waitFor();
    await p.getByTestId(`alert-${oracle.id}`).waitFor();

    // Severity filter: only the critical one; the URL carries it, so a reload shows the same list.
    await p.getByTestId('alert-filter-severity').selectOption('critical');
    await p.getByTestId(`alert-${oracle.id}`).waitFor({ state: 'detached' });
    expect(p.url()).toContain('#/alerts?severity=critical');
    await p.reload();
    await p.getByTestId(`alert-${crash.id}`).waitFor();
    expect(await p.getByTestId('alert-filter-severity').inputValue()).toBe('critical');
    expect(await p.getByTestId(`alert-${oracle.id}`).count()).toBe(0);

    // Agent filter: the FX rebalancer's alert only.
    await p.getByTestId('alert-filter-severity').selectOption('');
    await p.getByTestId('alert-filter-agent').selectOption('fx-rebalancer');
    await p.getByTestId(`alert-${oracle.id}`).waitFor();
    expect(await p.getByTestId(`alert-${crash.id}`).count()).toBe(0);
    expect(p.url()).toContain('agent=fx-rebalancer');

    // Acknowledge: the row says who, and the runtime (and its store) agree.
    await p.getByTestId('alert-filter-agent').selectOption('');
    await p.getByTestId(`ack-${crash.id}`).click();
    const row = p.getByTestId(`alert-${crash.id}`).and(p.locator('[data-status="acknowledged"]'));
    await row.waitFor();
    expect(await row.innerText()).toContain('by operator');
    expect(fx.runtime.listAlerts().find((a) => a.id === crash.id)?.status).toBe('acknowledged');
    expect(await p.getByTestId(`ack-${crash.id}`).count()).toBe(0);
    await screenshot(p, 'alert-history');
    await p.close();

    // An observer sees the history but has no Acknowledge button.
    const o = await signIn('observer');
    await o.goto(`${fx.url}/#/alerts`);
    await o.getByTestId(`alert-${oracle.id}`).waitFor();
    expect(await o.getByTestId(`ack-${oracle.id}`).count()).toBe(0);
    await o.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
