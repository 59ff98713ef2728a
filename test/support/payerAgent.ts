/**
 * The `payer` agent of the zero-trust and reputation tests: it perceives the next invoice through
 * the test's `invoice.next` perceiver, decides (in the sandbox) to pay it in USDC from `ops`, and
 * acts with the test's `pay` actuator. A test drives it one cycle at a time with {@link payerCycle}.
 */
import { expect } from 'vitest';
import { parseAgentYaml, type MandateRuntime, type PluginRegistry } from '../../runtime/index.ts';
import { agentOf } from './agentOf.ts';

const strategy = `export function decide(f) {
  return { action: { type: 'payment.send', capability: 'payments.send', account: 'ops',
    amount: { value: f.invoice.amount, asset: 'USDC' }, counterparty: f.invoice.payee, params: {} },
    confidence: 0.9, rationale: 'invoice due', rulesFired: ['due'] };
}`;

/** The payer's USDC limits (decimal strings). */
export interface PayerLimits {
  perTransaction: string;
  daily: string;
}

/** Spawns `payer` on `runtime` with `plugins` (which must register `invoice.next` and `pay`). */
export async function spawnPayer(runtime: MandateRuntime, plugins: PluginRegistry, limits: PayerLimits): Promise<void> {
  const yaml = `id: payer
capabilities: [payments.send]
permissions: [ { capability: payments.send, accounts: ["*"] } ]
limits: { perTransaction: { USDC: "${limits.perTransaction}" }, daily: { USDC: "${limits.daily}" } }
perceive: [invoice.next]
code: ./strategy.js
act: pay
`;
  await runtime.spawn(
    await parseAgentYaml({ text: yaml, source: 'payer.yaml', plugins, readRelative: async () => strategy }),
  );
}

/** Polls `ok` every 5 ms, up to `tries` times; throws naming `what` when it never holds. */
export async function until(what: string, ok: () => boolean, tries = 1_000): Promise<void> {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

/** What a cycle of the payer waits for: the host as it is now, and its cycle count when the cycle was triggered. */
type CycleEnd = (host: ReturnType<typeof agentOf>, cyclesBefore: number) => boolean;

/** Triggers one cycle of `payer` (by alice), expects it taken, and waits (polling up to `tries` times) until `ended`. */
export async function payerCycle(runtime: MandateRuntime, ended: CycleEnd, tries?: number): Promise<void> {
  const before = agentOf(runtime, 'payer').cycles;
  expect(await runtime.trigger('payer', { kind: 'human', id: 'alice' })).toBe(true);
  await until('the cycle to end', () => ended(agentOf(runtime, 'payer'), before), tries);
}
