import { Contract, parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { mandateArtifacts } from '../../contracts/index.ts';
import { createPaymentActuator } from '../../actors/actuators/createPaymentActuator.ts';
import { RulesDecider } from '../../actors/deciders/RulesDecider.ts';
import { createPaymentExecutor } from '../../actors/rails/createPaymentExecutor.ts';
import { SafePaymentRail } from '../../actors/rails/SafePaymentRail.ts';
import { LocalKeystoreSigner } from '../../actors/wallets/LocalKeystoreSigner.ts';
import { SafeMultisig } from '../../actors/wallets/SafeMultisig.ts';
import { createRuntime, defineAgent, type InspectionEvent, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';

const settle = async (rounds = 40) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};
const waitFor = async (what: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Approvers hold their own keys: a local keystore each (they sign in their wallet). */
const alice = Wallet.createRandom();
const bob = Wallet.createRandom();
const carol = Wallet.createRandom();
const payee = Wallet.createRandom().address;

let t: EmbeddedTreasury;
let safeAddress: string;
beforeAll(async () => {
  t = await startEmbeddedTreasury();
  const agent = t.chain.walletOf('payables');
  await t.fund(agent, { usdc: '100' });
  const op = t.chain.operator();
  safeAddress = await SafeMultisig.deploy({
    rpcUrl: t.chain.eip1193,
    contractNetworks: { [String(t.chain.chainId)]: t.chain.contracts.safe },
    chainId: t.chain.chainId,
    owners: [agent, alice.address, bob.address],
    threshold: 2,
    saltNonce: '1',
    send: async (tx) => void (await (await op.sendTransaction(tx)).wait()),
  });
  await t.fund(safeAddress, { usdc: '50000' });
});
afterAll(async () => t?.close());

async function liveRuntime(clock: SimulatedClock): Promise<{ runtime: MandateRuntime; events: InspectionEvent[] }> {
  const runtime = await createRuntime({
    mode: 'live',
    clock,
    chain: t.chain,
    governance: {
      approvalTimeout: 86_400_000,
      groupBudgets: {},
      rules: [
        {
          name: 'large-payment',
          priority: 1,
          conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 10_000 }] },
          effect: 'require-approval',
          reason: 'two signatures',
          quorum: 2,
          approvers: ['human:alice', 'human:bob'],
        },
      ],
    },
  });
  const events: InspectionEvent[] = [];
  runtime.subscribe((e) => events.push(e));
  const rail = await t.rail('payables', { killSwitch: runtime.railKillSwitch() });
  const safe = await SafeMultisig.connect({
    rpcUrl: t.chain.eip1193,
    chainId: t.chain.chainId,
    safeAddress,
    killSwitch: runtime.railKillSwitch(),
    contractNetworks: { [String(t.chain.chainId)]: t.chain.contracts.safe },
  });
  const multisig = new SafePaymentRail({
    safe,
    safeAddress,
    chainId: t.chain.chainId,
    rail,
    tokens: { USDC: { address: t.chain.contracts.tokens.USDC!, decimals: 6 } },
    approvers: { 'human:alice': alice.address, 'human:bob': bob.address },
    payee: async () => payee,
  });
  await runtime.spawn(
    defineAgent({
      id: 'payables',
      capabilities: ['payments.send'],
      permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
      limits: { perTransaction: { USDC: '25000' }, daily: { USDC: '100000' }, maxAttempts: 1 },
      perceive: () => ({ due: true }),
      decide: RulesDecider.fromObject({
        rules: [
          {
            name: 'pay',
            conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
            event: {
              type: 'payment.send',
              capability: 'payments.send',
              account: 'ops',
              amount: { value: '12000.00', asset: 'USDC' },
              counterparty: 'cp-auditor',
              params: {},
            },
          },
        ],
      }),
      act: createPaymentActuator({
        executor: createPaymentExecutor({ crypto: rail }),
        payee: async () => ({ kind: 'crypto', address: payee }),
        multisig,
      }),
    }),
  );
  return { runtime, events };
}

const signerOf = (w: { privateKey: string }) => LocalKeystoreSigner.fromPrivateKey(w.privateKey);

