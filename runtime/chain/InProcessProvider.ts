import { JsonRpcApiProvider, Network, type JsonRpcError, type JsonRpcPayload, type JsonRpcResult } from 'ethers';
import { MandateError } from '../../kernel/index.ts';

/** An EIP-1193 `request` function. */
export type Eip1193Request = (args: { method: string; params?: readonly unknown[] | object }) => Promise<unknown>;

/**
 * An ethers v6 provider over an in-process EIP-1193 `request` (the embedded chain): every call
 * is answered at once, with no HTTP, no batching wait and a static network.
 */
export class InProcessProvider extends JsonRpcApiProvider {
  readonly #request: Eip1193Request;

  constructor(request: Eip1193Request, chainId: number) {
    const network = new Network('mandate-embedded', chainId);
    super(network, { staticNetwork: network, batchMaxCount: 1, pollingInterval: 4, cacheTimeout: -1 });
    this.#request = request;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Array<JsonRpcResult | JsonRpcError>> {
    const list = Array.isArray(payload) ? payload : [payload];
    return Promise.all(
      list.map(async (p): Promise<JsonRpcResult | JsonRpcError> => {
        try {
          return { id: p.id, result: await this.#request({ method: p.method, params: p.params as unknown[] }) };
        } catch (error) {
          const rpc = (error as { rpc?: { code: number; message: string; data?: unknown } }).rpc;
          if (rpc !== undefined) return { id: p.id, error: standardError(rpc) };
          const message = error instanceof MandateError ? error.message : String((error as Error).message ?? error);
          return { id: p.id, error: { code: -32603, message } };
        }
      }),
    );
  }
}

/** EDR reports revert data nested (`data.data`); JSON-RPC clients expect it as `data` with code 3. */
function standardError(rpc: { code: number; message: string; data?: unknown }): JsonRpcError['error'] {
  const nested = (rpc.data as { data?: unknown } | undefined)?.data;
  if (typeof nested === 'string' && nested.startsWith('0x')) return { code: 3, message: rpc.message, data: nested };
  return rpc;
}
