/**
 * Persistent memory of the (scope, sender, nonce) triples a receiver has accepted, kept until the envelope's
 * expiry plus skew. Implementations: {@link MemoryReplayStore} (tests, simulations), {@link FileReplayStore}
 * (the embedded default; survives restarts), {@link NatsKvReplayStore} (shared by runtime nodes on one NATS).
 */
export interface ReplayStore {
  /**
   * Atomically records `key` until `expiresAt` (epoch ms). Resolves true when it was new, false when it was
   * already recorded and not yet expired (a replay). Once resolved true, the record is durable for this store.
   */
  claim(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** True when `key` is recorded and not expired. */
  has(key: string, now: number): Promise<boolean>;
  close(): Promise<void>;
}
