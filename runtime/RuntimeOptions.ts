import type { GovernanceConfig, KybPolicy } from '../actors/index.ts';
import type { RestartStrategy } from '../machines/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { RuntimeMessagingOptions } from './messaging/RuntimeMessaging.ts';
import type { RuntimeStore } from './persistence/RuntimeStore.ts';
import type { RuntimeChain } from './chain/RuntimeChain.ts';
import type { AlertRules } from './alerts/alertRules.ts';
import type { DispatchOptions } from './alerts/sinks/AlertDispatcher.ts';
import type { AlertSink } from './alerts/sinks/AlertSink.ts';
import type { RuntimeLogger } from './logging/createLogger.ts';
import type { RuntimePlacementOptions } from './placement/startPlacement.ts';
import type { SeriesRetention } from './metrics/MetricSeries.ts';
import type { PositionPricePair } from './metrics/PositionPrices.ts';

export type { RuntimeChain } from './chain/RuntimeChain.ts';

/** Supervision settings of one sandbox group. */
export interface GroupOptions {
  strategy?: RestartStrategy;
  maxRestarts?: number;
  periodMs?: number;
}

/** Where alerts go besides the inspection stream and the store, and how they fold and resolve. */
export interface AlertingOptions {
  /** Slack, Telegram, PagerDuty, webhook (`alertSinksFromEnv`); none by default. */
  sinks?: readonly AlertSink[];
  rules?: Partial<AlertRules>;
  /** Retries, timeouts and queue size of the deliveries. */
  dispatch?: DispatchOptions;
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
   * threat level): on by default; its options, or `false` to leave it out. With a store, the
   * baselines are kept across restarts (`mandate_behaviour_event`).
   */
  zeroTrust?: boolean | { utcOffsetMinutes?: number };
  /**
   * The counterparty check (KYB, sanctions, jurisdiction) before governance, after zero trust: a
   * `KybPolicy` over a provider (`FileKybProvider`, `HttpKybProvider` or your own). Off when unset.
   */
  kyb?: KybPolicy;
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
  /** Latency histograms and financial counters for `/metrics` (default on; off for the instrumentation benchmark). */
  metrics?: boolean;
  /** OpenTelemetry traces (one per cycle, a span per phase) exported over OTLP/HTTP to `endpoint` (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  tracing?: { endpoint: string; serviceName?: string };
  /**
   * The stored metric series (`GET /api/metrics/series`): every agent's cycles, failed cycles,
   * payments and cycle time, and per asset its payments, volume and fees (exact decimals),
   * sampled into the store every `intervalMs` (default 10 s), raw rows kept 6 h, then
   * five-minute buckets kept 7 days (`retention`). Needs a store and `metrics`; `false` turns it off.
   */
  metricSeries?: { intervalMs?: number; retention?: Partial<SeriesRetention> } | false;
  /**
   * The oracle pairs that re-value strategy positions between treasury steps (`priceUpdate`), by
   * `BASE/QUOTE`: the position asset and currency each prices, and the oldest price accepted
   * (`{ 'EUR/USD': { base: 'EURC', quote: 'USDC', maxAgeMs: 3_600_000 } }`). Updates for other pairs are refused.
   */
  positionPrices?: Readonly<Record<string, PositionPricePair>>;
  /** The node's region (`MANDATE_REGION`), a label of the volume metrics; default `unknown`. */
  region?: string;
  /** Alert sinks and rules; alerts are kept (in the store, or in memory) either way. */
  alerting?: AlertingOptions;
  /** The node's structured logger (`createLogger`): problems the runtime handles without failing go here. */
  logger?: RuntimeLogger;
  /**
   * Placement across nodes sharing one PostgreSQL and one NATS: each agent runs on the one node
   * holding its lease (runtime/placement), fenced in the database. Off when unset: every agent runs here.
   */
  placement?: RuntimePlacementOptions;
  /** Passivated agents (those declaring `passivation:`); defaults suit most nodes. */
  passivation?: RuntimePassivationOptions;
}

/** Options of passivation (virtual actors) on this node. */
export interface RuntimePassivationOptions {
  /**
   * How long before an interval or cron trigger of a passivated agent its snapshot is read from the
   * store, so that the trigger reactivates it without waiting for the database (default 250 ms; 0:
   * read when the trigger fires). Messages, tasks and operator commands cannot be foreseen: they read then.
   */
  prefetchMs?: number;
  /**
   * The warm tier's byte budget (default 8 MiB; 0: off): recently passivated agents' snapshots are kept
   * in memory as compact bytes, after the store committed them, so that their reactivation reads no
   * database; the least recently passivated are evicted first (then read from the store). An integer
   * from 0 to 1 GiB.
   */
  warmBytes?: number;
}
