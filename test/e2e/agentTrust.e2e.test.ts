import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RulesDecider } from '../../actors/index.ts';
import { defineAgent } from '../../runtime/index.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { consoleSignIn } from '../support/consoleSignIn.ts';
import { startGatewayFixture, type GatewayFixture } from './gatewayFixture.ts';

let fx: GatewayFixture;
let browser: TestBrowser;
let page: Page | undefined;
/** Console errors of the current page (a CSP violation or an uncaught exception fails the test). */
let pageErrors: string[] = [];

beforeAll(async () => {
  fx = await startGatewayFixture({ buildUi: true });
  browser = await launchBrowser();
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

async function signIn(): Promise<Page> {
  return (page = await consoleSignIn({ browser, gateway: fx, role: 'operator', errors: pageErrors }));
}

/** The label/value pairs of a facts list. */
async function pairs(p: Page, testId: string): Promise<Record<string, string>> {
  const list = p.getByTestId(testId);
  await list.waitFor();
  const keys = await list.locator('dt').allTextContents();
  const values = await list.locator('dd').allTextContents();
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
}

describe('agent page trust and nodes view - operator in a real browser', () => {
  it('agent trust - the agent page shows the six reputation dimensions, standing, health parts and the threat of its newest decision, reloaded when it pays again', async () => {
    const first = await fx.submit(fx.allowedTask());
    const p = await signIn();
    await p.getByTestId('agent-payables').click();
    const reputation = await pairs(p, 'trust-reputation');
    expect(Object.keys(reputation)).toEqual([
      'overall',
      'standing',
      'limits granted',
      'reliability',
      'efficiency',
      'cooperation',
      'compliance',
      'financial responsibility',
    ]);
    const report = await fx.runtime.agentReputation('payables');
    expect(reputation.compliance).toBe(report.compliance.toFixed(2));
    expect(reputation['limits granted']).toMatch(/^\d+% of the configured limits$/);
    const health = await pairs(p, 'trust-health');
    expect(health.score).toBe(String(fx.runtime.getAgent('payables')!.health.score));
    const threat = await pairs(p, 'trust-threat');
    expect(threat.level).toMatch(/^(low|medium|high|critical)( \(flagged\))?$/);
    const link = p.getByTestId('trust-threat-decision');
    expect(await link.getAttribute('href')).toBe(`#/payments/${encodeURIComponent(first.decisionId)}`);
    await p.getByTestId('trust-no-stake').waitFor();
    await screenshot(p, 'agent-trust-payables');
    // A second payment moves the agent: the trust panel reloads (rate-limited) and reads the new decision.
    const second = await fx.submit(fx.allowedTask());
    expect(second.decisionId).not.toBe(first.decisionId);
    await p
      .locator(`[data-testid="trust-threat-decision"][href="#/payments/${encodeURIComponent(second.decisionId)}"]`)
      .waitFor();
  });

  it('agent trust - an agent that posted a stake shows its balance, posted and slashed amounts', async () => {
    await fx.runtime.spawn(
      defineAgent({
        id: 'custodian',
        capabilities: ['ledger.annotate'],
        stake: { amount: '1000', asset: 'USDC' },
        permissions: [{ capability: 'ledger.annotate', accounts: ['*'] }],
        perceive: () => ({}),
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'note',
              conditions: { all: [{ fact: 'input', path: '$.n', operator: 'greaterThan', value: 0 }] },
              event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: {} },
            },
          ],
        }),
      }),
    );
    const p = await signIn();
    await p.evaluate(() => (location.hash = '#/agents/custodian'));
    const stake = await pairs(p, 'trust-stake');
    expect(stake).toEqual({ balance: '1000 USDC', posted: '1000 USDC', slashed: '0 USDC' });
    await p.getByTestId('trust-no-threat').waitFor();
    expect(Object.keys(await pairs(p, 'trust-reputation'))).toContain('financial responsibility');
  });

  it('nodes view - the nodes tab says placement is off and shows this node running every agent', async () => {
    const p = await signIn();
    await p.getByTestId('tab-nodes').click();
    const note = p.getByTestId('nodes-placement');
    await note.waitFor();
    expect(await note.getAttribute('data-placement')).toBe('false');
    expect(await note.textContent()).toBe('Placement is off: this node (node-test) runs every agent it loaded.');
    const row = p.getByTestId('nodes-table').locator('tr', { has: p.locator('[data-node="node-test"]') });
    await row.waitFor();
    const agents = (await row.locator('td').nth(3).textContent()) ?? '';
    for (const a of fx.runtime.listAgents()) expect(agents).toContain(a.id);
    expect(await row.locator('td').nth(2).textContent()).toBe('alive');
    expect(p.url()).toMatch(/#\/nodes$/);
    await screenshot(p, 'nodes-placement-off');
  });
});
