/**
 * The console's audit extras and agents overview in Chromium: server-side paging older and newer,
 * the hide-routine toggle (kept in the URL), agent names beside DIDs, "verify chain" for an
 * operator (hidden from an observer), and the overview's row per agent with its last act.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { consoleSignIn } from '../support/consoleSignIn.ts';
import { startGatewayFixture, type GatewayFixture } from './gatewayFixture.ts';
import { auditShown } from '../support/auditShown.ts';

let fx: GatewayFixture;
let browser: TestBrowser;
let page: Page | undefined;
let pageErrors: string[] = [];

beforeAll(async () => {
  fx = await startGatewayFixture({ buildUi: true });
  browser = await launchBrowser();
  // More than one page (100 rows) of entries, every other one routine.
  const at = fx.clock.now();
  for (let i = 0; i < 130; i++)
    await fx.store.appendAudit({
      who: { kind: 'system', id: 'reputation' },
      action: i % 2 === 0 ? 'reputation.changed' : 'operator.note.added',
      subject: 'fx-rebalancer',
      where: 'node-test',
      why: `filler ${i}`,
      data: { agentId: 'fx-rebalancer' },
      at: at + i,
    });
  await fx.submit(fx.allowedTask());
  await fx.runtime.flush();
});
afterEach(async () => {
  await page?.close();
  page = undefined;
  const errors = pageErrors;
  pageErrors = [];
  expect(errors).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

async function signIn(role: keyof GatewayFixture['tokens'], at: string): Promise<Page> {
  return (page = await consoleSignIn({ browser, gateway: fx, role, errors: pageErrors, at }));
}

const seqs = (p: Page): Promise<number[]> =>
  p.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));

describe('console - audit paging, noise, names and chain verification', () => {
  it('console - pages older and newer on the server, hides routine entries, verifies the chain', async () => {
    const p = await signIn('operator', '#/audit');
    await p.getByTestId('audit-status').filter({ hasText: 'entries 1–100 shown (page 1), older available' }).waitFor();
    const first = await seqs(p);
    expect(first).toHaveLength(100);
    expect(await p.getByTestId('audit-newer').isDisabled()).toBe(true);

    await p.getByTestId('audit-older').click();
    await p.getByTestId('audit-status').filter({ hasText: '(page 2)' }).waitFor();
    const second = await seqs(p);
    expect(second.length).toBeGreaterThan(0);
    expect(Math.max(...second)).toBeLessThan(Math.min(...first));
    await p.getByTestId('audit-newer').click();
    await p.getByTestId('audit-status').filter({ hasText: '(page 1)' }).waitFor();
    expect(await seqs(p)).toEqual(first);

    // An agent's act names the agent beside its DID.
    const payables = fx.runtime.listAgents().find((a) => a.id === 'payables')!;
    const who = p.locator(`[data-testid="audit-row"][data-action^="agent.payment.send"] [data-testid="audit-who"]`);
    expect(await who.first().innerText()).toBe(`payables (${payables.did.slice(0, 14)}…${payables.did.slice(-4)})`);

    await p.getByTestId('filter-noise').check();
    await p.waitForFunction(() => location.hash.includes('noise=hide'));
    await auditShown(p);
    await p.waitForFunction(() => !document.querySelector('[data-action="reputation.changed"]'));
    expect(await p.locator('[data-action="operator.note.added"]').count()).toBeGreaterThan(0);
    await p.reload();
    await auditShown(p);
    expect(await p.getByTestId('filter-noise').isChecked()).toBe(true);
    expect(await p.locator('[data-action="reputation.changed"]').count()).toBe(0);

    await p.getByTestId('audit-verify').click();
    const verdict = p.locator('[data-testid="audit-verdict"][data-ok]');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.innerText()).toMatch(/^Chain verified: \d+ entries, head seq \d+/);
    await screenshot(p, 'console-audit-paged-verified');
  });

  it('console - an observer sees the audit log but no verify action', async () => {
    const p = await signIn('observer', '#/audit');
    await auditShown(p);
    expect(await p.getByTestId('audit-verify').isHidden()).toBe(true);
  });
});

describe('console - agents overview', () => {
  it('console - one row per agent with state, last act, outcome, amount, age, reputation and health', async () => {
    const p = await signIn('observer', '#/agents');
    await p.getByTestId('tab-overview').click();
    await p.waitForFunction(() => location.hash === '#/overview');
    const row = p.getByTestId('overview-row-payables');
    await row.getByTestId('overview-outcome').filter({ hasText: 'would-have-sent' }).waitFor();
    expect(await row.getByTestId('overview-action').innerText()).toBe('payment.send');
    expect(await row.getByTestId('overview-amount').innerText()).toMatch(/^\d+(\.\d+)? USDC$/);
    expect(await row.getByTestId('overview-age').innerText()).toMatch(/ago$|^in /);
    const agents = fx.runtime.listAgents();
    expect(await p.locator('[data-testid^="overview-row-"]').count()).toBe(agents.length);
    const summary = agents.find((a) => a.id === 'payables')!;
    expect(await row.getByTestId('overview-health').innerText()).toBe(String(summary.health.score));
    expect(await row.getByTestId('overview-reputation').getAttribute('class')).toMatch(/score (good|warn|bad)/);
    await p.reload();
    await p.getByTestId('overview-row-payables').waitFor();
    await screenshot(p, 'console-agents-overview');
  });
});

describe('console - monitor time series', () => {
  it('console - the monitor draws cycles, payments and failures per minute over time as inline SVG', async () => {
    const p = await signIn('observer', '#/monitor');
    await p.getByTestId('chart-rates').waitFor();
    // The fixture's runtime has a store: the chart draws the stored last hour (a point per 30 s bucket).
    await fx.drive(2);
    // Attached, not visible: a quiet hour is a flat line on the axis, a box of no height.
    await p.locator('[data-testid="chart-rates"] polyline[data-series="cycles"]').waitFor({ state: 'attached' });
    await p.waitForFunction(
      () =>
        (
          document
            .querySelector('[data-testid="chart-rates"] polyline[data-series="cycles"]')
            ?.getAttribute('points') ?? ''
        )
          .trim()
          .split(' ').length >= 2,
    );
    const series = await p
      .locator('[data-testid="chart-rates"] polyline')
      .evaluateAll((ls) => ls.map((l) => l.getAttribute('data-series')));
    expect(series).toEqual(['cycles', 'payments', 'failures']);
    // One agent or one region can be picked; every agent is the default.
    const pick = p.getByTestId('chart-rates-pick');
    expect(await pick.inputValue()).toBe('');
    expect(await pick.locator('option').first().innerText()).toBe('all agents');
    await screenshot(p, 'console-monitor-rates');
  });
});
