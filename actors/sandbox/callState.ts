import type { SandboxCapability } from './sandboxLimits.ts';

/** Capabilities granted to one call, by name. */
export type Caps = Readonly<Record<string, SandboxCapability<unknown, unknown>>>;

/** The call in flight in an isolate (of either engine): its label, capabilities, budgets, and how it ends. */
export interface CallState {
  label: string;
  caps: Caps;
  /** Capability calls awaiting the host (disposed when the call ends). */
  pending: Set<{ dispose(): void }>;
  /** CPU time used so far (ms). */
  cpu: number;
  /** CPU and wall clock when the current slice of running code began (NaN between slices). */
  slice: number;
  sliceWall: number;
  deadline: number;
  violation?: Error;
  end(result: { json: string } | { error: Error }): void;
}

/** A fresh call state: nothing used, no slice running. */
export function newCallState(
  label: string,
  { caps, deadline, end }: Pick<CallState, 'caps' | 'deadline' | 'end'>,
): CallState {
  return { label, caps, pending: new Set(), cpu: 0, slice: Number.NaN, sliceWall: Number.NaN, deadline, end };
}
