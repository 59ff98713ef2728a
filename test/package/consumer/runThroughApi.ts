/**
 * Runs the system in ./system through the installed package's API (no CLI): waits until the
 * consumer wrote a note, then prints one JSON line for the test to check.
 */
import { createRuntime, type InspectionEvent } from 'mandate';
import { notes, setup } from './system/index.ts';

const runtime = await createRuntime();
const outcomes: Array<{ agent: string; action: unknown; outcome: unknown }> = [];
runtime.subscribe((e: InspectionEvent) => {
  if (e.type === 'transition' && e.actorKind === 'agent' && e.to === 'idle' && e.summary.outcome !== undefined) {
    outcomes.push({ agent: e.actorId, action: e.summary.action, outcome: e.summary.outcome });
  }
});
await setup(runtime);
const deadline = Date.now() + 20_000;
while (notes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const cycles = Object.fromEntries(runtime.metrics().agents.map((a) => [a.id, a.cycles]));
await runtime.shutdown();
console.log(JSON.stringify({ resolved: import.meta.resolve('mandate'), notes, outcomes, cycles }));
