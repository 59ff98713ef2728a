import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Wallet, parseEther } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { mandateArtifacts } from '../../contracts/index.ts';
import { EmbeddedChain } from './EmbeddedChain.ts';
import { openChain } from './openChain.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mandate-chain-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('EmbeddedChain', () => {
  it('embedded chain - state, receipts and block hashes survive a restart (the block log is replayed)', async () => {
    const dir = tempDir();
    const payer = Wallet.createRandom();
    let chain = await EmbeddedChain.open({ dir, balances: { [payer.address]: parseEther('10') } });
    const to = Wallet.createRandom().address;
    const sent = await payer.connect(chain.provider()).sendTransaction({ to, value: parseEther('1') });
    const receipt = (await sent.wait())!;
    await chain.close();

    chain = await EmbeddedChain.open({ dir });
    const p = chain.provider();
    expect(chain.replayed).toBe(1);
    expect(await p.getBalance(to)).toBe(parseEther('1'));
    const again = await p.getTransactionReceipt(sent.hash);
    expect(again?.blockHash).toBe(receipt.blockHash);
    expect(again?.status).toBe(1);
    // New blocks continue the same chain.
    await (await payer.connect(p).sendTransaction({ to, value: 1n })).wait();
    expect(chain.head.n).toBe(2);
    await chain.close();
  });

  it('embedded chain - a torn last line (never acknowledged) is cut off; methods that bypass the log are refused', async () => {
    const dir = tempDir();
    const payer = Wallet.createRandom();
    let chain = await EmbeddedChain.open({ dir, balances: { [payer.address]: parseEther('10') } });
    await (await payer.connect(chain.provider()).sendTransaction({ to: payer.address, value: 1n })).wait();
    await expect(chain.request({ method: 'hardhat_setBalance', params: [payer.address, '0x1'] })).rejects.toMatchObject(
      {
        code: 'MANDATE_ERR_CHAIN_METHOD',
      },
    );
    await expect(chain.request({ method: 'evm_revert', params: ['0x1'] })).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAIN_METHOD',
    });
    await chain.close();
    appendFileSync(join(dir, 'blocks.jsonl'), '{"n":2,"ts":1,"ha');
    chain = await EmbeddedChain.open({ dir });
    expect(chain.replayed).toBe(1);
    expect(readFileSync(join(dir, 'blocks.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
    await chain.close();
  });

  it('embedded chain - an edited block log is refused with MANDATE_ERR_CHAIN_REPLAY', async () => {
    const dir = tempDir();
    const payer = Wallet.createRandom();
    const chain = await EmbeddedChain.open({ dir, balances: { [payer.address]: parseEther('10') } });
    await (await payer.connect(chain.provider()).sendTransaction({ to: payer.address, value: 1n })).wait();
    await chain.close();
    const path = join(dir, 'blocks.jsonl');
    const block = JSON.parse(readFileSync(path, 'utf8')) as { ts: number };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, `${JSON.stringify({ ...block, ts: block.ts + 5 })}\n`);
    await expect(EmbeddedChain.open({ dir })).rejects.toMatchObject({ code: 'MANDATE_ERR_CHAIN_REPLAY' });
  });

  it('embedded chain - the first start deploys the contracts; the second finds them', async () => {
    const dir = tempDir();
    const seed = `0x${'5a'.repeat(32)}`;
    const feeds = { EURUSD: { decimals: 8, initial: '1.085', description: 'EUR / USD' } };
    const first = await openChain({ dir, seed, feeds, env: {} });
    expect(first.firstStart).toBe(true);
    expect(Object.keys(first.contracts.tokens).sort()).toEqual(['EURC', 'USDC']);
    const usdc = new Contract(
      first.contracts.tokens.USDC!,
      mandateArtifacts.StableToken.abi as never,
      first.operator(),
    );
    const agent = await first.wallets.forAgent('payables').getAddress();
    await (await usdc.getFunction('mint')(agent, 5_000_000n)).wait();
    await first.close();
    const second = await openChain({ dir, seed, feeds, env: {} });
    expect(second.firstStart).toBe(false);
    expect(second.contracts).toEqual(first.contracts);
    const read = new Contract(
      second.contracts.tokens.USDC!,
      mandateArtifacts.StableToken.abi as never,
      second.provider(),
    );
    expect(await read.getFunction('balanceOf')(agent)).toBe(5_000_000n);
    expect(await read.getFunction('decimals')()).toBe(6n);
    expect(second.description).toMatch(/embedded EVM/);
    await second.close();
  });
});
