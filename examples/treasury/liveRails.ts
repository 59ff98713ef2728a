import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { codeOf, ErrorCode } from 'mandate/kernel';
import {
  createPaymentActuator,
  createPaymentExecutor,
  OpenBankingRail,
  pgRailSql,
  SandboxBank,
  PaymentActionError,
  type Actuator,
} from 'mandate/actors';
import type { MandateRuntime } from 'mandate';

const payeeFile = z
  .object({
    payees: z.record(
      z.string(),
      z.object({ name: z.string().min(1), iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/) }).strict(),
    ),
  })
  .strict();

/** The operating account the example pays from, at the sandbox bank. */
export const OPERATING_IBAN = 'DE89370400440532013000';

/**
 * Live payments for the treasury example: the payables agent pays through
 * the real Open Banking rail (write-ahead intents and limits in the runtime's
 * own database, the kill switch asked before every initiation) against the
 * sandbox bank, with settlement lag handled by the rail's delay queue. Only
 * used with `--live` and a database; dry-run never touches it.
 */
export async function liveRails(
  runtime: MandateRuntime,
  payeesPath: string,
): Promise<{ pay: Actuator; close(): Promise<void> } | undefined> {
  const databaseUrl = runtime.store?.databaseUrl;
  if (runtime.mode !== 'live' || databaseUrl === undefined) return undefined;
  const { payees } = payeeFile.parse(parseYaml(await readFile(payeesPath, 'utf8')));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const bank = new SandboxBank({
    balances: { [OPERATING_IBAN]: '180000.00' },
    settlementLagMs: 30_000,
    now: () => new Date(runtime.clock.now()),
  });
  const rail = new OpenBankingRail({
    sql: pgRailSql(pool),
    api: bank,
    debtorIban: OPERATING_IBAN,
    killSwitch: runtime.railKillSwitch(),
    agentId: 'payables',
    recheckAfterMs: 10_000,
    now: () => new Date(runtime.clock.now()),
  });
  // Payments in flight before a restart are picked up again; settlements are checked as they fall due.
  await rail.recover();
  const timer = setInterval(() => {
    const due = rail.nextDueAt();
    if (due !== undefined && due <= runtime.clock.now()) {
      rail.processDue().then(
        (settled) =>
          settled.forEach((r) =>
            runtime.alert('info', ErrorCode.MANDATE_PAYMENT_FINAL, `payment ${r.reference} ${r.status}`),
          ),
        (e: Error) =>
          runtime.alert(
            'warning',
            codeOf(e, ErrorCode.MANDATE_ERR_RAIL_RECONCILE),
            `settlement check failed: ${e.message}`,
          ),
      );
    }
  }, 1_000);
  timer.unref();
  const pay = createPaymentActuator({
    name: 'treasury.pay',
    executor: createPaymentExecutor({ fiat: rail }),
    payee: async (cp) => {
      const p = payees[cp];
      if (p === undefined)
        throw new PaymentActionError(`No payee details for counterparty "${cp}"; add it to payees.yaml.`, {
          details: { counterparty: cp },
        });
      return { kind: 'fiat', ...p };
    },
  });
  return {
    pay,
    async close() {
      clearInterval(timer);
      await pool.end();
    },
  };
}
