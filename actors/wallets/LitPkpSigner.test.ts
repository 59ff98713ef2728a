import { Transaction, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LitPkpSigner, litSignatureToHex, type LitPkpClient } from './LitPkpSigner.ts';

/**
 * The Lit network is unreachable from the development machines. These tests cover what does
 * not need it; `pkpSign` answers below come from a local secp256k1 key standing in for the
 * PKP, in the exact SigResponse shape the Lit SDK returns.
 */
const pkp = Wallet.createRandom();
const localPkpNetwork = (key = pkp): LitPkpClient => ({
  connect: async () => undefined,
  pkpSign: async ({ toSign }) => {
    const sig = key.signingKey.sign(Uint8Array.from(toSign));
    return {
      r: sig.r.slice(2),
      s: sig.s.slice(2),
      recid: sig.yParity,
      signature: sig.serialized,
      publicKey: key.signingKey.publicKey,
      dataSigned: '',
    };
  },
});

describe('LitPkpSigner', () => {
  it('wallets lit - the address is derived from the PKP public key without the network', async () => {
    const signer = new LitPkpSigner({
      pkpPublicKey: pkp.signingKey.publicKey,
      litNetwork: 'datil-dev',
      getSessionSigs: async () => ({}),
    });
    expect(await signer.getAddress()).toBe(pkp.address);
  });

  it('wallets lit - Lit signature responses become transactions attributed to the PKP address', async () => {
    const sessions: unknown[] = [];
    const signer = new LitPkpSigner({
      pkpPublicKey: pkp.signingKey.publicKey,
      litNetwork: 'datil-dev',
      getSessionSigs: async (c) => (sessions.push(c), { 'node-1': { sig: 'x' } }),
      createClient: async () => localPkpNetwork(),
    });
    const raw = await signer.signTransaction({
      type: 2,
      chainId: 1n,
      nonce: 0,
      to: Wallet.createRandom().address,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
    });
    expect(Transaction.from(raw).from).toBe(pkp.address);
    expect(sessions).toHaveLength(1);
  });

  it('wallets lit - a signature from another key is refused', async () => {
    const other = Wallet.createRandom();
    const signer = new LitPkpSigner({
      pkpPublicKey: pkp.signingKey.publicKey,
      litNetwork: 'datil-dev',
      getSessionSigs: async () => ({}),
      createClient: async () => localPkpNetwork(other),
    });
    await expect(signer.signDigest(`0x${'11'.repeat(32)}`)).rejects.toMatchObject({
      code: 'MANDATE_ERR_WALLET_LIT_SIGNATURE',
    });
    expect(() => litSignatureToHex({ r: 'zz', s: '00', recid: 0 }, `0x${'11'.repeat(32)}`, pkp.address)).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_WALLET_LIT_SIGNATURE' }),
    );
  });

  it('wallets lit - the real SDK is imported lazily and an unreachable network is a coded error', async () => {
    const signer = new LitPkpSigner({
      pkpPublicKey: pkp.signingKey.publicKey,
      litNetwork: 'datil-dev',
      connectTimeoutMs: 3_000,
      getSessionSigs: async () => ({}),
    });
    await expect(signer.signDigest(`0x${'22'.repeat(32)}`)).rejects.toMatchObject({
      code: 'MANDATE_ERR_WALLET_LIT_UNAVAILABLE',
    });
  });
});
