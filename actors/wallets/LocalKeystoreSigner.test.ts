import { Transaction, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { guardSigner } from './guardSigner.ts';
import { LocalKeystoreSigner } from './LocalKeystoreSigner.ts';

const key = Wallet.createRandom().privateKey;
const tx = {
  type: 2,
  chainId: 31337n,
  nonce: 3,
  to: Wallet.createRandom().address,
  value: 5n,
  gasLimit: 21_000n,
  maxFeePerGas: 2n,
  maxPriorityFeePerGas: 1n,
  data: '0x',
};

describe('LocalKeystoreSigner', () => {
  it('wallets - decrypts a keystore and signs transactions the chain attributes to its address', async () => {
    const json = await LocalKeystoreSigner.encrypt(key, 'correct horse', 1024);
    expect(JSON.parse(json)).toMatchObject({ version: 3 });
    expect(json).not.toContain(key.slice(2));
    const signer = await LocalKeystoreSigner.fromKeystore(json, 'correct horse');
    expect(await signer.getAddress()).toBe(new Wallet(key).address);
    const signed = Transaction.from(await signer.signTransaction(tx));
    expect(signed.from).toBe(new Wallet(key).address);
    expect(signed.nonce).toBe(3);
  });

  it('wallets - a wrong password or a bad key is a coded error', async () => {
    const json = await LocalKeystoreSigner.encrypt(key, 'right', 1024);
    await expect(LocalKeystoreSigner.fromKeystore(json, 'wrong')).rejects.toMatchObject({
      code: 'MANDATE_ERR_WALLET_KEYSTORE',
    });
    expect(() => LocalKeystoreSigner.fromPrivateKey('0x1234')).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_WALLET_KEYSTORE' }),
    );
  });

  it('wallets - the guarded signer asks the kill switch before every signature', async () => {
    const asked: string[][] = [];
    let engaged = false;
    const signer = guardSigner(LocalKeystoreSigner.fromPrivateKey(key), {
      agentId: 'a1',
      capabilities: ['payments.crypto.send'],
      killSwitch: { isEngaged: async (_id, caps) => (asked.push(caps), engaged) },
    });
    await signer.signTransaction(tx);
    engaged = true;
    await expect(signer.signTransaction(tx)).rejects.toMatchObject({ code: 'MANDATE_ERR_WALLET_SIGNING_HALTED' });
    expect(asked).toEqual([['payments.crypto.send'], ['payments.crypto.send']]);
  });
});
