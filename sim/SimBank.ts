/** One credit transfer as the bank booked it. */
export interface BankPayment {
  readonly key: string;
  readonly agentId: string;
  readonly decisionId: string;
  readonly amount: string;
  readonly asset: string;
  readonly at: number;
  readonly reference: string;
}

/**
 * The bank's own ledger (it survives every crash of the runtime). It books every transfer it
 * receives — it does not de-duplicate — and answers status queries by the payment's end-to-end id
 * (the act's idempotency key): keeping repeats out is the runtime's write-ahead intent log's job,
 * which is what the simulator checks against this ledger.
 */
export class SimBank {
  readonly ledger: BankPayment[] = [];
  readonly #byKey = new Map<string, BankPayment>();

  pay(p: Omit<BankPayment, 'reference'>): BankPayment {
    const booked = { ...p, reference: `bank-${this.ledger.length + 1}` };
    this.ledger.push(booked);
    if (!this.#byKey.has(p.key)) this.#byKey.set(p.key, booked);
    return booked;
  }

  /** What `agentId` paid in the 24 h before `now`. */
  spentToday(agentId: string, now: number): number {
    return this.ledger
      .filter((p) => p.agentId === agentId && now - p.at < 86_400_000)
      .reduce((sum, p) => sum + Number(p.amount), 0);
  }

  find(key: string): BankPayment | undefined {
    return this.#byKey.get(key);
  }
}
