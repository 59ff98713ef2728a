import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Contract,
  type ContractTransactionResponse,
  dataSlice,
  getAddress,
  keccak256,
  parseEther,
  parseUnits,
  toUtf8Bytes,
  Wallet,
} from 'ethers';
import { loadAgentYaml, type ChainConnection, type MandateRuntime } from 'mandate';
import { createRailPool, Eip3009Authorizations, McpClients, pgRailSql, type X402Asset } from 'mandate/actors';
import { mandateArtifacts } from 'mandate/contracts';
import { ErrorCode } from 'mandate/kernel';
import { CommerceSetupError } from './errors.ts';
import { commercePlugins, type BuyerBook } from './plugins.ts';
import { startRatesServer } from './ratesServer.ts';
import { startDataSeller, type Dataset } from './seller.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The USDC the seller asks for in a dry-run, where there is no chain: USDC on Base Sepolia. Nothing is signed or sent to it. */
const DRY_RUN_USDC: X402Asset = {
  chainId: 84532,
  address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  symbol: 'USDC',
  decimals: 6,
};
/** The seller's payee in a dry-run (live: its wallet from the node seed): an address derived from its name, never paid. */
const DRY_RUN_PAYEE = getAddress(dataSlice(keccak256(toUtf8Bytes('mandate:commerce:data-seller')), 12));
const TOKEN = { name: 'USD Coin', version: '2' };

const DATASETS: readonly Dataset[] = [
  {
    path: '/eurusd',
    description: 'EUR/USD spot rate',
    price: '0.05',
    body: () => ({ eurUsd: '1.0842', at: Date.now() }),
  },
  { path: '/depth', description: 'EUR/USD order-book depth', price: '2', body: () => ({ bids: [], asks: [] }) },
];

/** Mints `usdc` whole units to `address` from the operator when it holds less (the embedded chain's test USDC). */
async function fundUsdc(chain: ChainConnection, address: string, usdc: string): Promise<void> {
  const token = new Contract(chain.contracts.tokens.USDC!, mandateArtifacts.StableToken.abi as never, chain.operator());
  const want = parseUnits(usdc, 6);
  if (((await token.getFunction('balanceOf')(address)) as bigint) < want)
    await ((await token.getFunction('mint')(address, want)) as ContractTransactionResponse).wait();
}

/**
 * The seller's port: COMMERCE_SELLER_PORT, default 4402. It is part of each dataset's URL, and so of
 * every purchase's parameters: a restart must find the same URL for the day's purchase to be the one
 * already recorded (an idempotency key names one effect).
 */
function sellerPort(text: string | undefined): number {
  const port = Number(text ?? 4402);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CommerceSetupError(
      `COMMERCE_SELLER_PORT="${text}" is not a port number; give a whole number from 0 to 65535, or unset it for 4402.`,
    );
  return port;
}

/**
 * Sets up the commerce example: an x402 data seller and an MCP server (`convert`), both local and in
 * process, and the buyer agent (agents/buyer.yaml) that buys from one and calls the other under its
 * budget. Live (`--live`), the seller settles on the run's chain through the x402 packages' own
 * facilitator (a fresh key the operator funds with gas), the buyer's wallet is funded with 5 test USDC,
 * and its authorizations are written ahead in the rail database. In a dry-run nothing is signed: the
 * purchase and the tool call are recorded as would-have-sent.
 */
export async function setup(
  runtime: MandateRuntime,
  context: { chain?: ChainConnection; sellerPort?: number } = {},
): Promise<{
  capabilities: ReadonlyMap<string, string>;
  book: BuyerBook;
  settlements: string[];
  rates: { calls(): number };
  close(): Promise<void>;
}> {
  const chain = runtime.mode === 'live' ? context.chain : undefined;
  const port = context.sellerPort ?? sellerPort(process.env.COMMERCE_SELLER_PORT);
  const asset: X402Asset =
    chain === undefined
      ? DRY_RUN_USDC
      : { chainId: chain.chainId, address: chain.contracts.tokens.USDC!, symbol: 'USDC', decimals: 6 };
  let facilitatorKey: `0x${string}` | undefined;
  let authorizations: Eip3009Authorizations | undefined;
  let pool: ReturnType<typeof createRailPool> | undefined;
  if (chain !== undefined) {
    const databaseUrl = runtime.store?.databaseUrl;
    if (databaseUrl === undefined)
      throw new CommerceSetupError(
        'the live commerce example needs a database for its authorizations; run it with the embedded database or DATABASE_URL',
      );
    const facilitator = Wallet.createRandom();
    facilitatorKey = facilitator.privateKey as `0x${string}`;
    await (await chain.operator().sendTransaction({ to: facilitator.address, value: parseEther('1') })).wait();
    await fundUsdc(chain, chain.walletOf('buyer'), '5');
    pool = createRailPool(databaseUrl, {
      onError: (e) =>
        runtime.alert({
          severity: 'warning',
          code: ErrorCode.MANDATE_ERR_STORE_UNAVAILABLE,
          message: `authorization ledger connection lost: ${e.message}`,
        }),
    });
    authorizations = new Eip3009Authorizations({
      sql: pgRailSql(pool),
      provider: chain.provider(),
      chainId: chain.chainId,
      token: { address: asset.address, ...TOKEN },
      killSwitch: runtime.railKillSwitch(),
    });
    const live = authorizations;
    // The kill switch cancels the buyer's outstanding authorizations on chain.
    runtime.addRetractor('eip3009-commerce', (covers) =>
      live.retract(covers, { signerOf: (id) => chain.wallets.forAgent(id), sender: chain.operator() }),
    );
  }
  const seller = await startDataSeller({
    asset,
    token: TOKEN,
    payTo: chain?.walletOf('data-seller') ?? DRY_RUN_PAYEE,
    datasets: DATASETS,
    port,
    ...(chain === undefined ? {} : { chain }),
    ...(facilitatorKey === undefined ? {} : { facilitatorKey }),
  });
  const rates = await startRatesServer();
  const mcp = McpClients.fromSpec({ servers: { rates: { url: rates.url, timeout: '10s' } } });
  const book: BuyerBook = { rate: { status: 'none' }, depth: { status: 'none' } };
  const plugins = commercePlugins({
    seller,
    asset,
    mcp,
    book,
    ...(authorizations === undefined ? {} : { authorizations }),
    ...(chain === undefined ? {} : { chain }),
  });
  await runtime.spawn(await loadAgentYaml(join(here, 'agents', 'buyer.yaml'), plugins));
  return {
    capabilities: plugins.capabilities(),
    book,
    settlements: seller.settlements,
    rates,
    close: async () => {
      await mcp.close();
      await rates.close();
      await seller.close();
      await pool?.end();
    },
  };
}
