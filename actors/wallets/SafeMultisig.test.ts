import { Contract, Interface, NonceManager, parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTestContracts } from '../../test/support/evmContracts.ts';
import { startRailFixture, TestKillSwitch, type RailFixture } from '../../test/support/evmFixture.ts';
import { createTestSafe, deploySafeContracts, type SafeContractNetwork } from '../../test/support/evmSafe.ts';
import { LocalKeystoreSigner } from './LocalKeystoreSigner.ts';
import { SafeMultisig } from './SafeMultisig.ts';

let fx: RailFixture;
let contracts: SafeContractNetwork;
let safeAddress: string;
const ownerIdx = [5, 6, 7];
const agent = (i: number) => ({
  agentId: `agent-${i}`,
  signer: LocalKeystoreSigner.fromPrivateKey(fx.node.accounts[i]!.privateKey),
});
const ERC20 = new Interface(['function transfer(address,uint256) returns (bool)']);

beforeAll(async () => {
  fx = await startRailFixture(4); // account 4 executes (pays gas) through the EVM rail
  const deployer = new NonceManager(fx.node.wallet(0));
  contracts = await deploySafeContracts(deployer);
  safeAddress = await createTestSafe({
    rpcUrl: fx.node.url,
    chainId: fx.node.chainId,
    contracts,
    owners: ownerIdx.map((i) => fx.node.accounts[i]!.address),
    threshold: 2,
    deployerKey: fx.node.accounts[0]!.privateKey,
    deployer,
  });
  const usdc = new Contract(fx.usdc, compileTestContracts()['TestUSDC']!.abi, deployer);
  await (await usdc.getFunction('mint')(safeAddress, parseUnits('1000', 6))).wait();
});
afterAll(async () => {
  await fx?.close();
});

const connect = (killSwitch = new TestKillSwitch()) =>
  SafeMultisig.connect({
    rpcUrl: fx.node.url,
    chainId: fx.node.chainId,
    safeAddress,
    killSwitch,
    contractNetworks: { [String(fx.node.chainId)]: { ...contracts } },
  });

describe('SafeMultisig', () => {
  it('multisig - an agent proposes, a second owner co-signs, and the EVM rail executes once at the threshold', async () => {
    const safe = await connect();
    expect((await safe.policy()).threshold).toBe(2);
    const to = Wallet.createRandom().address;
    let proposal = await safe.propose(
      { to: fx.usdc, value: 0n, data: ERC20.encodeFunctionData('transfer', [to, parseUnits('25', 6)]) },
      agent(5),
    );
    expect(Object.keys(proposal.signatures)).toHaveLength(1);
    expect(await safe.isExecutable(proposal)).toBe(false);
    await expect(safe.executionCall(proposal)).rejects.toMatchObject({ code: 'MANDATE_ERR_MULTISIG_THRESHOLD' });
    proposal = await safe.confirm(JSON.parse(JSON.stringify(proposal)), agent(6)); // proposals survive JSON
    expect(await safe.isExecutable(proposal)).toBe(true);
    const rail = await fx.rail();
    const intent = {
      kind: 'call' as const,
      idempotencyKey: `safe-exec-${proposal.safeTxHash}`,
      agentId: 'agent-5',
      supervisorIds: [],
      to: safeAddress,
      value: '0',
      data: '0x',
      purpose: `execute Safe tx ${proposal.safeTxHash}`,
    };
    const exec = async () => rail.execute(intent, { build: () => safe.executionCall(proposal) });
    const receipt = await exec();
    expect(receipt.status).toBe('confirmed');
    expect(await fx.usdcBalance(to)).toBe(25_000_000n);
    expect((await exec()).reference).toBe(receipt.reference);
    expect(await fx.usdcBalance(to)).toBe(25_000_000n);
  });

  it('multisig - a human owner signature from outside is accepted; non-owners and altered proposals are refused', async () => {
    const safe = await connect();
    const proposal = await safe.propose({ to: Wallet.createRandom().address, value: 0n, data: '0x' }, agent(5));
    const human = new Wallet(fx.node.accounts[7]!.privateKey);
    const signed = await safe.addSignature(
      proposal,
      human.address,
      human.signingKey.sign(proposal.safeTxHash).serialized,
    );
    expect(await safe.isExecutable(signed)).toBe(true);
    const stranger = Wallet.createRandom();
    await expect(
      safe.addSignature(proposal, stranger.address, stranger.signingKey.sign(proposal.safeTxHash).serialized),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_MULTISIG_SIGNATURE' });
    await expect(
      safe.addSignature(proposal, human.address, stranger.signingKey.sign(proposal.safeTxHash).serialized),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_MULTISIG_SIGNATURE' });
    const altered = { ...signed, transaction: { ...signed.transaction, to: stranger.address } };
    await expect(safe.executionCall(altered)).rejects.toMatchObject({ code: 'MANDATE_ERR_MULTISIG_SIGNATURE' });
  });

  it('multisig - an agent co-signer under the kill switch does not sign', async () => {
    const killSwitch = new TestKillSwitch();
    const safe = await connect(killSwitch);
    const proposal = await safe.propose({ to: Wallet.createRandom().address, value: 0n, data: '0x' }, agent(5));
    killSwitch.engaged = true;
    await expect(safe.confirm(proposal, agent(6))).rejects.toMatchObject({ code: 'MANDATE_ERR_WALLET_SIGNING_HALTED' });
  });
});
