import type { ParameterTuner, TuningEvent } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { RuntimeStore } from '../persistence/RuntimeStore.ts';

const ACTIONS = new Set<string>(['learn.tuned', 'learn.frozen', 'learn.unfrozen', 'learn.reverted']);
/** At most this many audit pages (1,000 entries each) are read back per agent. */
const MAX_PAGES = 20;

/**
 * Replays an agent's audited tuning events (`learn.tuned`, `learn.frozen`, `learn.unfrozen`,
 * `learn.reverted`) into its fresh tuner, so tuned values, freezes and the revert history survive a
 * restart. Events the current rules cannot take (a parameter gone, a value outside new bounds after a
 * redeploy) are skipped with a `MANDATE_LEARN_TUNING_RESTORE_SKIPPED` alert. No-op without an audit trail.
 */
export async function restoreTuning(
  deps: { store: RuntimeStore | undefined; alert(alert: AlertInput): void },
  target: { host: AgentHost; tuner: ParameterTuner },
): Promise<void> {
  const trail = deps.store?.audit;
  if (trail === undefined) return;
  const { host, tuner } = target;
  const events: (TuningEvent & { at: number })[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { entries, nextCursor } = await trail.query({
      agent: host.id,
      action: 'learn.*',
      limit: 1_000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const e of entries) {
      const d = e.data;
      if (!ACTIONS.has(e.action) || typeof d.parameter !== 'string') continue;
      if (typeof d.before !== 'number' || typeof d.after !== 'number') continue;
      events.push({
        action: e.action as TuningEvent['action'],
        agentId: host.id,
        parameter: d.parameter,
        before: d.before,
        after: d.after,
        by: `${e.who.kind}:${e.who.id}`,
        why: e.why,
        ...(d.toDeclared === true ? { toDeclared: true } : {}),
        at: e.at,
      });
    }
    if (nextCursor === null) break;
    cursor = nextCursor;
  }
  const skipped = tuner.restore(events.reverse());
  if (skipped.length > 0)
    deps.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_LEARN_TUNING_RESTORE_SKIPPED,
      message: `${host.id}: ${skipped.length} audited tuning event(s) no longer fit its rules and were not restored (${[
        ...new Set(skipped.map((e) => e.parameter)),
      ].join(', ')}); the declared values stand for those`,
      actorId: host.id,
    });
}
