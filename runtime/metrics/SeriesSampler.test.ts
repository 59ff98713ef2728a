/**
 * The stored series' exact totals and what the sampler makes of them, without a database: the
 * telemetry counts payments per asset with decimal amounts summed exactly (0.1 three times is 0.3,
 * where floats drift), fees only of payments that moved, and each cycle's time; the sampler stores
 * per-asset deltas and each interval's longest cycle, and a failed write keeps both for the next
 * round; a new runtime (a restart) counts from zero.
 */
import { describe, expect, it } from 'vitest';
import type { Proposal } from '../../actors/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { MetricSeriesStore, SeriesSample } from './MetricSeries.ts';
import { RuntimeTelemetry } from './RuntimeTelemetry.ts';
import { SeriesSampler } from './SeriesSampler.ts';

const pay = (agentId: string, value: string, asset = 'USDC') =>
  ({ agentId, action: { type: 'payment.send', amount: { value, asset } } }) as unknown as Proposal;

/** A store that keeps the rows it was given, and fails the next append when told to. */
function memoryStore(): MetricSeriesStore & { rows: SeriesSample[]; failNext: boolean } {
  const store = {
    rows: [] as SeriesSample[],
    failNext: false,
    append(samples: readonly SeriesSample[]): Promise<void> {
      if (store.failNext) {
        store.failNext = false;
        return Promise.reject(new Error('db down'));
      }
      store.rows.push(...samples);
      return Promise.resolve();
    },
    query: () => Promise.reject(new Error('not read here')),
    downsample: () => Promise.resolve({ rolled: 0, dropped: 0 }),
  };
  return store;
}

/** A runtime's telemetry with one agent cycling, sampled by a sampler on a clock that moves when told. */
function sampled(store: MetricSeriesStore) {
  let now = 1_790_000_000_000;
  const clock: Clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
  const telemetry = new RuntimeTelemetry({ now: () => now, region: 'eu' });
  let cycles = 0;
  const cycle = (ms: number): void => {
    telemetry.onAgentTransition('payables', { from: 'idle', to: 'perceive' });
    now += ms;
    telemetry.onAgentTransition('payables', { from: 'perceive', to: 'idle' });
    cycles += 1;
  };
  const sampler = new SeriesSampler({
    store,
    clock,
    node: 'n1',
    region: 'eu',
    totals: () => {
      const t = telemetry.seriesTotals;
      return [
        {
          agent: 'payables',
          cycles,
          failures: 0,
          payments: 0,
          assets: t.of('payables')?.assets,
          timed: t.of('payables')?.timed,
          longestMs: t.takeLongest('payables'),
        },
      ];
    },
    onProblem: () => undefined,
  });
  return { telemetry, sampler, cycle, tick: (ms: number) => (now += ms) };
}

