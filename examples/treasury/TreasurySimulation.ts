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
          reference: z.string(),
        })
        .strict(),
    )
    .min(1),
});

/** One supplier invoice. */
export type Invoice = z.infer<typeof invoiceFile>['invoices'][number];

/**
 * The example's simulated world: a seeded random-walk market (EURUSD, gas
 * price with occasional spikes), treasury balances, an invoice queue and a
 * bank statement feed whose parser fails now and then. Deterministic for a
 * given seed. This stands in for real oracles and a bank in the example only;
 * the real adapters live in actors/rails and actors/oracles.
 */
export class TreasurySimulation {
  eurusd = 1.085;
  gasGwei = 28;
  readonly balances: Record<string, number> = { USD: 180_000, EUR: 150_000 };
  readonly invoices: Invoice[];
  readonly settled = new Set<string>();
  #rng: number;

  private constructor(invoices: Invoice[], seed: number) {
    this.invoices = invoices;
    this.#rng = seed;
  }

  /** Loads the invoice queue (validated) and seeds the market. */
  static async load(invoicesPath: string, seed = 42): Promise<TreasurySimulation> {
    const parsed = invoiceFile.parse(parseYaml(await readFile(invoicesPath, 'utf8')));
    return new TreasurySimulation(parsed.invoices, seed);
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

  /** EUR share of the treasury in USD terms, and the EUR to sell to get back to 40%. */
  bands(): { eurShare: number; eurExcess: string } {
    const eurUsd = this.balances.EUR! * this.eurusd;
    const total = this.balances.USD! + eurUsd;
    const share = eurUsd / total;
    const excessUsd = Math.max(0, eurUsd - 0.4 * total);
    return { eurShare: Math.round(share * 10_000) / 10_000, eurExcess: (excessUsd / this.eurusd).toFixed(2) };
  }

  nextInvoice(): Invoice | undefined {
    return this.invoices.find((i) => !this.settled.has(i.id));
  }
}