describe('Safe quorum approvals on the embedded chain', () => {
  it('safe quorum - 2 of 3: the approvals are the approvers\u2019 signatures; one is not enough; the agent executes the Safe transaction', async () => {
    const clock = new SimulatedClock();
    clock.set(Date.now());
    const { runtime, events } = await liveRuntime(clock);
    await runtime.trigger('payables', { kind: 'human', id: 'ops' });
    await waitFor(() => runtime.listApprovals('pending').length === 1);
    const approval = runtime.listApprovals('pending')[0]!;
    const request = approval.signatures!.request;
    expect(approval.required).toBe(2);
    expect(request.threshold).toBe(2);
    expect(Object.keys(request.signers).sort()).toEqual(['human:alice', 'human:bob']);
    // Every signer is told, with the transaction to sign.
    const notes = events.filter((e) => e.type === 'alert' && e.code === 'MANDATE_APPROVAL_SIGNATURE_REQUESTED');
    expect(notes).toHaveLength(2);
    expect(notes.map((n) => (n as { message: string }).message).join()).toContain(request.digest);

    // No signature, someone else's signature, or a non-owner's: refused, nothing counted.
    await expect(runtime.approve(approval.id, { kind: 'human', id: 'alice' }, 'ok')).rejects.toMatchObject({
      code: 'MANDATE_ERR_APPROVAL_SIGNATURE',
    });
    const bobSig = await signerOf(bob).signDigest(request.digest);
    await expect(
      runtime.approve(approval.id, { kind: 'human', id: 'alice' }, { signature: bobSig }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_APPROVAL_SIGNATURE' });
    const carolSig = await signerOf(carol).signDigest(request.digest);
    await expect(
      runtime.approve(approval.id, { kind: 'human', id: 'alice' }, { signature: carolSig }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_MULTISIG_SIGNATURE' });

    // Alice signs in her wallet (EIP-712 typed data): counted, but one approver is not enough.
    const aliceSig = await alice.signTypedData(
      request.typedData.domain as never,
      { SafeTx: (request.typedData.types as Record<string, { name: string; type: string }[]>).SafeTx! },
      request.typedData.message as never,
    );
    await runtime.approve(approval.id, { kind: 'human', id: 'alice' }, { reason: 'checked', signature: aliceSig });
    await settle();
    expect(runtime.listApprovals('pending').map((a) => a.id)).toEqual([approval.id]);
    expect(await t.balance('USDC', payee)).toBe(0n);

    await runtime.approve(approval.id, { kind: 'human', id: 'bob' }, { signature: bobSig });
    await waitFor(() => agentOf(runtime, 'payables').context.outcome !== null);
    const outcome = agentOf(runtime, 'payables').context.outcome!;
    expect(outcome.status, JSON.stringify(outcome)).toBe('succeeded');
    expect(await t.balance('USDC', payee)).toBe(parseUnits('12000', 6));
    expect(await t.balance('USDC', safeAddress)).toBe(parseUnits('38000', 6));
    // One record: the verdict's approval, the signatures and the Safe transaction.
    const receipt = outcome.receipt as {
      rail: string;
      reference: string;
      details: Record<string, unknown>;
      approvals: Record<string, { address: string }>;
    };
    expect(receipt.rail).toBe(`safe:${t.chain.chainId}:${safeAddress.toLowerCase()}`);
    expect(receipt.details.safeTxHash).toBe(request.digest);
    expect(Object.keys(receipt.approvals).sort()).toEqual(['human:alice', 'human:bob']);
    expect(agentOf(runtime, 'payables').context.verdict?.approvalId).toBe(approval.id);
    const safeUsdc = new Contract(
      t.chain.contracts.tokens.USDC!,
      mandateArtifacts.StableToken.abi as never,
      t.chain.provider(),
    );
    expect(await safeUsdc.getFunction('balanceOf')(payee)).toBe(parseUnits('12000', 6));
    await runtime.shutdown();
  });

  it('safe quorum - a proposal expires after 24 h; the kill switch withdraws a pending one and refuses new signatures', async () => {
    const clock = new SimulatedClock();
    clock.set(Date.now());
    const { runtime } = await liveRuntime(clock);
    await runtime.trigger('payables', { kind: 'human', id: 'ops' });
    await waitFor(() => runtime.listApprovals('pending').length === 1);
    const first = runtime.listApprovals('pending')[0]!;
    expect(first.expiresAt - first.requestedAt).toBe(86_400_000);
    clock.increment(86_400_000);
    await settle();
    expect(runtime.listApprovals().find((a) => a.id === first.id)?.status).toBe('expired');

    await waitFor(() => agentOf(runtime, 'payables').state === 'idle');
    await runtime.trigger('payables', { kind: 'human', id: 'ops' });
    await waitFor(() => runtime.listApprovals('pending').length === 1);
    const second = runtime.listApprovals('pending')[0]!;
    const aliceSig = await signerOf(alice).signDigest(second.signatures!.request.digest);
    await runtime.approve(second.id, { kind: 'human', id: 'alice' }, { signature: aliceSig });
    const before = await t.balance('USDC', payee);
    await runtime.engageKillSwitch({ agents: ['payables'] }, { kind: 'human', id: 'ops' }, 'incident');
    const withdrawn = runtime.listApprovals().find((a) => a.id === second.id)!;
    expect(withdrawn.status).toBe('rejected');
    expect(withdrawn.decisionReason).toContain('kill switch');
    const bobSig = await signerOf(bob).signDigest(second.signatures!.request.digest);
    await expect(runtime.approve(second.id, { kind: 'human', id: 'bob' }, { signature: bobSig })).rejects.toMatchObject(
      {
        code: 'MANDATE_ERR_STATE_CONFLICT',
      },
    );
    await settle();
    expect(await t.balance('USDC', payee)).toBe(before);
    await runtime.shutdown();
  });
});
