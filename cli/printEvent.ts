import type { InspectionEvent } from '../runtime/index.ts';

const COLORS = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: number, text: string): string => (COLORS ? `\u001b[${code}m${text}\u001b[0m` : text);

function time(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

/**
 * One line per event for the terminal: agent transitions (idle → perceive …),
 * supervisor restarts, approvals and alerts. Returns undefined for events not
 * worth a line in quiet mode.
 */
export function formatEvent(e: InspectionEvent, quiet: boolean): string | undefined {
  switch (e.type) {
    case 'transition': {
      if (
        quiet &&
        e.actorKind === 'agent' &&
        e.to !== 'idle' &&
        e.to !== 'failed' &&
        e.to !== 'awaitingApproval' &&
        e.to !== 'killed'
      )
        return undefined;
      const who = e.actorKind === 'supervisor' ? paint(35, e.actorId.padEnd(22)) : paint(36, e.actorId.padEnd(22));
      const effect = e.summary.effect as
        { key?: string; tx: string; block: number | null; rail: string | null } | undefined;
      const onChain =
        effect === undefined
          ? undefined
          : `[${effect.key ?? '-'} ${effect.rail ?? 'chain'} tx ${effect.tx} block ${effect.block ?? 'pending'}]`;
      const extra = [e.summary.action, e.summary.outcome, e.summary.error, onChain]
        .filter((x) => x !== undefined)
        .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
        .join(' ');
      return `${time(e.at)} ${who} ${e.from} → ${paint(1, e.to)}${extra ? paint(2, `  ${extra}`) : ''}`;
    }
    case 'approval': {
      const a = e.approval;
      const action = a.action as { type?: string; amount?: { value: string; asset: string }; counterparty?: string };
      const what =
        `${action.type ?? '?'} ${action.amount ? `${action.amount.value} ${action.amount.asset}` : ''} ${action.counterparty ?? ''}`.trim();
      return paint(33, `${time(e.at)} approval ${a.id} ${a.status.toUpperCase()}: ${what} (${a.reason})`);
    }
    case 'alert':
      if (quiet && e.severity === 'info') return undefined;
      return paint(
        e.severity === 'critical' ? 31 : e.severity === 'warning' ? 33 : 2,
        `${time(e.at)} ${e.severity.toUpperCase()} ${e.code}: ${e.message}`,
      );
  }
}
