import { describe, expect, it } from 'vitest';
import { feeText, formatUnits, onChainFacts, type ReceiptLike } from './chainReceipt.ts';

const evm: ReceiptLike = {
  kind: 'crypto',
  rail: 'evm:31337',
  reference: '0xb599ac3fe793b2caa9f1a9d86fc0f25cdadbdef32282ff2a7c31721afaea4671',
  status: 'confirmed',
  confirmations: 1,
  reorgs: 0,
  attempts: ['0xb599ac3fe793b2caa9f1a9d86fc0f25cdadbdef32282ff2a7c31721afaea4671'],
  fees: [{ asset: 'native', amount: '52274141665240' }],
  details: { from: '0x6C25DDac22b98B40f1CB4422D9aef3274E72D463', nonce: 0, blockNumber: 35 },
};

describe('payment page - the on-chain part of a receipt', () => {
  it('an EVM payment shows its chain, transaction hash, block, payer and fee in ETH', () => {
    expect(onChainFacts(evm)).toEqual([
      ['chain', 'evm:31337 (the embedded chain)'],
      ['transaction', evm.reference],
      ['block', '35'],
      ['from', '0x6C25DDac22b98B40f1CB4422D9aef3274E72D463'],
      ['confirmations', '1'],
      ['network fee', '0.00005227414166524 ETH'],
    ]);
  });

  it('a replaced, reorged transaction names the attempts it replaced; a pending one says it is not mined', () => {
    const facts = onChainFacts({
      ...evm,
      status: 'submitted',
      reorgs: 1,
      attempts: ['0xaa', evm.reference!],
      details: { from: '0x1' },
    });
    expect(facts).toContainEqual(['block', 'not mined yet']);
    expect(facts).toContainEqual(['reorgs survived', '1']);
    expect(facts).toContainEqual(['replaced attempts', '0xaa']);
  });

  it('a Solana payment shows its signature and slot and the fee in SOL', () => {
    const facts = onChainFacts({
      ...evm,
      rail: 'solana:localnet',
      reference: '5sig',
      fees: [{ asset: 'native', amount: '5000' }],
      details: { slot: 12 },
    });
    expect(facts).toContainEqual(['signature', '5sig']);
    expect(facts).toContainEqual(['slot', '12']);
    expect(facts).toContainEqual(['network fee', '0.000005 SOL']);
  });

  it('fiat receipts and dry-runs have no on-chain part', () => {
    expect(onChainFacts({ ...evm, kind: 'fiat', rail: 'sandbox-bank' })).toBeNull();
    expect(onChainFacts({ ...evm, status: 'would-have-sent' })).toBeNull();
    expect(onChainFacts(null)).toBeNull();
  });

  it('an outcome’s native fee reads in the chain’s unit; other fees as given', () => {
    expect(feeText({ value: '52274141665240', asset: 'native' }, 'evm:31337')).toBe('0.00005227414166524 ETH');
    expect(feeText({ value: '5000', asset: 'native' }, 'solana:devnet')).toBe('0.000005 SOL');
    expect(feeText({ value: '0.25', asset: 'EUR' }, 'open-banking:sandbox')).toBe('0.25 EUR');
    expect(feeText({ value: '12', asset: 'native' }, undefined)).toBe('12 native');
  });

  it('formatUnits keeps every digit of base units', () => {
    expect(formatUnits('1000000', 6)).toBe('1');
    expect(formatUnits('1', 18)).toBe('0.000000000000000001');
    expect(formatUnits('123456789', 3)).toBe('123456.789');
  });
});

describe('payment page - a receipt of another shape', () => {
  it('is not shown as on chain', () => {
    expect(onChainFacts({ kind: 'crypto', rail: 'evm:1' })).toBeNull();
    expect(onChainFacts('0xabc')).toBeNull();
  });
});
