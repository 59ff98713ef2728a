/**
 * The agent page's statechart in Chromium at 1024 px: laid out by ELK (loaded only when a
 * statechart is shown), no two state boxes overlapping (a compound state holds its children
 * inside it), every transition arrow labelled with its events, and the current state highlighted
 * and moving with the agent.
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

interface Drawn {
  boxes: Array<{ state: string; x: number; y: number; w: number; h: number; fill: string; current: boolean }>;
  edges: Array<{ from: string; to: string; label: string; d: string }>;
  pageWidth: number;
}

/** The boxes and arrows as the browser drew them (screen coordinates). */
const drawn = (p: Page): Promise<Drawn> =>
  p.evaluate(() => {
    const svg = document.querySelector('[data-testid="statechart"] svg.laid-out')!;
    const boxes = [...svg.querySelectorAll('g.state')].map((g) => {
      const rect = g.querySelector('rect')!;
      const r = rect.getBoundingClientRect();
      return {
        state: g.getAttribute('data-state') ?? '',
        x: r.x,
        y: r.y,
        w: r.width,
        h: r.height,
        fill: getComputedStyle(rect).fill,
        current: g.getAttribute('data-current') === 'true',
      };
    });
    const edges = [...svg.querySelectorAll('g.transition')].map((g) => ({
      from: g.getAttribute('data-from') ?? '',
      to: g.getAttribute('data-to') ?? '',
      label: g.querySelector('text')?.textContent ?? '',
      d: g.querySelector('path')?.getAttribute('d') ?? '',
    }));
    return { boxes, edges, pageWidth: document.documentElement.scrollWidth };
  });

const within = (path: string, ancestor: string): boolean => path.startsWith(`${ancestor}.`);

describe('statechart - laid out, readable at 1024 px', () => {
  it('statechart - ELK loads with the first statechart; boxes never overlap, arrows carry their events, the current state is highlighted', async () => {
    const elk: string[] = [];
    browser.context.on('request', (r) => {
      if (/\/assets\/elk[^/]*\.js$/.test(r.url())) elk.push(r.url());
    });
    const p = (page = await consoleSignIn({
      browser,
      gateway: fx,
      role: 'observer',
      errors: pageErrors,
      at: '#/audit',
    }));
    await p.setViewportSize({ width: 1024, height: 768 });
    await auditShown(p);
    expect(elk).toEqual([]); // not in the main chunk, not fetched before a statechart is shown

    await p.goto(`${fx.url}/#/agents/payables`);
    await p.locator('[data-testid="statechart"] svg.laid-out').waitFor();
    expect(elk).toHaveLength(1);
    const state = fx.runtime.getAgent('payables')!.state;
    await p.locator(`[data-testid="statechart"] [data-current="true"][data-state="${state}"]`).waitFor();
    const d = await drawn(p);

    // Every state of the machine is drawn once.
    const machine = (
      (await await fetch(`${fx.url}/api/agents/payables`, {
        headers: { authorization: `Bearer ${fx.tokens.observer}` },
      }).then((r) => r.json())) as { machine: { states: Array<{ path: string }> } }
    ).machine;
    expect(d.boxes.map((b) => b.state).sort()).toEqual(machine.states.map((s) => s.path).sort());
    expect(d.boxes.length).toBeGreaterThan(3);

    // No two boxes overlap, unless one is a compound state holding the other, which then lies inside it.
    for (const a of d.boxes)
      for (const b of d.boxes) {
        if (a === b) continue;
        if (within(b.state, a.state)) {
          expect(
            b.x >= a.x && b.y >= a.y && b.x + b.w <= a.x + a.w && b.y + b.h <= a.y + a.h,
            `${b.state} inside ${a.state}`,
          ).toBe(true);
          continue;
        }
        if (within(a.state, b.state)) continue;
        const overlapX = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
        const overlapY = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
        expect(overlapX <= 0 || overlapY <= 0, `${a.state} and ${b.state} overlap`).toBe(true);
      }

    // Arrows are routed (a path with at least two points) and labelled with their events.
    expect(d.edges.length).toBeGreaterThan(3);
    for (const e of d.edges) {
      expect(e.label.trim(), `${e.from} → ${e.to}`).not.toBe('');
      expect(e.d).toMatch(/^M[\d.-]+,[\d.-]+( L[\d.-]+,[\d.-]+)+$/);
    }

    // Exactly one current state, filled differently from every other state.
    const current = d.boxes.filter((b) => b.current);
    expect(current.map((b) => b.state)).toEqual([state]);
    for (const b of d.boxes) if (!b.current && !within(state, b.state)) expect(b.fill).not.toBe(current[0]!.fill);

    // At 1024 px the page does not scroll sideways (a wide chart scrolls in its own box).
    expect(d.pageWidth).toBeLessThanOrEqual(1024);
    await screenshot(p, 'statechart-layout-1024');

    // The highlight follows the agent, redrawn from the kept layout (no second load of the library).
    const { approvalId, task } = await fx.pendingApproval();
    await p.locator('[data-testid="statechart"] [data-current="true"][data-state="awaitingApproval"]').waitFor();
    expect(await p.locator('[data-testid="statechart"] [data-current="true"]').count()).toBe(1);
    await screenshot(p, 'statechart-layout-awaiting-approval');
    await fx.rejectApproval(approvalId);
    await task;
    await p.locator(`[data-testid="statechart"] [data-current="true"][data-state="${state}"]`).waitFor();
    expect(elk).toHaveLength(1);
  });
});
