/**
 * The x402 packages' own facilitator (`x402Facilitator` with `@x402/evm`'s exact scheme: verify the
 * signature, simulate, submit `transferWithAuthorization`) on the embedded chain, signing with a viem
 * wallet client over the chain's EIP-1193 interface — in process, or served over HTTP the way
 * `HTTPFacilitatorClient` of `@x402/core/server` talks to one (`POST /verify`, `POST /settle`,
 * `GET /supported`), with switchable faults on settle.
 */
import { createServer } from 'node:http';
import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import type { JsonRpcApiProvider } from 'ethers';
import { createWalletClient, custom, defineChain, publicActions, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** The chain and the facilitator's funded key. */
export interface LocalFacilitatorOptions {
  provider: JsonRpcApiProvider;
  chainId: number;
  facilitatorKey: Hex;
}

/** The packages' facilitator for the exact EVM scheme on the embedded chain. */
export function localFacilitator(o: LocalFacilitatorOptions): x402Facilitator {
  const account = privateKeyToAccount(o.facilitatorKey);
  const chain = defineChain({
    id: o.chainId,
    name: 'embedded',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: ['http://127.0.0.1:0'] } },
  });
  const wallet = createWalletClient({
    account,
    chain,
    pollingInterval: 20,
    transport: custom({ request: ({ method, params }) => o.provider.send(method, (params as unknown[]) ?? []) }),
  }).extend(publicActions);
  const signer = toFacilitatorEvmSigner(Object.assign(wallet, { address: account.address }) as never);
  return new x402Facilitator().register(`eip155:${o.chainId}`, new ExactEvmScheme(signer));
}

/** What the next settle suffers: answered late (after settling), or settled with the answer lost. */
export type FacilitatorFault = 'slow-settle' | 'drop-after-settle';

/** A facilitator served over HTTP on loopback. */
export interface HttpFacilitator {
  readonly url: string;
  /** Settle calls that reached it, and the transactions it submitted. */
  readonly settleCalls: number;
  readonly settlements: string[];
  /** Faults for the coming settle calls, first one first. */
  faults: FacilitatorFault[];
  close(): Promise<void>;
}

/** Serves {@link localFacilitator} over HTTP; `slowMs` is how late a slow settle answers. */
export async function startHttpFacilitator(o: LocalFacilitatorOptions & { slowMs?: number }): Promise<HttpFacilitator> {
  const facilitator = localFacilitator(o);
  let settleCalls = 0;
  const state = {
    url: '',
    get settleCalls() {
      return settleCalls;
    },
    settlements: [] as string[],
    faults: [] as FacilitatorFault[],
    close: async () => new Promise<void>((ok) => server.close(() => ok())),
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const answer = async (): Promise<unknown> => {
        if (req.method === 'GET' && req.url === '/supported') return facilitator.getSupported();
        const { paymentPayload, paymentRequirements } = JSON.parse(raw) as {
          paymentPayload: Parameters<x402Facilitator['verify']>[0];
          paymentRequirements: Parameters<x402Facilitator['verify']>[1];
        };
        if (req.url === '/verify') return facilitator.verify(paymentPayload, paymentRequirements);
        settleCalls++;
        const fault = state.faults.shift();
        const settled = await facilitator.settle(paymentPayload, paymentRequirements);
        if (settled.success) state.settlements.push(settled.transaction);
        if (fault === 'slow-settle') await new Promise((r) => setTimeout(r, o.slowMs ?? 1_500));
        if (fault === 'drop-after-settle') throw new Error('drop');
        return settled;
      };
      answer().then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => res.socket?.destroy(),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return state;
}
