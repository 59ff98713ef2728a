import type { Principal } from '../../kernel/index.ts';
/** The files a YAML agent was built from: its YAML (`entry`) and the rules files and strategy module it names. */
export interface AgentSource {
  /** The YAML file's name as it was loaded (the key of its text in `files`). */
  entry: string;
  /** File name (the YAML's own, or as the YAML names it, e.g. `./strategy.js`) → text. */
  files: Record<string, string>;
}

/** One immutable version of an agent's definition, as the store keeps it. */
export interface AgentVersionRow {
  agentId: string;
  /** 1, 2, 3… per agent, in the order versions were first recorded. */
  number: number;
  /** `sha256:` + hex of the canonical JSON of `{ definition, source }`. */
  hash: string;
  /** The definition's own `version:` (default `1`); several numbers may share one label. */
  label: string;
  /** The validated data (functions named, not included). */
  definition: Record<string, unknown>;
  /** What a YAML agent was built from; null for TypeScript definitions. */
  source: AgentSource | null;
  createdAt: number;
}

/**
 * A definition offered as a version: its identity (agent, hash, label) now, its data on demand. A
 * store that writes it elsewhere calls `content()` once; the in-memory store keeps the candidate
 * (which holds the definition the host runs anyway) rather than a copy of its data.
 */
export interface VersionCandidate {
  readonly agentId: string;
  readonly hash: string;
  readonly label: string;
  readonly createdAt: number;
  /** The validated data and the YAML source, computed on each call. */
  content(): Pick<AgentVersionRow, 'definition' | 'source'>;
}

/** What a host keeps of the version it runs. */
export interface VersionStamp {
  readonly number: number;
  readonly hash: string;
  readonly label: string;
}

/** What a rollback asks: the version (number or hash prefix), who asks and why. */
export interface RollbackRequest {
  to: string;
  by: Principal;
  why: string;
}

/** A version as operators list it: the row, and whether the agent runs it now. */
export interface AgentVersionInfo extends AgentVersionRow {
  active: boolean;
}

/**
 * Where agent versions live (a store capability: `RuntimeStore.versions`). Rows are immutable; only
 * the active pointer moves.
 */
export interface AgentVersionStore {
  /** Stores a version unless one with the same hash exists for the agent; returns the stored row either way. */
  recordVersion(v: VersionCandidate): Promise<{ version: VersionStamp; created: boolean }>;
  /** An agent's versions, oldest first. */
  listVersions(agentId: string): Promise<AgentVersionRow[]>;
  /** Makes `number` the version the agent runs. */
  setActiveVersion(agentId: string, number: number, at: number): Promise<void>;
  /** The version the agent runs, if one was ever made active. */
  activeVersion(agentId: string): Promise<number | undefined>;
  /** Every agent's active version, by agent id (one read for a node's whole set of agents). */
  activeVersions(): Promise<Map<string, number>>;
}
