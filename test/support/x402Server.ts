/**
 * A local x402 resource server and facilitator on the embedded chain: the facilitator is the x402
 * packages' own (`x402Facilitator` with `@x402/evm`'s exact scheme, verifying the signature and
 * simulating, then submitting `transferWithAuthorization`), signing with a viem wallet client over the
 * chain's EIP-1193 interface. Faults users hit are switchable per request: a settle that outlives the
 * client's timeout, a response lost after settling, a settle that never reaches the chain.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@x402/core/http';
import type { PaymentRequirements } from '@x402/core/types';
import type { JsonRpcApiProvider } from 'ethers';
import type { Hex } from 'viem';
import { localFacilitator } from './x402Facilitator.ts';

/** What the next paid request suffers. */
export type X402Fault = 'none' | 'slow-settle' | 'drop-after-settle' | 'no-settle';

/** The running server. */
export interface X402TestServer {
  readonly url: string;
  readonly requirements: PaymentRequirements;
  /** Settlements the facilitator submitted (transaction hashes). */
  readonly settlements: string[];
  /** Paid requests that reached the server. */
  paidRequests: number;
  /** Faults for the coming paid requests, first one first; then 'none'. */
  faults: X402Fault[];
  close(): Promise<void>;
}

/** Options: the chain, the token, the payee and the facilitator's funded key. */
export interface X402TestServerOptions {
  provider: JsonRpcApiProvider;
  chainId: number;
  token: { address: string; name: string; version: string };
  payTo: string;
  /** Base units asked per request. */
  amount: bigint;
  facilitatorKey: Hex;
  /** How long a slow settle delays the answer, ms. */
  slowMs?: number;
}

/** Starts the resource server (`GET /data`) on a random loopback port. */
export async function startX402Server(o: X402TestServerOptions): Promise<X402TestServer> {
  const facilitator = localFacilitator(o);
  const requirements: PaymentRequirements = {
    scheme: 'exact',
    network: `eip155:${o.chainId}`,
    asset: o.token.address,
    amount: o.amount.toString(),
    payTo: o.payTo,
    maxTimeoutSeconds: 300,
    extra: { name: o.token.name, version: o.token.version },
  };
  let url = '';
  const state: X402TestServer = {
    get url() {
      return url;
    },
    requirements,
    settlements: [],
    paidRequests: 0,
    faults: [],
    close: async () => new Promise<void>((ok) => server.close(() => ok())),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const header = req.headers['payment-signature'];
    if (typeof header !== 'string') {
      const required = {
        x402Version: 2,
        resource: { url, description: 'market data', mimeType: 'application/json' },
        accepts: [requirements],
      };
      res.writeHead(402, {
        'payment-required': encodePaymentRequiredHeader(required),
        'content-type': 'application/json',
      });
      res.end('{}');
      return;
    }
    state.paidRequests++;
    const fault = state.faults.shift() ?? 'none';
    const payload = decodePaymentSignatureHeader(header);
    const verified = await facilitator.verify(payload, requirements);
    if (!verified.isValid) {
      res.writeHead(402, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: verified.invalidReason }));
      return;
    }
    if (fault === 'no-settle') {
      res.socket?.destroy(); // the server dies before settling: the authorization stays unused
      return;
    }
    if (fault === 'slow-settle') await new Promise((r) => setTimeout(r, o.slowMs ?? 1_500));
    const settled = await facilitator.settle(payload, requirements);
    if (!settled.success) {
      res.writeHead(402, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: settled.errorReason }));
      return;
    }
    state.settlements.push(settled.transaction);
    if (fault === 'drop-after-settle') {
      res.socket?.destroy(); // settled on chain, but the answer never reaches the client
      return;
    }
    res.writeHead(200, {
      'payment-response': encodePaymentResponseHeader(settled),
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ eurUsd: '1.0842', at: Date.now() }));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/data`;
  return state;
}
