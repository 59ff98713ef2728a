/**
 * A Solana JSON-RPC server over LiteSVM (an in-process Solana VM): the methods the Solana rail
 * uses, answering in the real protocol's shapes, so the rail talks to it through `@solana/kit`'s
 * ordinary HTTP transport exactly as it would to a validator.
 *
 * LiteSVM has no blocks: it accepts only its latest blockhash. The server models block height so
 * that this holds on a real cluster too: a blockhash is handed out with
 * `lastValidBlockHeight = height + 150`, and {@link LiteSvmRpcServer.expireBlockhash} moves the
 * height past it while LiteSVM replaces its blockhash. `sendTransaction` runs the preflight
 * simulation first (error -32002 with the simulation result) unless `skipPreflight`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getBase58Decoder, getBase64Encoder, getTransactionDecoder, type Address, type Signature } from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';

/** Blocks a blockhash stays valid for (the validator's MAX_PROCESSING_AGE). */
const BLOCKHASH_VALIDITY = 150n;
/** LiteSVM's default fee per signature. */
const LAMPORTS_PER_SIGNATURE = 5_000n;

type Params = readonly unknown[];
class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Turns LiteSVM's transaction error text (`InstructionError(0, Custom(1))`) into the RPC's JSON form. */
function rpcError(failed: FailedTransactionMetadata): unknown {
  const text = /err: (.*?), meta: /.exec(failed.toString())?.[1]?.trim() ?? 'UnknownError';
  const instruction = /^InstructionError\((\d+), Custom\((\d+)\)\)$/.exec(text);
  if (instruction) return { InstructionError: [Number(instruction[1]), { Custom: Number(instruction[2]) }] };
  const plain = /^InstructionError\((\d+), (\w+)\)$/.exec(text);
  if (plain) return { InstructionError: [Number(plain[1]), plain[2]] };
  return text.replace(/\(.*$/, '');
}

/** A running LiteSVM RPC server. */
export class LiteSvmRpcServer {
  readonly svm: LiteSVM;
  #height = 1_000n;
  readonly #validUntil = new Map<string, bigint>();
  readonly #server: Server;
  /** Every method called, in order (tests read it). */
  readonly calls: string[] = [];

  private constructor(svm: LiteSVM) {
    this.svm = svm;
    this.#server = createServer((req, res) => {
      void this.#answer(req).then((body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
  }

  /** Starts a server on a random local port. */
  static async start(svm = new LiteSVM()): Promise<LiteSvmRpcServer> {
    const server = new LiteSvmRpcServer(svm);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Ends the current blockhash's validity: the height passes its `lastValidBlockHeight`, LiteSVM takes a new one. */
  expireBlockhash(): void {
    this.svm.expireBlockhash();
    this.#height += BLOCKHASH_VALIDITY + 1n;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #answer(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown; method: string; params?: Params };
    this.calls.push(call.method);
    try {
      const result = this.#dispatch(call.method, call.params ?? []);
      return JSON.stringify({ jsonrpc: '2.0', id: call.id, result }, (_k, v: unknown) =>
        typeof v === 'bigint' ? Number(v) : v,
      );
    } catch (error) {
      const fault = error instanceof RpcFault ? error : new RpcFault(-32603, (error as Error).message);
      return JSON.stringify({
        jsonrpc: '2.0',
        id: call.id,
        error: { code: fault.code, message: fault.message, data: fault.data },
      });
    }
  }

  #context() {
    return { slot: this.svm.getClock().slot, apiVersion: '2.2.0' };
  }

  #dispatch(method: string, params: Params): unknown {
    const svm = this.svm;
    switch (method) {
      case 'getLatestBlockhash': {
        const blockhash = svm.latestBlockhash();
        if (!this.#validUntil.has(blockhash)) this.#validUntil.set(blockhash, this.#height + BLOCKHASH_VALIDITY);
        return {
          context: this.#context(),
          value: { blockhash, lastValidBlockHeight: this.#validUntil.get(blockhash) },
        };
      }
      case 'getBlockHeight':
        return this.#height;
      case 'getBalance':
        return { context: this.#context(), value: svm.getBalance(params[0] as Address) ?? 0n };
      case 'getMinimumBalanceForRentExemption':
        return svm.minimumBalanceForRentExemption(BigInt(params[0] as number));
      case 'getFeeForMessage': {
        const message = getBase64Encoder().encode(params[0] as string);
        // The first byte of a v0 message is the version prefix, the next one the number of required signatures.
        const signers = BigInt(message[0]! & 0x80 ? message[1]! : message[0]!);
        return { context: this.#context(), value: signers * LAMPORTS_PER_SIGNATURE };
      }
      case 'getAccountInfo': {
        const account = svm.getAccount(params[0] as Address);
        if (!account.exists) return { context: this.#context(), value: null };
        return {
          context: this.#context(),
          value: {
            data: [Buffer.from(account.data).toString('base64'), 'base64'],
            executable: account.executable,
            lamports: account.lamports,
            owner: account.programAddress,
            rentEpoch: 0,
            space: account.data.length,
          },
        };
      }
      case 'getTokenAccountBalance': {
        const account = svm.getAccount(params[0] as Address);
        if (!account.exists || account.data.length < 72)
          throw new RpcFault(-32602, 'Invalid param: could not find account');
        const amount = Buffer.from(account.data).readBigUInt64LE(64);
        const mint = svm.getAccount(getBase58Decoder().decode(account.data.subarray(0, 32)) as Address);
        const decimals = mint.exists ? mint.data[44]! : 0;
        const ui = Number(amount) / 10 ** decimals;
        return {
          context: this.#context(),
          value: { amount: amount.toString(), decimals, uiAmount: ui, uiAmountString: ui.toString() },
        };
      }
      case 'getSignatureStatuses': {
        const value = (params[0] as Signature[]).map((signature) => {
          const found = svm.getTransaction(signature);
          if (found === null) return null;
          const err = found instanceof FailedTransactionMetadata ? rpcError(found) : null;
          return {
            slot: svm.getClock().slot,
            confirmations: null,
            err,
            status: err === null ? { Ok: null } : { Err: err },
            confirmationStatus: 'finalized',
          };
        });
        return { context: this.#context(), value };
      }
      case 'sendTransaction':
        return this.#send(params);
      default:
        throw new RpcFault(-32601, `Method not found: ${method}`);
    }
  }

  #send(params: Params): string {
    const options = (params[1] ?? {}) as { encoding?: string; skipPreflight?: boolean };
    if (options.encoding !== 'base64') throw new RpcFault(-32602, 'this server accepts base64 transactions only');
    const tx = getTransactionDecoder().decode(getBase64Encoder().encode(params[0] as string));
    const signature = getBase58Decoder().decode(Object.values(tx.signatures)[0]!);
    if (options.skipPreflight !== true) {
      const simulated = this.svm.simulateTransaction(tx);
      const already = this.svm.getTransaction(signature as Signature) !== null;
      if (already || simulated instanceof FailedTransactionMetadata) {
        const err = already ? 'AlreadyProcessed' : rpcError(simulated as FailedTransactionMetadata);
        const logs = already ? [] : (simulated as FailedTransactionMetadata).meta().logs();
        throw new RpcFault(-32002, `Transaction simulation failed: ${JSON.stringify(err)}`, {
          err,
          logs,
          accounts: null,
          unitsConsumed: 0,
          returnData: null,
        });
      }
    }
    // Like a validator, an accepted transaction that cannot be processed now (expired blockhash, duplicate) is dropped, not refused.
    this.svm.sendTransaction(tx);
    return signature;
  }
}
