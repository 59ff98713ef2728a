import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { nextRandom } from 'mandate/machines';

const invoiceFile = z.object({
  invoices: z
    .array(
      z
        .object({
          id: z.string(),
          counterparty: z.string(),
          amount: z.string().regex(/^\d+(\.\d{1,2})?$/),
          currency: z.enum(['USDC', 'EUR']),
          reference: z.string(),
        })
        .strict(),
    )
    .min(1),
});

/** One supplier invoice. */
export type Invoice = z.infer<typeof invoiceFile>['invoices'][number];

/** Loads and validates the invoice queue. */
export async function loadInvoices(path: string): Promise<Invoice[]> {
  return invoiceFile.parse(parseYaml(await readFile(path, 'utf8'))).invoices;
}

/**
 * The example's market: a seeded random walk of EURUSD and of the gas price (with occasional
 * spikes). Dry-run runs everything against it and its simulated balances; live runs publish its
 * EURUSD to the on-chain feed each tick (the chain's own fees stand in for gas).
 */
export class TreasurySimulation {
  eurusd = 1.085;
  gasGwei = 28;
  /** Simulated wallets (dry-run): the operating treasury and the bank account. */
  readonly balances: Record<string, number> = { USDC: 180_000, EURC: 150_000, EUR: 50_000 };
  readonly invoices: Invoice[];
  readonly settled = new Set<string>();
  #rng: number;

  constructor(invoices: Invoice[], seed = 42) {
    this.invoices = invoices;
    this.#rng = seed;
  }

  /** Loads the invoice queue (validated) and seeds the market. */
  static async load(invoicesPath: string, seed = 42): Promise<TreasurySimulation> {
    return new TreasurySimulation(await loadInvoices(invoicesPath), seed);
  }

  random(): number {
    const r = nextRandom(this.#rng);
    this.#rng = r.state;
    return r.value;
  }

  /** Moves the market one step: EURUSD drifts, gas spikes ~10% of the time and decays. */
  tick(): void {
    this.eurusd = Math.max(0.95, Math.min(1.25, this.eurusd + (this.random() - 0.48) * 0.01));
    this.gasGwei =
      this.random() < 0.1
        ? 70 + this.random() * 60
        : Math.max(12, this.gasGwei * 0.7 + (20 + this.random() * 20) * 0.3);
  }

  /** EURC share of the treasury in USD terms, and the EURC to sell to get back to 40%. */
  bands(): { eurShare: number; eurExcess: string } {
    return bandsOf({ usdc: this.balances.USDC!, eurc: this.balances.EURC!, eurusd: this.eurusd });
  }

  nextInvoice(): Invoice | undefined {
    return this.invoices.find((i) => !this.settled.has(i.id));
  }
}

/** The EURC share of USDC + EURC at `eurusd`, and the EURC to sell toward a 40% share (capped at `maxSell`). */
export function bandsOf({
  usdc,
  eurc,
  eurusd,
  maxSell = Infinity,
}: {
  usdc: number;
  eurc: number;
  eurusd: number;
  maxSell?: number;
}): { eurShare: number; eurExcess: string } {
  const eurUsd = eurc * eurusd;
  const total = usdc + eurUsd;
  const share = total === 0 ? 0 : eurUsd / total;
  const excessUsd = Math.max(0, eurUsd - 0.4 * total);
  return {
    eurShare: Math.round(share * 10_000) / 10_000,
    eurExcess: Math.min(excessUsd / eurusd, maxSell).toFixed(2),
  };
}
