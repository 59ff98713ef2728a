import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, parseUnits } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { GovernancePolicy } from 'mandate/actors';
import { mandateArtifacts } from 'mandate/contracts';
import { createRuntime, openChain } from 'mandate';
import { paymentStory } from '../../gateway/paymentStory.ts';
import { openStore } from '../../runtime/persistence/index.ts';
import { setup } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'mandate-commerce-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const governance = GovernancePolicy.fromYaml(
  readFileSync(join(import.meta.dirname, 'governance.yaml'), 'utf8'),
  () => undefined,
).config;

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
}

describe('commerce example', () => {
  it('commerce live - buys the rate once and pays once, converts with the MCP tool, is refused the purchase over budget; audit verifies', async () => {
    const dataDir = join(root, 'live');
    const store = await openStore({ dataDir, env: {} });
    const chain = await openChain({ dir: join(root, 'chain'), seed: await store.walletSeed(), env: {} });
    const runtime = await createRuntime({ mode: 'live', store, chain, governance });
    const system = await setup(runtime, { chain, sellerPort: 0 });
    try {
      await until(() => system.book.depth.status !== 'none', 40_000);
      expect(system.book.rate).toEqual({ status: 'succeeded', value: '1.0842' });
      expect(JSON.parse(system.book.converted ?? 'null')).toMatchObject({ text: '1000 EUR is 1084.20 USD at 1.0842' });
      expect(system.rates.calls()).toBe(1);
      // 2 USDC is over the buyer's 1 USDC per purchase (scaled down further by its trust score): refused before signing.
      expect(system.book.depth).toMatchObject({
        status: 'denied',
        code: 'MANDATE_ERR_PROPOSAL_DENIED',
        reason: expect.stringMatching(/2(\.0)? USDC exceeds the trust-scaled limit/),
      });
      expect(system.settlements).toHaveLength(1);
      const usdc = new Contract(
        chain.contracts.tokens.USDC!,
        mandateArtifacts.StableToken.abi as never,
        chain.provider(),
      );
      expect(await usdc.getFunction('balanceOf')(chain.walletOf('data-seller'))).toBe(parseUnits('0.05', 6));
      const audit = runtime.store!.audit!;
      const paid = await audit.query({ agent: 'buyer', action: 'agent.x402.pay.*', limit: 10 });
      expect(paid.entries.map((e) => e.action).sort()).toEqual(['agent.x402.pay.denied', 'agent.x402.pay.succeeded']);
      const tools = await audit.query({ agent: 'buyer', action: 'agent.mcp.tool.call.*', limit: 10 });
      expect(tools.entries.map((e) => e.action)).toEqual(['agent.mcp.tool.call.succeeded']);
      expect((await audit.verify()).ok).toBe(true);
      // The payment page's data: the day's purchase under its key, settled, with its audit entries.
      const story = await paymentStory(runtime, `eurusd:${new Date().toISOString().slice(0, 10)}`);
      expect(story.intent?.status).toBe('succeeded');
      expect(story.audit.map((e) => e.action)).toContain('agent.x402.pay.succeeded');
    } finally {
      await runtime.shutdown();
      await system.close();
      await chain.close();
    }
  }, 60_000);

  it('commerce dry-run - the purchase is recorded as would-have-sent, nothing is signed, settled or called; over budget is still refused', async () => {
    const runtime = await createRuntime({ mode: 'dry-run', governance });
    const system = await setup(runtime, { sellerPort: 0 });
    try {
      await until(() => system.book.depth.status !== 'none', 20_000);
      expect(system.book.rate).toEqual({ status: 'would-have-sent' });
      expect(system.book.converted).toBeUndefined();
      expect(system.book.depth).toMatchObject({ status: 'denied', code: 'MANDATE_ERR_PROPOSAL_DENIED' });
      expect(system.settlements).toEqual([]);
      expect(system.rates.calls()).toBe(0);
    } finally {
      await runtime.shutdown();
      await system.close();
    }
  }, 30_000);
});
