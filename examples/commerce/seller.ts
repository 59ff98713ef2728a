import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@x402/core/http';
import { x402Facilitator } from '@x402/core/facilitator';
import type { PaymentRequirements } from '@x402/core/types';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import { createWalletClient, custom, defineChain, publicActions, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ChainConnection } from 'mandate';
import type { X402Asset } from 'mandate/actors';

/** One dataset for sale: its path, price (decimal, in the asset) and what a paid request returns. */
export interface Dataset {
  readonly path: string;
  readonly description: string;
  readonly price: string;
  readonly body: () => Record<string, unknown>;
}

/** The running seller. */
export interface DataSeller {
  /** The URL of each dataset, by path. */
  urlOf(path: string): string;
  /** Transactions the facilitator submitted (one per paid request settled). */
  readonly settlements: string[];
  close(): Promise<void>;
}

/** The x402 packages' own facilitator for the exact EVM scheme on `chain`, signing with `key`. */
function facilitatorOn(chain: ChainConnection, key: Hex): x402Facilitator {
  const account = privateKeyToAccount(key);
  const provider = chain.provider();
  const wallet = createWalletClient({
    account,
    chain: defineChain({
      id: chain.chainId,
      name: chain.description,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: ['http://127.0.0.1:0'] } },
    }),
    pollingInterval: 20,
    transport: custom({ request: ({ method, params }) => provider.send(String(method), (params as unknown[]) ?? []) }),
  }).extend(publicActions);
  const signer = toFacilitatorEvmSigner(Object.assign(wallet, { address: account.address }) as never);
  return new x402Facilitator().register(`eip155:${chain.chainId}`, new ExactEvmScheme(signer));
}

function baseUnits(price: string, decimals: number): string {
  const [whole = '0', frac = ''] = price.split('.');
  return (BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0').slice(0, decimals))).toString();
}

/**
 * An x402 resource server on a random loopback port: `GET <path>` without payment answers 402 with
 * `PAYMENT-REQUIRED` (the exact scheme, `asset`, `payTo`); with a `PAYMENT-SIGNATURE` it verifies and
 * settles through the facilitator — the x402 packages' own, in process, submitting
 * `transferWithAuthorization` on `chain` — and answers the data with `PAYMENT-RESPONSE`. Without a
 * chain (a dry-run) it still quotes, and refuses payments with 503: nothing can settle.
 */
export async function startDataSeller(o: {
  asset: X402Asset;
  token: { name: string; version: string };
  payTo: string;
  datasets: readonly Dataset[];
  chain?: ChainConnection;
  facilitatorKey?: Hex;
  /** The loopback port (0: any free one). */
  port: number;
}): Promise<DataSeller> {
  const facilitator =
    o.chain !== undefined && o.facilitatorKey !== undefined ? facilitatorOn(o.chain, o.facilitatorKey) : undefined;
  const settlements: string[] = [];
  let base = '';
  const requirementsOf = (d: Dataset): PaymentRequirements => ({
    scheme: 'exact',
    network: `eip155:${o.asset.chainId}`,
    asset: o.asset.address,
    amount: baseUnits(d.price, o.asset.decimals),
    payTo: o.payTo,
    maxTimeoutSeconds: 300,
    extra: { name: o.token.name, version: o.token.version },
  });
  const json = (
    res: ServerResponse,
    reply: { status: number; body: unknown; headers?: Record<string, string> },
  ): void => {
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const dataset = o.datasets.find((d) => d.path === req.url);
    if (dataset === undefined) return json(res, { status: 404, body: { error: `no dataset at ${req.url}` } });
    const requirements = requirementsOf(dataset);
    const header = req.headers['payment-signature'];
    if (typeof header !== 'string') {
      const required = {
        x402Version: 2,
        resource: { url: `${base}${dataset.path}`, description: dataset.description, mimeType: 'application/json' },
        accepts: [requirements],
      };
      return json(res, {
        status: 402,
        body: {},
        headers: { 'payment-required': encodePaymentRequiredHeader(required) },
      });
    }
    if (facilitator === undefined)
      return json(res, { status: 503, body: { error: 'this seller has no chain to settle on' } });
    const payload = decodePaymentSignatureHeader(header);
    const verified = await facilitator.verify(payload, requirements);
    if (!verified.isValid) return json(res, { status: 402, body: { error: verified.invalidReason } });
    const settled = await facilitator.settle(payload, requirements);
    if (!settled.success) return json(res, { status: 402, body: { error: settled.errorReason } });
    settlements.push(settled.transaction);
    json(res, {
      status: 200,
      body: dataset.body(),
      headers: { 'payment-response': encodePaymentResponseHeader(settled) },
    });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, { status: 500, body: { error: String(error) } }));
  });
  await new Promise<void>((ok) => server.listen(o.port, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    urlOf: (path) => `${base}${path}`,
    settlements,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
