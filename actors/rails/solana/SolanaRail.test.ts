import { createSolanaRpcFromTransport, generateKeyPairSigner, type TransactionSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpendingLimits } from '../../limits/SpendingLimits.ts';
import { createPaymentExecutor } from '../createPaymentExecutor.ts';
import { startSolanaFixture, TEST_CLUSTER, type SolanaFixture } from '../../../test/support/solanaFixture.ts';
import { TestKillSwitch } from '../../../test/support/evmFixture.ts';
import { TEST_COUNTERPARTY_KEY } from '../../../test/support/counterpartyKey.ts';

let fx: SolanaFixture;
let seq = 0;
const key = (label: string): string => `sol-${label}-${++seq}-${Date.now()}`;
const payee = async (): Promise<string> => (await generateKeyPairSigner()).address;
const usdc = (k: string, to: string, amount = '12.5') => ({
  kind: 'crypto',
  idempotencyKey: k,
  agentId: 'agent-treasurer',
  asset: 'USDC',
  amount,
  to,
  chain: `solana:${TEST_CLUSTER}`,
});
const sends = (): number => fx.server.calls.filter((m) => m === 'sendTransaction').length;

beforeAll(async () => {
  fx = await startSolanaFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('SolanaRail', () => {
  it('solana - pays SPL USDC once, creating the payee token account, with the signature as reference', async () => {
    const rail = fx.rail();
    const to = await payee();
    const receipt = await rail.sendCrypto(usdc(key('pay'), to));
    expect(receipt.status).toBe('confirmed');
    expect(receipt.rail).toBe(`solana:${TEST_CLUSTER}`);
    expect(receipt.reference).toMatch(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/);
    expect(receipt.attempts).toEqual([receipt.reference]);
    expect(receipt.details['accountCreated']).toBe(true);
    expect(BigInt(receipt.fees[0]!.amount)).toBe(5_000n);
    expect(await fx.tokenBalance(to)).toBe(12_500_000n);
    // The payee's account now exists: the next payment does not pay rent for it again.
    const second = await rail.sendCrypto(usdc(key('pay-again'), to, '1'));
    expect(second.details['accountCreated']).toBe(false);
    expect(await fx.tokenBalance(to)).toBe(13_500_000n);
  });

  it('solana - the payment executor routes a solana: intent to the Solana rail and an EVM one elsewhere', async () => {
    const pay = createPaymentExecutor({ crypto: { solana: fx.rail() } });
    const to = await payee();
    expect((await pay.sendCrypto(usdc(key('routed'), to, '1'))).status).toBe('confirmed');
    expect(await fx.tokenBalance(to)).toBe(1_000_000n);
    const { chain: _chain, ...evmIntent } = usdc(key('routed-evm'), to, '1');
    await expect(pay.sendCrypto(evmIntent)).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_UNSUPPORTED' });
  });

  it('solana - the same key returns the first receipt without paying again; other parameters conflict', async () => {
    const rail = fx.rail();
    const to = await payee();
    const k = key('idem');
    const first = await rail.sendCrypto(usdc(k, to, '3'));
    const before = sends();
    const again = await fx.rail().sendCrypto(usdc(k, to, '3'));
    expect(again).toEqual(first);
    expect(sends()).toBe(before);
    expect(await fx.tokenBalance(to)).toBe(3_000_000n);
    await expect(rail.sendCrypto(usdc(k, to, '4'))).rejects.toMatchObject({ code: 'MANDATE_ERR_IDEMPOTENCY_CONFLICT' });
  });

  it('solana - concurrent calls with the same key from separate rail instances sign once and pay once', async () => {
    const to = await payee();
    const intent = usdc(key('race'), to, '4');
    const receipts = await Promise.all([fx.rail(), fx.rail(), fx.rail()].map((rail) => rail.sendCrypto(intent)));
    expect(new Set(receipts.map((r) => r.reference)).size).toBe(1);
    expect(receipts.every((r) => r.status === 'confirmed' && r.attempts.length === 1)).toBe(true);
    expect(await fx.tokenBalance(to)).toBe(4_000_000n);
  });

  it('solana - a crash between send and confirm is reconciled by signature status: paid once, even after the blockhash expired', async () => {
    const to = await payee();
    const k = key('crash');
    // The node receives the transaction, but the process dies before it hears back.
    const dying = fx.rail({ rpc: createSolanaRpcFromTransport(fx.transport('lost-after')) });
    await expect(dying.sendCrypto(usdc(k, to, '7'))).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_BROADCAST' });
    expect(await fx.tokenBalance(to)).toBe(7_000_000n);
    fx.server.expireBlockhash();
    const [recovered] = (await fx.rail().recover()).filter((r) => r.idempotencyKey === k);
    expect(recovered!.status).toBe('confirmed');
    expect(recovered!.attempts).toHaveLength(1);
    expect(await fx.tokenBalance(to)).toBe(7_000_000n);
    expect((await fx.rail().sendCrypto(usdc(k, to, '7'))).reference).toBe(recovered!.reference);
  });

  it('solana - bytes stored but never sent are sent by recovery with the same signature', async () => {
    const to = await payee();
    const k = key('unsent');
    const dying = fx.rail({ rpc: createSolanaRpcFromTransport(fx.transport('lost-before')) });
    await expect(dying.sendCrypto(usdc(k, to, '2'))).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_BROADCAST' });
    expect(await fx.tokenBalance(to)).toBe(0n);
    const signed = await dying.receipt(k);
    const rail = fx.rail();
    await rail.recover();
    const receipt = await rail.waitForFinal(k);
    expect(receipt.status).toBe('confirmed');
    expect(receipt.reference).toBe(signed.reference);
    expect(await fx.tokenBalance(to)).toBe(2_000_000n);
  });

  it('solana - an expired blockhash that never landed is re-signed with a fresh one, and paid once', async () => {
    const to = await payee();
    const k = key('expired');
    const dying = fx.rail({ rpc: createSolanaRpcFromTransport(fx.transport('lost-before')) });
    await expect(dying.sendCrypto(usdc(k, to, '5'))).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_BROADCAST' });
    const signed = await dying.receipt(k);
    const first = signed.reference!;
    fx.server.expireBlockhash();
    // The stale bytes can no longer land: a validator drops them.
    const receipt = await fx.rail().waitForFinal(k);
    expect(receipt.status).toBe('confirmed');
    expect(receipt.attempts).toHaveLength(2);
    expect(receipt.attempts[0]).toBe(first);
    expect(receipt.reference).toBe(receipt.attempts[1]);
    expect(receipt.details['blockhash']).not.toBe(signed.details['blockhash']);
    expect(Number(receipt.details['lastValidBlockHeight'])).toBeGreaterThan(
      Number(signed.details['lastValidBlockHeight']),
    );
    expect(await fx.tokenBalance(to)).toBe(5_000_000n);
  });

  it('solana - insufficient token balance is refused before signing with a coded error', async () => {
    const rail = fx.rail();
    const before = sends();
    const receipt = await rail.sendCrypto(usdc(key('broke'), await payee(), '2000000'));
    expect(receipt.status).toBe('failed');
    expect(receipt.failure?.code).toBe('MANDATE_ERR_RAIL_PREFLIGHT');
    expect(receipt.failure?.message).toMatch(/insufficient funds/);
    expect(receipt.attempts).toEqual([]);
    expect(sends()).toBe(before);
  });

  it('solana - a limit breach is refused before signing; the budget is left untouched', async () => {
    const limits = new SpendingLimits({
      sql: fx.db.sql,
      rules: [{ scope: 'agent:agent-treasurer', window: 'transaction', unit: 'native', asset: 'USDC', max: '10' }],
      assetDecimals: { USDC: 6 },
      referenceDecimals: 6,
      counterpartyKey: TEST_COUNTERPARTY_KEY,
    });
    let signatures = 0;
    const counting: TransactionSigner = {
      address: fx.payer.address,
      signTransactions: (txs, config) => {
        signatures += txs.length;
        return fx.payer.signTransactions(txs, config);
      },
    };
    const rail = fx.rail({ limits, signer: counting });
    const to = await payee();
    const refused = await rail.sendCrypto(usdc(key('limit'), to, '10.000001'));
    expect(refused.status).toBe('failed');
    expect(refused.failure?.code).toBe('MANDATE_ERR_LIMIT_EXCEEDED');
    expect(signatures).toBe(0);
    const paid = await rail.sendCrypto(usdc(key('limit-ok'), to, '10'));
    expect(paid.status).toBe('confirmed');
    expect(signatures).toBe(1);
    expect(await fx.tokenBalance(to)).toBe(10_000_000n);
  });

  it('solana - dry-run checks and signs but sends nothing and answers would-have-sent', async () => {
    const to = await payee();
    const before = sends();
    const receipt = await fx.rail({ dryRun: true }).sendCrypto(usdc(key('dry'), to, '3'));
    expect(receipt.status).toBe('would-have-sent');
    expect(receipt.reference).toMatch(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/);
    expect(sends()).toBe(before);
    expect(await fx.tokenBalance(to)).toBe(0n);
    const broke = await fx.rail({ dryRun: true }).sendCrypto(usdc(key('dry-broke'), to, '2000000'));
    expect(broke.failure?.code).toBe('MANDATE_ERR_RAIL_PREFLIGHT');
  });

  it('solana - the kill switch refuses to sign; malformed and misrouted intents are coded errors', async () => {
    const killSwitch = new TestKillSwitch();
    killSwitch.engaged = true;
    const halted = await fx.rail({ killSwitch }).sendCrypto(usdc(key('kill'), await payee()));
    expect(halted.failure?.code).toBe('MANDATE_ERR_WALLET_SIGNING_HALTED');
    const rail = fx.rail();
    await expect(rail.sendCrypto(usdc(key('bad'), '0x000000000000000000000000000000000000dEaD'))).rejects.toMatchObject(
      {
        code: 'MANDATE_ERR_RAIL_INTENT_INVALID',
      },
    );
    await expect(rail.sendCrypto(usdc(key('bad'), await payee(), '0.0000001'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_INTENT_INVALID',
    });
    await expect(
      rail.sendCrypto({ ...usdc(key('bad'), await payee()), chain: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_UNSUPPORTED' });
    await expect(rail.sendCrypto({ ...usdc(key('bad'), await payee()), asset: 'BONK' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_UNSUPPORTED',
    });
  });
});
