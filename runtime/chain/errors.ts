import { createError, type MandateErrorOptions } from '../../kernel/index.ts';

/** A JSON-RPC method the embedded chain refuses (it would change state outside the replayable block log). */
export class ChainMethodError extends createError('MANDATE_ERR_CHAIN_METHOD', 'ChainMethodError') {
  constructor(method: string) {
    super(
      `"${method}" is not available on the embedded chain: its state is rebuilt by replaying signed transactions, so only eth_sendRawTransaction, evm_mine and the read methods are served; sign a transaction instead.`,
      { details: { method } },
    );
  }
}

/** The embedded chain's block log does not replay to the blocks it recorded (a different EVM version, an edited file). */
export class ChainReplayError extends createError('MANDATE_ERR_CHAIN_REPLAY', 'ChainReplayError') {}

/** The chain could not be opened or configured (unreachable EVM_RPC_URL, missing keystore, wrong chain id). */
export class ChainConfigError extends createError('MANDATE_ERR_CHAIN_CONFIG', 'ChainConfigError') {}

/** A JSON-RPC error answered by the chain, with its code and message. */
export class ChainRpcError extends createError('MANDATE_ERR_CHAIN_RPC', 'ChainRpcError') {
  /** The chain's own error object (code, message, revert data), as JSON-RPC clients expect it. */
  readonly rpc: { code: number; message: string; data?: unknown };
  constructor(
    method: string,
    error: { code: number; message: string; data?: unknown },
    options: MandateErrorOptions = {},
  ) {
    super(`${method} failed on the chain: ${error.message} (JSON-RPC ${error.code})`, {
      ...options,
      details: { method, rpcCode: error.code },
    });
    this.rpc = error;
  }
}
