import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { consoleSignIn } from '../support/consoleSignIn.ts';
import { startGatewayFixture, type GatewayFixture } from './gatewayFixture.ts';
import { auditShown } from '../support/auditShown.ts';

let fx: GatewayFixture;
let browser: TestBrowser;
let downloads: string;
let page: Page | undefined;
/** Console errors of the current page (a CSP violation or an uncaught exception fails the test). */
let pageErrors: string[] = [];

beforeAll(async () => {
  fx = await startGatewayFixture({ buildUi: true });
  downloads = await mkdtemp(join(tmpdir(), 'mandate-downloads-'));
  browser = await launchBrowser({ downloadsPath: downloads });
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
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

async function signIn(role: keyof GatewayFixture['tokens']): Promise<Page> {
  // An observer is shown 403s for what it may not do: expected, not a page error.
  return (page = await consoleSignIn({
    browser,
    gateway: fx,
    role,
    errors: pageErrors,
    expectErrors: /status of 403/,
  }));
}

/** Parses RFC 4180 CSV (quoted cells may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Awaits `promise`, failing after `ms` with what `describe` says of the state then. */
async function within<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(describe())), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function giveReason(p: Page, reason: string): Promise<void> {
  await p.getByTestId('reason-input').fill(reason);
  await p.getByTestId('modal-confirm').click();
}

describe('dashboard - operator in a real browser', () => {
  it('dashboard - an operator sees an agent change state live, with its statechart highlighting the current state', async () => {
    const p = await signIn('operator');
    await p.getByTestId('agent-payables').click();
    await p.getByTestId('statechart').locator('[data-current="true"][data-state="idle"]').waitFor();
    await p.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    // A large invoice parks the agent in awaitingApproval: the page must show it without reloading.
    const { approvalId, task } = await fx.pendingApproval();
    await p.getByTestId('state-payables').filter({ hasText: 'awaitingApproval' }).waitFor();
    await p.getByTestId('statechart').locator('[data-current="true"][data-state="awaitingApproval"]').waitFor();
    await p.getByTestId('detail-state').filter({ hasText: 'awaitingApproval' }).waitFor();
    await p
      .locator('[data-testid="timeline"] tr[data-kind="transition"]', { hasText: 'propose → awaitingApproval' })
      .waitFor();
    expect(await p.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    await screenshot(p, 'dashboard-operator-live-state');
    await fx.rejectApproval(approvalId);
    await task;
    await p.getByTestId('statechart').locator('[data-current="true"][data-state="idle"]').waitFor();
  });

  it('dashboard - an operator pauses and resumes an agent from its panel, with a reason that lands in the audit log', async () => {
    const p = await signIn('operator');
    await p.getByTestId('agent-fx-rebalancer').click();
    await p.getByTestId('pause').click();
    await giveReason(p, 'rate feed under review');
    await p.locator('[data-node="fx-rebalancer"] .badge.paused').waitFor();
    expect(fx.runtime.getAgent('fx-rebalancer')?.paused).toBe(true);
    // The agent's timeline says who paused it and why, from the audit log.
    await p
      .locator('[data-testid="timeline"] tr[data-kind="audit"]', { hasText: 'rate feed under review' })
      .filter({ hasText: 'human:operator' })
      .waitFor();
    expect(await p.getByTestId('stop').count()).toBe(0); // stopping for good is the admin's
    await screenshot(p, 'dashboard-operator-paused');
    await p.getByTestId('resume').click();
    await giveReason(p, 'feed fixed');
    await p.getByTestId('pause').waitFor();
    expect(fx.runtime.getAgent('fx-rebalancer')?.paused).toBe(false);
    const { entries } = await fx.store.audit.query({ action: 'operator.pause', limit: 10 });
    expect(entries[0]).toMatchObject({
      who: { kind: 'human', id: 'operator' },
      subject: 'fx-rebalancer',
      why: 'rate feed under review',
    });
  });

  it('dashboard - an operator approves a pending action and sees it executed', async () => {
    const p = await signIn('operator');
    const { approvalId, task } = await fx.pendingApproval();
    await p.getByTestId('tab-approvals').click();
    await p.getByTestId(`approve-${approvalId}`).click();
    await giveReason(p, 'checked the invoice');
    await p.getByTestId(`approval-${approvalId}`).and(p.locator('[data-status="approved"]')).waitFor();
    const result = await within(
      task,
      15_000,
      () => `the approved task did not finish; payables is ${fx.runtime.getAgent('payables')?.state}`,
    );
    expect(result.verdict?.status).not.toBe('denied');
    expect(['succeeded', 'would-have-sent']).toContain(result.outcome?.status);
    // The queue shows what the agent did with the approval, from the live stream.
    await p
      .getByTestId(`outcome-${approvalId}`)
      .filter({ hasText: result.outcome?.status ?? '?' })
      .waitFor();
    const approval = fx.runtime.listApprovals().find((a) => a.id === approvalId);
    expect(approval?.status).toBe('approved');
    expect(approval?.decidedBy).toEqual({ kind: 'human', id: 'operator' });
    await screenshot(p, 'dashboard-operator-approved');
  });

  it('dashboard - an operator engages the kill switch after confirming and sees every agent stop', async () => {
    const p = await signIn('operator');
    await p.getByTestId('kill-engage').click();
    await expect(p.getByTestId('modal-confirm').isDisabled()).resolves.toBe(true);
    await giveReason(p, 'suspicious outflow');
    await p.getByTestId('killswitch-engaged').waitFor();
    expect(fx.runtime.killSwitchState().all).toBe(true);
    for (const agent of fx.runtime.listAgents()) {
      expect(agent.killed).toBe(true);
      await p.locator(`[data-node="${agent.id}"] .badge.killed`).first().waitFor();
    }
    await screenshot(p, 'dashboard-operator-kill-switch');
    // The operator cannot release it; an admin can (through the API, to reset for the next tests).
    expect(await p.getByTestId('kill-release').count()).toBe(0);
    await fx.releaseKillSwitch();
  });

  it('dashboard - a kill switch scoped to a capability stops only the agents holding it', async () => {
    const p = await signIn('operator');
    await p.getByTestId('kill-engage').click();
    await p.getByTestId('kill-scope').selectOption('capability:payments.send');
    await giveReason(p, 'bank rail incident');
    await p.getByTestId('killswitch-engaged').filter({ hasText: 'scoped' }).waitFor();
    expect(fx.runtime.killSwitchState()).toMatchObject({ all: false, capabilities: ['payments.send'] });
    await p.locator('[data-node="payables"] .badge.killed').first().waitFor();
    for (const agent of fx.runtime.listAgents())
      expect(agent.killed).toBe(agent.capabilities.includes('payments.send'));
    expect(await p.locator('[data-node="fx-rebalancer"] .badge.killed').count()).toBe(0);
    await screenshot(p, 'dashboard-operator-kill-switch-scoped');
    await fx.runtime.releaseKillSwitch(
      { capabilities: ['payments.send'] },
      { kind: 'system', id: 'test' },
      'test reset',
    );
  });

  it('dashboard - an operator filters the audit log and downloads a CSV whose rows match', async () => {
    // Two payments to different counterparties, so the filter has something to leave out.
    const first = fx.allowedTask();
    const paidTo = fx.sim.invoices.find((i) => i.id === first.input.invoice)!.counterparty;
    await fx.submit(first);
    const second = fx.allowedTask();
    expect(fx.sim.invoices.find((i) => i.id === second.input.invoice)!.counterparty).not.toBe(paidTo);
    await fx.submit(second);

    const p = await signIn('operator');
    await p.getByTestId('tab-audit').click();
    await auditShown(p);
    const unfiltered = await p.getByTestId('audit-row').count();
    await p.getByTestId('filter-currency').fill('USDC');
    await p.getByTestId('filter-counterparty').fill(paidTo);
    await p.getByTestId('audit-apply').click();
    await p.waitForFunction(() => location.hash.includes('counterparty='));
    await auditShown(p);
    expect(await p.getByTestId('audit-row').count()).toBeLessThan(unfiltered);
    const shown = await p.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-seq')));
    expect(shown.length).toBeGreaterThan(0);
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-csv').click()]);
    const path = join(downloads, download.suggestedFilename());
    await download.saveAs(path);
    const [header, ...rows] = parseCsv(await readFile(path, 'utf8'));
    expect(header!.slice(0, 3)).toEqual(['seq', 'at', 'who_kind']);
    expect(rows.map((r) => r[0])).toEqual(shown);
    for (const r of rows) {
      expect(r[header!.indexOf('currency')]).toBe('USDC');
      expect(r[header!.indexOf('counterparty')]).toBe(paidTo);
      expect(JSON.parse(r[header!.indexOf('data')]!)).toMatchObject({ currency: 'USDC', counterparty: paidTo });
    }
    await screenshot(p, 'dashboard-operator-audit-filtered');
  });

  it('dashboard - an operator narrows the audit log to an amount range, kept in the link; a non-decimal bound is not sent', async () => {
    const p = await signIn('operator');
    await p.getByTestId('tab-audit').click();
    await auditShown(p);
    const cells = (await p.getByTestId('audit-amount').allInnerTexts()).filter((t) => t !== '');
    const distinct = [...new Set(cells)].sort((a, b) => Number(a) - Number(b));
    expect(distinct.length).toBeGreaterThan(1);
    const amount = distinct[0]!;
    await p.getByTestId('filter-min-amount').fill(amount);
    await p.getByTestId('filter-max-amount').fill(amount);
    await p.getByTestId('audit-apply').click();
    await p.waitForFunction(() => location.hash.includes('maxAmount='));
    await auditShown(p);
    const shown = await p.getByTestId('audit-amount').allInnerTexts();
    expect(shown.length).toBeGreaterThan(0);
    for (const t of shown) expect(t).toBe(amount);
    await p.reload();
    await auditShown(p);
    expect(await p.getByTestId('filter-min-amount').inputValue()).toBe(amount);
    expect(await p.getByTestId('audit-amount').allInnerTexts()).toEqual(shown);
    await screenshot(p, 'dashboard-operator-audit-amount-range');

    const before = await p.evaluate(() => location.hash);
    await p.getByTestId('filter-min-amount').fill('ten');
    await p.getByTestId('audit-apply').click();
    expect(
      await p.getByTestId('filter-min-amount').evaluate((el) => (el as HTMLInputElement).validity.patternMismatch),
    ).toBe(true);
    expect(await p.evaluate(() => location.hash)).toBe(before);
  });
});

describe('dashboard - admin in a real browser', () => {
  it('dashboard - an admin releases the kill switch from the header and the agents return to idle', async () => {
    await fx.runtime.engageKillSwitch({ all: true }, { kind: 'system', id: 'test' }, 'drill');
    const p = await signIn('admin');
    await p.getByTestId('killswitch-engaged').waitFor();
    await p.getByTestId('kill-release').click();
    await giveReason(p, 'drill over');
    await p.locator('[data-testid="killswitch"][data-engaged="false"]').waitFor();
    await fx.idle('payables');
    for (const agent of fx.runtime.listAgents()) expect(agent.killed).toBe(false);
    const { entries } = await fx.store.audit.query({ action: 'operator.killswitch.release', limit: 1 });
    expect(entries[0]).toMatchObject({ who: { kind: 'human', id: 'admin' }, why: 'drill over' });
    await p.getByTestId('agent-payables').click();
    await p.getByTestId('stop').waitFor(); // only the admin gets Stop
    await screenshot(p, 'dashboard-admin-released');
    // Stop says it is permanent and needs the agent's name typed; cancelled here, nothing stops.
    await p.getByTestId('stop').click();
    expect(await p.getByTestId('stop-warning').innerText()).toMatch(/permanent/);
    await p.getByTestId('reason-input').fill('retiring it');
    expect(await p.getByTestId('modal-confirm').isDisabled()).toBe(true);
    await p.getByTestId('type-to-confirm').fill('payable');
    expect(await p.getByTestId('modal-confirm').isDisabled()).toBe(true);
    await p.getByTestId('type-to-confirm').fill('payables');
    expect(await p.getByTestId('modal-confirm').isDisabled()).toBe(false);
    await screenshot(p, 'dashboard-admin-stop-confirm');
    await p.getByTestId('modal-cancel').click();
    expect(fx.runtime.getAgent('payables')).toBeDefined();
  });
});

describe('dashboard - monitoring', () => {
  it('dashboard - health tiles, charts by agent and by asset, and the live feed reflect the runtime', async () => {
    const p = await signIn('observer');
    await p.getByTestId('tab-monitor').click();
    const agents = fx.runtime.metrics().agents;
    await p.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="chart-agents"] rect.bar:not(.overlay)').length === n,
      agents.length,
    );
    const bars = await p
      .locator('[data-testid="chart-agents"] rect.bar:not(.overlay)')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))]));
    const latest = fx.runtime.metrics().agents;
    expect(Object.fromEntries(bars)).toEqual(Object.fromEntries(latest.map((a) => [a.id, a.cycles])));
    // Earlier tests paid invoices in USDC: the asset chart has a USDC bar.
    await p.locator('[data-testid="chart-assets"] rect.bar[data-label="USDC"]').waitFor();
    expect(await p.getByTestId('tile-agents').textContent()).toContain(String(latest.length));
    expect(await p.getByTestId('tile-ready-database').textContent()).toContain('reachable');
    await fx.drive(1);
    await p.locator('[data-testid="feed"] tbody tr').first().waitFor();
    await screenshot(p, 'dashboard-monitoring');
  });
});

