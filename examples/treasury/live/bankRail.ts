import type pg from 'pg';
import { OpenBankingRail, pgRailSql, SandboxBank } from 'mandate/actors';
import type { MandateRuntime } from 'mandate';
import { codeOf, ErrorCode } from 'mandate/kernel';

/** The operating account the example pays EUR invoices from, at the sandbox bank. */
export const OPERATING_IBAN = 'DE89370400440532013000';

/**
 * The fiat rail of the live example: the real Open Banking rail (write-ahead intents in the
 * runtime's own database, the kill switch asked before every initiation) against the sandbox
 * bank, with settlement lag handled by the rail's delay queue, checked every second.
 */
export async function openBankRail(
  runtime: MandateRuntime,
  pool: pg.Pool,
): Promise<{ rail: OpenBankingRail; bank: SandboxBank; close(): void }> {
  const bank = new SandboxBank({
    balances: { [OPERATING_IBAN]: '50000.00' },
    settlementLagMs: 30_000,
    now: () => new Date(runtime.clock.now()),
  });
  const rail = new OpenBankingRail({
    sql: pgRailSql(pool),
    // Creditor names and IBANs are sealed in the store's vault; rail_intents keeps pseudonyms.
    ...(runtime.store?.vault === undefined ? {} : { payees: runtime.store.vault }),
    api: bank,
    debtorIban: OPERATING_IBAN,
    killSwitch: runtime.railKillSwitch(),
    agentId: 'payables',
    recheckAfterMs: 10_000,
    // Several nodes (MANDATE_PLACEMENT=on): every write and bank call carries the agent's lease token.
    fenced: true,
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
            runtime.alert({
              severity: 'info',
              code: ErrorCode.MANDATE_PAYMENT_FINAL,
              message: `payment ${r.reference} ${r.status}`,
            }),
          ),
        (e: Error) =>
          runtime.alert({
            severity: 'warning',
            code: codeOf(e, ErrorCode.MANDATE_ERR_RAIL_RECONCILE),
            message: `settlement check failed: ${e.message}`,
          }),
      );
    }
  }, 1_000);
  timer.unref();
  return { rail, bank, close: () => clearInterval(timer) };
}
