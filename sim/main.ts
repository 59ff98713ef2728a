/**
 * `npm run sim -- --seeds 1000` runs that many seeds (from `--from`, default 1) and prints
 * seeds/s; `npm run sim -- --seed 123` replays one (add `--trace` to see it step by step).
 * `--steps N` sets the steps per seed. Exits non-zero when a seed breaks an invariant, printing
 * its one-line replay command. `MANDATE_SIM_PLANT=skip-intent-check` plants a bug (docs/simulation.md).
 */
import { parseArgs } from 'node:util';
import { runSeed } from './runSeed.ts';
import type { StorePlant } from './SimDisk.ts';

const PLANTS: readonly StorePlant[] = ['skip-intent-check'];

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string', default: '1' },
    steps: { type: 'string', default: '100' },
    trace: { type: 'boolean', default: false },
  },
});
const int = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`sim: --${name} must be a non-negative integer, got "${text}"`);
    process.exit(2);
  }
  return n;
};
const plantEnv = process.env.MANDATE_SIM_PLANT;
if (plantEnv !== undefined && !PLANTS.includes(plantEnv as StorePlant)) {
  console.error(`sim: MANDATE_SIM_PLANT must be one of ${PLANTS.join(', ')}, got "${plantEnv}"`);
  process.exit(2);
}
const plant = plantEnv as StorePlant | undefined;
const steps = int('steps', values.steps);
const first = values.seed === undefined ? int('from', values.from) : int('seed', values.seed);
const count = values.seed === undefined ? int('seeds', values.seeds ?? '100') : 1;
const trace = values.trace ? (line: string) => console.log(line) : undefined;

const started = performance.now();
let crashes = 0;
let payments = 0;
for (let seed = first; seed < first + count; seed++) {
  const r = await runSeed({ seed, steps, ...(plant === undefined ? {} : { plant }), ...(trace ? { trace } : {}) });
  crashes += r.crashes;
  payments += r.payments;
  if (!r.ok) {
    const v = r.violation!;
    console.log(`seed ${seed} FAILED after ${seed - first + 1} seeds, step ${v.step}: ${v.invariant}: ${v.message}`);
    const env = plant === undefined ? '' : `MANDATE_SIM_PLANT=${plant} `;
    console.log(`replay: ${env}npm run sim -- --seed ${seed}${steps === 100 ? '' : ` --steps ${steps}`}`);
    process.exit(1);
  }
  if (count === 1)
    console.log(`seed ${seed} ok: ${r.steps} steps, ${r.crashes} crashes, ${r.payments} payments, digest ${r.digest}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `sim: ${count} seeds ok (${first}..${first + count - 1}, ${steps} steps each), ${crashes} crashes, ${payments} payments, ` +
    `${seconds.toFixed(1)} s, ${(count / seconds).toFixed(1)} seeds/s`,
);