describe('dashboard - observer in a real browser', () => {
  it('dashboard - an observer sees the system but has no controls, and the server refuses the actions anyway', async () => {
    const p = await signIn('observer');
    const agent = fx.runtime.listAgents()[0]!;
    await p.getByTestId(`agent-${agent.id}`).click();
    await p.getByTestId('statechart').waitFor();
    expect(await p.getByTestId('pause').count()).toBe(0);
    expect(await p.getByTestId('stop').count()).toBe(0);
    expect(await p.getByTestId('kill-engage').count()).toBe(0);
    const { approvalId, task } = await fx.pendingApproval();
    await p.getByTestId('tab-approvals').click();
    await p.getByTestId(`approval-${approvalId}`).waitFor();
    expect(await p.getByTestId(`approve-${approvalId}`).count()).toBe(0);
    await screenshot(p, 'dashboard-observer-read-only');
    // Forcing the calls from the page with the observer's token: every one is refused.
    const statuses = await p.evaluate(
      async ([id, approval]) => {
        const token = sessionStorage.getItem('mandate.token') ?? '';
        const post = (url: string, body: unknown) =>
          fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }).then((r) => r.status);
        return [
          await post(`/api/agents/${id}/pause`, { reason: 'x' }),
          await post(`/api/approvals/${approval}/approve`, {}),
          await post('/api/kill-switch', { action: 'engage', scope: { all: true }, reason: 'x' }),
        ];
      },
      [agent.id, approvalId] as const,
    );
    expect(statuses).toEqual([403, 403, 403]);
    expect(fx.runtime.listApprovals().find((a) => a.id === approvalId)?.status).toBe('pending');
    await fx.rejectApproval(approvalId);
    await task;
  });
});
