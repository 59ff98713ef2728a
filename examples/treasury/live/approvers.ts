import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import {
  Eip3009Authorizations,
  LocalKeystoreSigner,
  SafeMultisig,
  SafePaymentRail,
  type EvmRail,
  type RailSql,
} from 'mandate/actors';
import type { ChainConnection, MandateRuntime } from 'mandate';

/** The example's two human approvers (governance.yaml names them). */
export const APPROVERS = ['treasurer', 'cfo'] as const;

/**
 * The approvers' wallets. Approvers are people who hold their own keys; so that the example can
 * be approved on one machine, its first start creates a local encrypted keystore per approver
 * under `<data>/../approvers/` (`treasurer.json`, its password in `treasurer.password`, both 0600)
 * — sign an approval's Safe transaction with it, or replace the addresses in `approvers.json`
 * with your own wallets' before the first live start.
 */
export async function loadApprovers(dir: string): Promise<Record<string, string>> {
  const index = join(dir, 'approvers.json');
  if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as Record<string, string>;
  mkdirSync(dir, { recursive: true });
  const addresses: Record<string, string> = {};
  for (const name of APPROVERS) {
    const wallet = Wallet.createRandom();
    const password = randomBytes(18).toString('base64url');
    writeFileSync(join(dir, `${name}.password`), `${password}\n`, { mode: 0o600 });
    writeFileSync(join(dir, `${name}.json`), await LocalKeystoreSigner.encrypt(wallet.privateKey, password), {
      mode: 0o600,
    });
    addresses[`human:${name}`] = wallet.address;
  }
  writeFileSync(index, `${JSON.stringify(addresses, null, 2)}\n`);
  return addresses;
}

/**
 * The payables agent's Safe: owners are the agent and the approvers, the threshold is the
 * governance quorum (2). Deployed on first start (same owners and salt → same address after).
 */
export async function ensurePayablesSafe(chain: ChainConnection, approvers: Record<string, string>): Promise<string> {
  const op = chain.operator();
  return SafeMultisig.deploy({
    rpcUrl: chain.eip1193,
    contractNetworks: { [String(chain.chainId)]: chain.contracts.safe },
    chainId: chain.chainId,
    owners: [chain.walletOf('payables'), ...Object.values(approvers)],
    threshold: 2,
    saltNonce: '17',
    send: async (tx) => void (await (await op.sendTransaction(tx)).wait()),
  });
}

/**
 * The payables agent's multisig rail over its Safe, and the kill switch's retraction of the
 * agents' signed-but-unsettled USDC transfer authorizations (EIP-3009).
 */
export async function openPayablesSafe(o: {
  runtime: MandateRuntime;
  chain: ChainConnection;
  sql: RailSql;
  rail: EvmRail;
  safe: { address: string; approvers: Record<string, string> };
  payeeAddress(counterparty: string): string | undefined;
}): Promise<SafePaymentRail> {
  const { runtime, chain } = o;
  const usdc = chain.contracts.tokens.USDC!;
  const multisig = new SafePaymentRail({
    safe: await SafeMultisig.connect({
      rpcUrl: chain.eip1193,
      chainId: chain.chainId,
      safeAddress: o.safe.address,
      killSwitch: runtime.railKillSwitch(),
      contractNetworks: { [String(chain.chainId)]: chain.contracts.safe },
    }),
    safeAddress: o.safe.address,
    chainId: chain.chainId,
    rail: o.rail,
    tokens: { USDC: { address: usdc, decimals: 6 } },
    approvers: o.safe.approvers,
    payee: async (cp) => o.payeeAddress(cp) ?? Promise.reject(new Error(`no address for payee ${cp} in payees.yaml`)),
  });
  const authorizations = new Eip3009Authorizations({
    sql: o.sql,
    provider: chain.provider(),
    chainId: chain.chainId,
    token: { address: usdc, name: 'USD Coin', version: '2' },
    killSwitch: runtime.railKillSwitch(),
  });
  runtime.addRetractor('eip3009-usdc', (covers) =>
    authorizations.retract(covers, { signerOf: (id) => chain.wallets.forAgent(id), sender: chain.operator() }),
  );
  return multisig;
}