describe('stored series - exact totals and their sampling', () => {
  it('series totals - amounts per asset sum exactly; fees only when the payment moved; a bad amount counts with no volume', () => {
    const t = new RuntimeTelemetry({ now: () => 0, region: 'eu' });
    for (let i = 0; i < 3; i++) t.onSettled(pay('payables', '0.1'), { status: 'succeeded' }, 'live');
    t.onSettled(pay('payables', '5'), { status: 'failed', fees: { value: '0.5', asset: 'USDC' } }, 'live');
    t.onSettled(
      pay('payables', '2'),
      { status: 'would-have-sent', fees: { value: '0.000005', asset: 'SOL' } },
      'dry-run',
    );
    t.onSettled(pay('payables', '1e3'), { status: 'succeeded' }, 'live');
    t.onSettled(pay('payables', '7', 'EURC'), { status: 'denied' }, 'live');
    const assets = t.seriesTotals.of('payables')!.assets;
    expect(Object.fromEntries(assets)).toEqual({
      USDC: { payments: 6, volume: 2_300_000_000_000_000_000n, fees: 0n }, // 0.1 × 3 + 2 (the failed 5 and "1e3" add none)
      SOL: { payments: 0, volume: 0n, fees: 5_000_000_000_000n },
      EURC: { payments: 1, volume: 0n, fees: 0n },
    });
    // The float counter of /metrics drifts where the stored sum does not.
    expect(0.1 + 0.1 + 0.1).not.toBe(0.3);
  });

  it('series totals - each cycle is timed in whole ms; the longest is a window that the read starts anew', () => {
    let now = 0;
    const t = new RuntimeTelemetry({ now: () => now, region: 'eu' });
    for (const ms of [30, 120.4, 80]) {
      t.onAgentTransition('fx', { from: 'idle', to: 'perceive' });
      now += ms;
      t.onAgentTransition('fx', { from: 'perceive', to: ms === 80 ? 'failed' : 'idle' });
      if (ms === 80) t.onAgentTransition('fx', { from: 'failed', to: 'idle' });
    }
    expect(t.seriesTotals.of('fx')!.timed).toEqual({ count: 3, totalMs: 230 });
    expect(t.seriesTotals.takeLongest('fx')).toBe(120);
    expect(t.seriesTotals.takeLongest('fx')).toBe(0);
    expect(t.seriesTotals.takeLongest('nobody')).toBe(0);
  });

  it('series sampler - rows carry each interval’s per-asset deltas and longest cycle; a failed write keeps them for the next round', async () => {
    const store = memoryStore();
    const { telemetry, sampler, cycle, tick } = sampled(store);
    telemetry.onSettled(pay('payables', '100'), { status: 'succeeded' }, 'live'); // before start: the baseline
    cycle(500);
    sampler.start();
    telemetry.onSettled(
      pay('payables', '0.1'),
      { status: 'succeeded', fees: { value: '0.01', asset: 'USDC' } },
      'live',
    );
    cycle(40);
    cycle(70);
    tick(10_000);
    expect(await sampler.sample()).toBe(1);
    expect(store.rows.at(-1)).toMatchObject({
      cycles: 2,
      latency: { count: 2, totalMs: 110, maxMs: 70 },
      assets: { USDC: { payments: 1, volume: '0.1', fees: '0.01' } },
    });
    // The write fails: the next round stores both intervals' amounts, and the failed one's longest cycle.
    telemetry.onSettled(pay('payables', '0.1'), { status: 'succeeded' }, 'live');
    telemetry.onSettled(pay('payables', '3', 'EURC'), { status: 'succeeded' }, 'live');
    cycle(900);
    tick(10_000);
    store.failNext = true;
    await expect(sampler.sample()).rejects.toThrow('db down');
    telemetry.onSettled(pay('payables', '0.1'), { status: 'succeeded' }, 'live');
    cycle(20);
    tick(10_000);
    expect(await sampler.sample()).toBe(1);
    expect(store.rows.at(-1)).toMatchObject({
      cycles: 2,
      latency: { count: 2, totalMs: 920, maxMs: 900 },
      assets: { USDC: { payments: 2, volume: '0.2', fees: '0' }, EURC: { payments: 1, volume: '3', fees: '0' } },
    });
    // Nothing moved: no row; only the assets that changed are in a row.
    tick(10_000);
    expect(await sampler.sample()).toBe(0);
    telemetry.onSettled(pay('payables', '1', 'EURC'), { status: 'succeeded' }, 'live');
    tick(10_000);
    expect(await sampler.sample()).toBe(1);
    expect(store.rows.at(-1)).toMatchObject({ cycles: 0, assets: { EURC: { payments: 1, volume: '1', fees: '0' } } });
    expect(store.rows.at(-1)!.latency).toBeUndefined();
    expect(Object.keys(store.rows.at(-1)!.assets!)).toEqual(['EURC']);
    await sampler.stop();
  });

  it('series sampler - a restarted runtime counts its amounts from zero: the rows of both runs add up to every payment', async () => {
    const store = memoryStore();
    for (const run of [1, 2]) {
      const { telemetry, sampler, cycle, tick } = sampled(store);
      sampler.start();
      for (let i = 0; i < 3; i++) telemetry.onSettled(pay('payables', '0.1'), { status: 'succeeded' }, 'live');
      cycle(10 * run);
      tick(10_000);
      await sampler.stop(); // shutdown stores the last interval
    }
    expect(store.rows.map((r) => [r.assets?.USDC?.volume, r.latency?.maxMs])).toEqual([
      ['0.3', 10],
      ['0.3', 20],
    ]);
  });
});
