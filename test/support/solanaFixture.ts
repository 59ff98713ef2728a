/**
 * The Solana rail tests' fixture: LiteSVM behind {@link LiteSvmRpcServer}, a USDC-like SPL mint
 * (6 decimals) with 1,000,000 minted to a funded payer, a fresh rails database, and a factory for
 * {@link SolanaRail}s that reach the chain only through `@solana/kit`'s RPC client.
 */
import {
  address,
  appendTransactionMessageInstructions,
  createDefaultRpcTransport,
  createSolanaRpcFromTransport,
  createTransactionMessage,
  generateKeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type KeyPairSigner,
  type RpcTransport,
} from '@solana/kit';
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMintInstruction,
  getMintSize,
  getMintToInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from '@solana-program/token';
import { FailedTransactionMetadata } from 'litesvm';
import { SolanaRail, type SolanaRailOptions } from '../../actors/rails/solana/SolanaRail.ts';
import { createRailTestDatabase, type RailTestDatabase } from './evmDatabase.ts';
import { TestKillSwitch } from './evmFixture.ts';
import { LiteSvmRpcServer } from './liteSvmRpcServer.ts';

/** The cluster id the fixture's rails use (LiteSVM has no genesis hash; any 32 base58 characters do). */
export const TEST_CLUSTER = 'LiteSVM1111111111111111111111111';

/** What happens to `sendTransaction` on a faulty transport. */
export type SendFault = 'lost-before' | 'lost-after';

/** LiteSVM + RPC server + database + mint. */
export interface SolanaFixture extends AsyncDisposable {
  readonly server: LiteSvmRpcServer;
  readonly db: RailTestDatabase;
  readonly mint: Address;
  readonly payer: KeyPairSigner;
  /** Token balance (base units) of `owner`'s associated token account; 0 when it has none. */
  tokenBalance(owner: string): Promise<bigint>;
  /** A kit transport to the server; with `fault`, every `sendTransaction` is lost (before or after reaching it). */
  transport(fault?: SendFault): RpcTransport;
  /** A rail paying from the payer; options override the defaults. */
  rail(overrides?: Partial<SolanaRailOptions>): SolanaRail;
  close(): Promise<void>;
}

/** Starts everything the Solana rail tests need. */
export async function startSolanaFixture(): Promise<SolanaFixture> {
  const server = await LiteSvmRpcServer.start();
  const svm = server.svm;
  const payer = await generateKeyPairSigner();
  const mint = await generateKeyPairSigner();
  svm.airdrop(payer.address, lamports(10_000_000_000n));
  const run = async (instructions: Instruction[]): Promise<void> => {
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const result = svm.sendTransaction(await signTransactionMessageWithSigners(message));
    if (result instanceof FailedTransactionMetadata)
      throw new Error(`fixture transaction failed: ${result.toString()}`);
  };
  const space = BigInt(getMintSize());
  await run([
    getCreateAccountInstruction({
      payer,
      newAccount: mint,
      lamports: svm.minimumBalanceForRentExemption(space),
      space,
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeMintInstruction({ mint: mint.address, decimals: 6, mintAuthority: payer.address }),
  ]);
  const ata = async (owner: Address) =>
    (await findAssociatedTokenPda({ owner, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS }))[0];
  const payerAta = await ata(payer.address);
  await run([
    getCreateAssociatedTokenIdempotentInstruction({ payer, owner: payer.address, mint: mint.address, ata: payerAta }),
    getMintToInstruction({ mint: mint.address, token: payerAta, mintAuthority: payer, amount: 1_000_000_000_000n }),
  ]);
  const db = await createRailTestDatabase('mandate_solana');
  const http = createDefaultRpcTransport({ url: server.url });
  const transport =
    (fault?: SendFault): RpcTransport =>
    async (request) => {
      if (fault !== undefined && (request.payload as { method?: string }).method === 'sendTransaction') {
        if (fault === 'lost-after') await http(request);
        throw new Error('socket hang up (process killed)');
      }
      return http(request);
    };
  const close = async (): Promise<void> => {
    await db.close();
    await server.close();
  };
  return {
    server,
    db,
    mint: mint.address,
    payer,
    async tokenBalance(owner) {
      const account = svm.getAccount(await ata(address(owner)));
      return account.exists ? Buffer.from(account.data).readBigUInt64LE(64) : 0n;
    },
    transport,
    rail: (overrides = {}) =>
      new SolanaRail({
        sql: db.sql,
        rpc: createSolanaRpcFromTransport(transport()),
        cluster: TEST_CLUSTER,
        signer: payer,
        killSwitch: new TestKillSwitch(),
        agentId: 'agent-treasurer',
        assets: { USDC: { kind: 'spl', mint: mint.address, decimals: 6 } },
        pollIntervalMs: 10,
        ...overrides,
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
