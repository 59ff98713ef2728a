import { parseAmount } from '../amount.ts';

const DAY_MS = 86_400_000;

interface Reservation {
  key: string;
  at: number;
  units: bigint;
}

/** A reservation against a rolling 24 h limit: whose (`owner`), in which asset, how much, under what limit, keyed by the decision it is for, at `now`. */
export interface BudgetReservation {
  owner: string;
  asset: string;
  value: string;
  limit: string;
  key: string;
  now: number;
}

/**
 * A rolling 24-hour budget per (owner, asset) with reservations: a proposal
 * reserves its amount when approved and releases it if the effect fails, so
 * concurrent proposals cannot together exceed the limit. In-process; the
 * payment rails enforce the same limits again with an atomic reservation in
 * PostgreSQL before signing.
 */
export class Budget {
  readonly #entries = new Map<string, Reservation[]>();

  /** Units reserved or spent by `owner` in `asset` during the 24 h before `now`. */
  spent(owner: string, asset: string, now: number): bigint {
    const list = this.#prune(`${owner}\u0000${asset}`, now);
    return list.reduce((sum, r) => sum + r.units, 0n);
  }

  /**
   * Reserves `value` if it fits under `limit`; returns false (and reserves nothing) if not. A key
   * already holding a reservation is not reserved twice (a proposal approved by governance and
   * then by a human reserves once).
   */
  reserve({ owner, asset, value, limit, key, now }: BudgetReservation): boolean {
    if (this.#prune(`${owner}\u0000${asset}`, now).some((r) => r.key === key)) return true;
    const units = parseAmount(value);
    if (this.spent(owner, asset, now) + units > parseAmount(limit)) return false;
    const id = `${owner}\u0000${asset}`;
    const list = this.#entries.get(id) ?? [];
    list.push({ key, at: now, units });
    this.#entries.set(id, list);
    return true;
  }

  /** Every (owner, asset) with units reserved or spent in the 24 h before `now`. */
  used(now: number): Array<{ owner: string; asset: string; units: bigint }> {
    const out: Array<{ owner: string; asset: string; units: bigint }> = [];
    for (const id of [...this.#entries.keys()]) {
      const units = this.#prune(id, now).reduce((sum, r) => sum + r.units, 0n);
      const [owner, asset] = id.split('\u0000') as [string, string];
      if (units > 0n) out.push({ owner, asset, units });
    }
    return out;
  }

  /** Releases the reservation made under `key` (the effect did not happen). */
  release(owner: string, asset: string, key: string): void {
    const id = `${owner}\u0000${asset}`;
    const list = this.#entries.get(id);
    if (list === undefined) return;
    const index = list.findIndex((r) => r.key === key);
    if (index >= 0) list.splice(index, 1);
  }

  #prune(id: string, now: number): Reservation[] {
    const list = this.#entries.get(id);
    if (list === undefined) return [];
    const kept = list.filter((r) => now - r.at < DAY_MS);
    if (kept.length !== list.length) this.#entries.set(id, kept);
    return kept;
  }
}
