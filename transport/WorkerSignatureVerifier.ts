import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { publicKeyFromDid } from './AgentIdentity.ts';
import type { SignatureVerifier } from './SignatureVerifier.ts';

const keys = new Map<string, KeyObject>();
/** did:key → raw public key (base58 decoding is on the hot path). */
const publicKeys = new Map<string, Uint8Array>();

function verifyInline(it: Item): boolean {
  const x = Buffer.from(it.publicKey).toString('base64url');
  let key = keys.get(x);
  if (key === undefined) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    if (keys.size > 100_000) keys.clear();
    keys.set(x, key);
  }
  try {
    return verify(null, it.message, key, it.signature);
  } catch {
    return false;
  }
}

interface Item {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  resolve: (ok: boolean) => void;
}

/**
 * Verifies Ed25519 signatures on a pool of worker threads, batching what arrives in the same tick, so
 * verification uses every core while the event loop parses, routes and handles. Results are identical to
 * {@link InlineSignatureVerifier}'s.
 */
export class WorkerSignatureVerifier implements SignatureVerifier {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Item[]>();
  #queue: Item[] = [];
  #next = 0;
  #batchId = 0;
  #scheduled = false;
  readonly #inflight: number[] = [];

  readonly #inlineBelow: number;

  /**
   * `threads` defaults to one less than the available cores (at least one): the event loop keeps a core for
   * signing, parsing and routing; on two cores a second verify thread only contends with it (measured in
   * bench/messaging.bench.ts). Batches of at most `inlineBelow` (default 1) arriving while the workers are
   * idle are verified on the calling thread.
   */
  constructor(options: { threads?: number; inlineBelow?: number } = {}) {
    this.#inlineBelow = options.inlineBelow ?? 1;
    const n = Math.max(1, options.threads ?? availableParallelism() - 1);
    this.#workers = Array.from({ length: n }, (_, index) => {
      const w = new Worker(new URL('./verifyWorker.mjs', import.meta.url));
      w.on('message', (m: { id: number; results: Uint8Array }) => {
        const items = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        items?.forEach((it, i) => it.resolve(m.results[i] === 1));
        if (--this.#inflight[index]! === 0) w.unref();
      });
      // Referenced only while it has work, so an idle verifier does not keep the process alive.
      w.unref();
      return w;
    });
  }

  /** Number of verify threads. */
  get threads(): number {
    return this.#workers.length;
  }

  verify(did: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    let publicKey = publicKeys.get(did);
    if (publicKey === undefined) {
      try {
        publicKey = publicKeyFromDid(did);
      } catch {
        return Promise.resolve(false);
      }
      if (publicKeys.size > 100_000) publicKeys.clear();
      publicKeys.set(did, publicKey);
    }
    if (signature.length !== 64) return Promise.resolve(false);
    // A lone signature while the workers are idle (request/reply traffic) is cheaper to check here, now,
    // than to ship or to wait for the end of the turn: a worker round trip costs more than one verification.
    if (!this.#scheduled && this.#inlineBelow > 0 && this.#idle()) {
      this.#scheduled = true;
      setImmediate(() => this.#dispatch());
      return Promise.resolve(verifyInline({ publicKey, message, signature, resolve: () => {} }));
    }
    return new Promise((resolve) => {
      this.#queue.push({ publicKey, message, signature, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#dispatch());
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    for (const items of this.#pending.values()) for (const it of items) it.resolve(false);
    this.#pending.clear();
  }

  #idle(): boolean {
    for (const n of this.#inflight) if (n !== 0) return false;
    return true;
  }

  #dispatch(): void {
    this.#scheduled = false;
    const all = this.#queue;
    this.#queue = [];
    if (all.length === 0) return;
    // A lone signature while the workers are idle (request/reply traffic) is cheaper to check here than to
    // ship: a worker round trip costs more than one verification.
    if (all.length <= this.#inlineBelow && this.#idle()) {
      for (const it of all) it.resolve(verifyInline(it));
      return;
    }
    // Split the tick's work evenly across the workers.
    const per = Math.ceil(all.length / this.#workers.length);
    for (let i = 0; i < all.length; i += per) {
      const items = all.slice(i, i + per);
      const id = this.#batchId++;
      this.#pending.set(id, items);
      const index = this.#next++ % this.#workers.length;
      const w = this.#workers[index]!;
      if ((this.#inflight[index] = (this.#inflight[index] ?? 0) + 1) === 1) w.ref();
      w.postMessage({
        id,
        items: items.map(({ publicKey, message, signature }) => ({ publicKey, message, signature })),
      });
    }
  }
}
