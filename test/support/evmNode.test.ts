import { Contract, NonceManager, parseUnits } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTestContracts, deployTestUsdc } from './evmContracts.ts';
import { startEvmNode, type EvmNode } from './evmNode.ts';

describe('evm test support', () => {
  let node: EvmNode;
  beforeAll(async () => {
    node = await startEvmNode();
  });
  afterAll(async () => {
    await node?.close();
  });

  it('evm support - node serves JSON-RPC on loopback with funded accounts', async () => {
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const p = node.provider();
    expect((await p.getNetwork()).chainId).toBe(31337n);
    expect(await p.getBalance(node.accounts[0]!.address)).toBeGreaterThan(parseUnits('1000', 18));
  });

  it('evm support - TestUSDC compiles with solc-js, has 6 decimals and transfers', async () => {
    expect(Object.keys(compileTestContracts())).toEqual(expect.arrayContaining(['TestUSDC', 'MockV3Aggregator']));
    // NonceManager: ethers caches identical reads for a moment, so back-to-back sends would reuse a nonce.
    const deployer = new NonceManager(node.wallet(0));
    const address = await deployTestUsdc(deployer);
    const usdc = new Contract(address, compileTestContracts()['TestUSDC']!.abi, deployer);
    expect(await usdc.getFunction('decimals')()).toBe(6n);
    await (await usdc.getFunction('mint')(node.accounts[0]!.address, parseUnits('100', 6))).wait();
    await (await usdc.getFunction('transfer')(node.accounts[1]!.address, parseUnits('2.5', 6))).wait();
    expect(await usdc.getFunction('balanceOf')(node.accounts[1]!.address)).toBe(2_500_000n);
  });
});
