import { describe, expect, it } from 'vitest';
import { createPaymentExecutor } from './createPaymentExecutor.ts';
import type { CryptoRail } from './Rail.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';

const rail = (name: string, seen: string[]): CryptoRail => ({
  async sendCrypto(intent) {
    seen.push(`${name}:${(intent as { idempotencyKey: string }).idempotencyKey}`);
    return { rail: name } as unknown as PaymentReceipt;
  },
});

describe('createPaymentExecutor', () => {
  it('payment executor - sendCrypto routes by the CAIP-2 namespace of the intent chain; a family without a rail is refused with a code', async () => {
    const seen: string[] = [];
    const byFamily = createPaymentExecutor({ crypto: { eip155: rail('evm', seen), solana: rail('sol', seen) } });
    await byFamily.sendCrypto({ idempotencyKey: 'k-evm-default' });
    await byFamily.sendCrypto({ idempotencyKey: 'k-evm', chain: 'eip155:31337' });
    await byFamily.sendCrypto({ idempotencyKey: 'k-sol', chain: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' });
    expect(seen).toEqual(['evm:k-evm-default', 'evm:k-evm', 'sol:k-sol']);
    const evmOnly = createPaymentExecutor({ crypto: rail('evm', seen) });
    await expect(evmOnly.sendCrypto({ idempotencyKey: 'k', chain: 'solana:x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_UNSUPPORTED',
    });
  });
});
