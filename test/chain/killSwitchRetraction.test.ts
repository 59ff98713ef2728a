import { Contract, parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mandateArtifacts } from '../../contracts/index.ts';
import { Eip3009Authorizations } from '../../actors/wallets/Eip3009Authorizations.ts';
import { createRuntime, defineAgent } from '../../runtime/index.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';

let t: EmbeddedTreasury;
beforeAll(async () => {
  t = await startEmbeddedTreasury();
});
afterAll(async () => t?.close());

describe('kill switch retraction on the embedded chain', () => {
  it('kill switch - an EIP-3009 authorization signed before the kill cannot settle after it; new ones are refused; each item is reported', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    await runtime.spawn(
      defineAgent({
        id: 'payer',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
        limits: { perTransaction: { USDC: '100' }, daily: { USDC: '100' } },
        perceive: () => ({}),
        decide: {
          decide: async () => ({ action: null, confidence: 1, rationale: 'idle', rulesFired: [], model: null }),
        },
      }),
    );
    const payer = t.chain.walletOf('payer');
    await t.fund(payer, { usdc: '500' });
    const usdc = t.chain.contracts.tokens.USDC!;
    const auths = new Eip3009Authorizations({
      sql: t.db.sql,
      provider: t.chain.provider(),
      chainId: t.chain.chainId,
      token: { address: usdc, name: 'USD Coin', version: '2' },
      killSwitch: runtime.railKillSwitch(),
    });
    const signer = t.chain.wallets.forAgent('payer');
    const payee = Wallet.createRandom().connect(t.chain.provider());
    await t.fund(payee.address, {});
    // Two authorizations handed to the payee; it settles the first before the kill.
    const settledFirst = await auths.authorize({
      agentId: 'payer',
      signer,
      to: payee.address,
      value: parseUnits('10', 6),
      validForSeconds: 3600,
    });
    const pending = await auths.authorize({
      agentId: 'payer',
      signer,
      to: payee.address,
      value: parseUnits('20', 6),
      validForSeconds: 3600,
    });
    await (await payee.sendTransaction(auths.settlementCall(settledFirst))).wait();
    expect(await t.balance('USDC', payee.address)).toBe(parseUnits('10', 6));

    const reported: unknown[] = [];
    runtime.addRetractor('eip3009', async (covers) => {
      const items = await auths.retract(covers, {
        signerOf: (id) => t.chain.wallets.forAgent(id),
        sender: t.chain.operator(),
      });
      reported.push(...items);
      return items;
    });
    await runtime.engageKillSwitch({ all: true }, { kind: 'human', id: 'ops' }, 'compromised key suspected');

    expect(reported).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'eip3009-authorization', id: settledFirst.nonce, status: 'settled' }),
        expect.objectContaining({
          kind: 'eip3009-authorization',
          id: pending.nonce,
          status: 'retracted',
          tx: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        }),
      ]),
    );
    const token = new Contract(usdc, mandateArtifacts.StableToken.abi as never, t.chain.provider());
    expect(await token.getFunction('authorizationState')(payer, pending.nonce)).toBe(true);
    // The payee still holds the signed authorization; submitting it now reverts.
    await expect(payee.sendTransaction(auths.settlementCall(pending))).rejects.toThrow(/used or canceled/);
    expect(await t.balance('USDC', payee.address)).toBe(parseUnits('10', 6));
    expect(await auths.unsettled()).toEqual([]);
    // And no new authorization is signed while the switch is engaged.
    await expect(
      auths.authorize({ agentId: 'payer', signer, to: payee.address, value: 1n, validForSeconds: 60 }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_WALLET_SIGNING_HALTED' });
    await runtime.shutdown();
  });
});
