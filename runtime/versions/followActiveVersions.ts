import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';

/** What {@link followActiveVersions} needs. */
export interface FollowActiveVersionsDeps {
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** The agents hosted on this node now. */
  agents(): Iterable<AgentHost>;
  /** Every agent's active version in the store, in one read (AgentVersions.activeVersions). */
  active(): Promise<Map<string, number>>;
  /** Restarts a host on the store's active version when it runs another (AgentVersions.applyActive). */
  apply(host: AgentHost): Promise<boolean>;
  alert(alert: AlertInput): void;
}

/**
 * With placement: every `everyMs`, restarts each agent hosted here on the version the shared store
 * says is active, when a rollback (or a deploy) made on another node moved it. An agent in a phase is
 * left until a later round finds it at rest. Returns the function that stops it.
 */
export function followActiveVersions(deps: FollowActiveVersionsDeps, everyMs = 1_000): () => void {
  let stopped = false;
  let timer: unknown;
  const failed = (e: Error): void =>
    deps.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_STORE,
      message: `active agent versions not read: ${e.message}`,
    });
  const round = async (): Promise<void> => {
    // One read per round; only an agent running another version than the store's is looked at.
    const active = await deps.active();
    for (const host of [...deps.agents()]) {
      if (stopped) return;
      const number = active.get(host.id);
      if (number === undefined || host.version === undefined || host.version.number === number) continue;
      await deps.apply(host).catch((e: Error) =>
        deps.alert({
          severity: 'warning',
          code: ErrorCode.MANDATE_ERR_VERSION_UNAVAILABLE,
          message: `${host.id} could not be restarted on its active version: ${e.message}`,
          actorId: host.id,
        }),
      );
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = deps.clock.setTimeout(() => void round().catch(failed).finally(schedule), everyMs);
  };
  schedule();
  return () => {
    stopped = true;
    deps.clock.clearTimeout(timer);
  };
}
