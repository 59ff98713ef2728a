import type { GovernanceConfig } from '../actors/index.ts';
import type { RestartStrategy } from '../machines/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { RuntimeMessagingOptions } from './messaging/RuntimeMessaging.ts';
import type { RuntimeStore } from './persistence/RuntimeStore.ts';
import type { RuntimeChain } from './chain/RuntimeChain.ts';

export type { RuntimeChain } from './chain/RuntimeChain.ts';

/** Supervision settings of one sandbox group. */
export interface GroupOptions {
  strategy?: RestartStrategy;
  maxRestarts?: number;
  periodMs?: number;
}

/** Options of `createRuntime`. Everything has a safe default: dry-run, no store, no messaging, wall clock. */
export interface RuntimeOptions {
  /** `dry-run` (default) performs every step except external effects; `live` must be asked for. */
  mode?: 'dry-run' | 'live';
  clock?: Clock;
  /** Where state, decisions, intents and the audit trail live (`openStore`); in memory only without one. */
  store?: RuntimeStore;
  nodeId?: string;
  governance?: GovernanceConfig;
  /**
   * The zero-trust stage before governance (identity, behaviour against each agent's own history,
   * threat level): `true`, or its options. Off by default for now: simulations that run many
   * cycles at one simulated instant would read as a burst.
   */
  zeroTrust?: boolean | { utcOffsetMinutes?: number };
  groups?: Record<string, GroupOptions>;
  /** Capabilities that may be declared; others are refused at spawn (`MANDATE_ERR_CAPABILITY_UNKNOWN`). */
  capabilityCatalog?: ReadonlyMap<string, string>;
  /** Signed messaging between agents and nodes: the in-process bus, or NATS with `natsUrl`. Off when unset. */
  messaging?: RuntimeMessagingOptions;
  newId?: () => string;
  random?: () => number;
  /** How many recent transitions to keep for inspection (default 2,000). */
  recentTransitions?: number;
  /** Arm agents' interval and cron triggers (default true); off for what-if runs that start each cycle by hand. */
  timeTriggers?: boolean;
  /** The chain live payments go to: agents get a wallet on it, published in their registry descriptors. */
  chain?: RuntimeChain;
  /** What-if simulation: facts forced after every perceive, by dot path (`gas.gwei: 80`). */
  factOverrides?: Readonly<Record<string, unknown>>;
}
