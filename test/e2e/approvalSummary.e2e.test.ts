import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('dashboard - the Approve dialog', () => {
  it('dashboard - shows amount, payee, invoice and rationale, and warns when the invoice was already approved', async () => {
    // INV-1003 is approved once (through the runtime), then comes round again.
    const first = await fx.pendingApproval();
    await fx.runtime.approve(first.approvalId, { kind: 'human', id: 'admin' }, 'first approval');
    await first.task;
    const p = await signIn('operator');
    const again = await fx.pendingApproval();
    await p.getByTestId('tab-approvals').click();
    await p.getByTestId(`approve-${again.approvalId}`).click();
    const summary = p.getByTestId('approval-summary');
    await summary.waitFor();
    const text = await summary.innerText();
    expect(text).toMatch(/amount\s+\d+(\.\d+)? USDC/);
    expect(text).toMatch(/payee\s+\S+/);
    expect(text).toContain('INV-1003');
    expect(text).toMatch(/rationale\s+.*invoice is due/);
    const warning = await p.getByTestId('duplicate-warning').innerText();
    expect(warning).toContain(`already approved (${first.approvalId}) by admin: first approval`);
    await screenshot(p, 'approval-dialog-duplicate-warning');
    await p.getByTestId('reason-input').fill('paid twice? no: the runtime replays the key');
    await p.getByTestId('modal-confirm').click();
    await p.getByTestId(`approval-${again.approvalId}`).and(p.locator('[data-status="approved"]')).waitFor();
    await again.task;
    expect(pageErrors).toEqual([]);
    await p.close();
  });
});
