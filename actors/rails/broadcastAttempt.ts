/**
 * Sends stored signed bytes to the node. Rebroadcasting is always safe: the bytes, nonce and
 * hash are the ones on disk, so at most one transaction per nonce can ever be mined.
 */
import type { JsonRpcApiProvider } from 'ethers';
import type { Attempt, AttemptStore } from './AttemptStore.ts';
import { BroadcastError } from './errors.ts';

/** What the node said about a broadcast. */
export type BroadcastOutcome = 'accepted' | 'known' | 'nonce-used' | 'not-yet' | 'underpriced';

/** Error text → outcome, across geth, Hardhat/EDR, anvil and nethermind wordings. */
const KNOWN: readonly [RegExp, BroadcastOutcome][] = [
  [/already known|known transaction|already imported|already in (the )?(mem)?pool/i, 'known'],
  [/nonce too low|nonce has already been used|nonce is too low|NONCE_EXPIRED/i, 'nonce-used'],
  [/nonce too high|can't be queued|gapped/i, 'not-yet'],
  [/underpriced|replacement fee too low|REPLACEMENT_UNDERPRICED/i, 'underpriced'],
];

/** The node a broadcast goes to, and the store that marks what it accepted. */
export interface BroadcastContext {
  provider: JsonRpcApiProvider;
  attempts: AttemptStore;
}

/** Broadcasts `attempt`; marks it `broadcast` when the node has it. Throws {@link BroadcastError} on any other rejection. */
export async function broadcastAttempt(
  { provider, attempts: store }: BroadcastContext,
  attempt: Attempt,
  /** Collect the hashes to mark as sent here instead of marking each at once (the caller marks them with its next commit). */
  sent?: string[],
): Promise<BroadcastOutcome> {
  let outcome: BroadcastOutcome = 'accepted';
  try {
    await provider.send('eth_sendRawTransaction', [attempt.rawTx]);
  } catch (error) {
    const text = errorText(error);
    const match = KNOWN.find(([re]) => re.test(text));
    if (match === undefined) {
      throw new BroadcastError(
        `node rejected transaction ${attempt.txHash} (nonce ${attempt.nonce}): ${text.slice(0, 300)}; the signed bytes stay stored and are retried on reconcile`,
        {
          cause: error,
          details: { txHash: attempt.txHash, nonce: attempt.nonce.toString() },
        },
      );
    }
    outcome = match[1];
  }
  // 'nonce-used' still counts as sent: the nonce is consumed on chain (by this or a sibling attempt).
  if (outcome !== 'not-yet' && attempt.status === 'signed') {
    if (sent === undefined) await store.markBroadcast(attempt.txHash);
    else sent.push(attempt.txHash);
  }
  return outcome;
}

function errorText(error: unknown): string {
  const e = error as { message?: string; info?: { error?: { message?: string; data?: { message?: string } } } };
  return [e.info?.error?.message, e.info?.error?.data?.message, e.message].filter(Boolean).join(' | ');
}
