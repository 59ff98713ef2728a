/**
 * Console timings measured inside Chromium and printed by the e2e tests (never asserted on time):
 * from navigation start to the first agent row, over several loads, and from a live transition's
 * arrival on the WebSocket to its state badge showing it. {@link instrumentConsole} is installed with
 * `page.addInitScript`, so it runs before the console's own script on every load.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RESULTS_DIR } from './browser.ts';

/** An agent row of the console's agents view (the supervision tree's agent entries). */
export const AGENT_ROW = '[data-node] [data-testid^="agent-"]';

/** What the page recorded; every time is in ms since navigation start (`performance.now()`'s origin). */
interface PageRecord {
  /** When the first agent row was in the document and rendered (`checkVisibility()`). */
  firstRowShown?: number;
  /** The frame after that: when the row is painted. */
  firstRowFrame?: number;
  /** Live transition arrival to its state badge showing the new state, one entry per transition. */
  paint: number[];
}

/** One load of the console. */
export interface LoadTiming {
  /** Navigation start to the first agent row in the document and rendered. */
  firstRowShown: number;
  /** Navigation start to the frame that paints it. */
  firstRowFrame: number;
  /** Navigation Timing: first byte of the page, and DOMContentLoaded done. */
  responseStart: number;
  domContentLoaded: number;
}

/** Percentiles of a sample (nearest rank on the sorted values). */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Runs in the page before its scripts: watches the document for the first agent row and, for every
 * live transition the page's WebSocket receives, for the badge of that agent to show its new state.
 */
export function instrumentConsole(agentRow: string): void {
  const w = window as unknown as { __timings: PageRecord };
  const record: PageRecord = { paint: [] };
  w.__timings = record;
  const received = new Map<string, { to: string; at: number }>();
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (m) => {
        const e = JSON.parse(String(m.data)) as { type: string; actorId: string; to: string };
        if (e.type === 'transition') received.set(e.actorId, { to: e.to, at: performance.now() });
      });
    }
  };
  new MutationObserver(() => {
    if (record.firstRowShown === undefined) {
      const row = document.querySelector(agentRow);
      if (row !== null && row.checkVisibility()) {
        record.firstRowShown = performance.now();
        requestAnimationFrame(() => (record.firstRowFrame = performance.now()));
      }
    }
    for (const [id, r] of received) {
      if (document.querySelector(`[data-testid="state-${id}"]`)?.textContent !== r.to) continue;
      record.paint.push(performance.now() - r.at);
      received.delete(id);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

/** Reloads `page` (instrumented) and returns this load's timings once its first agent row is painted. */
export async function timeLoad(page: Page): Promise<LoadTiming> {
  await page.reload();
  await page.locator(AGENT_ROW).first().waitFor({ state: 'visible' });
  await page.waitForFunction(
    () => (window as unknown as { __timings?: PageRecord }).__timings?.firstRowFrame !== undefined,
  );
  return page.evaluate(() => {
    const record = (window as unknown as { __timings: PageRecord }).__timings;
    const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return {
      firstRowShown: record.firstRowShown ?? Number.NaN,
      firstRowFrame: record.firstRowFrame ?? Number.NaN,
      responseStart: nav?.responseStart ?? Number.NaN,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? Number.NaN,
    };
  });
}

/** The live transition-to-badge delays the current load of `page` recorded, sorted. */
export async function paintDelays(page: Page): Promise<number[]> {
  const paint = await page.evaluate(() => [...(window as unknown as { __timings: PageRecord }).__timings.paint]);
  return paint.sort((a, b) => a - b);
}

/** Percentiles of `values`. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { n: sorted.length, min: at(0), p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** One summary as a line: `p50 12.3 ms, p99 45.6 ms (n=10, max 47.0)`. */
export function formatSummary(s: Summary): string {
  return `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (n=${s.n}, min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)})`;
}

/** Writes `report` as test-results/<name>.json and returns the file's path. */
export async function saveTimings(name: string, report: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR.pathname, `${name}.json`);
  await writeFile(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}
