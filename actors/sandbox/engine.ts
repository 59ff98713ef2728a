import type { Caps } from './callState.ts';
import type { SandboxEngineName, SandboxLimits, SandboxUsage } from './sandboxLimits.ts';
import type { StrategyFunction } from './validateSandboxCode.ts';

/** One call into an isolate: the label its errors name, the input as JSON, and the host capabilities it may use. */
export interface IsolateCall {
  label: string;
  inputJson: string;
  caps: Caps;
}

/** What a call returned: its result as JSON and what it used. */
export interface IsolateResult {
  json: string;
  usage: SandboxUsage;
}

/**
 * One isolate of an engine holding a strategy module, used by one call at a time. Its built-ins
 * are frozen (see `VM_BOOTSTRAP`); the module's top-level variables persist between calls. A failed
 * call retires it: nothing of a violating run ever runs again.
 */
export interface EngineIsolate {
  /** False once retired: a violation happened or it was disposed. */
  readonly alive: boolean;
  /** Installs the bootstrap and evaluates the module under the budgets of a call; checks it exports `functions`. */
  load(code: string, source: string, functions: readonly StrategyFunction[]): void;
  /**
   * Calls `fn`: its result as JSON, or a `MANDATE_ERR_SANDBOX_*` error (and the isolate retired).
   * An engine may return a call that ended within its first slice as it is (thrown, for an
   * error) rather than as a promise: most calls do, and a promise per call costs microtask turns.
   */
  call(fn: StrategyFunction, call: IsolateCall): IsolateResult | Promise<IsolateResult>;
  /** Drops the isolate after a failure: nothing in it runs again. */
  retire(): void;
  /** Frees an isolate that never failed. */
  dispose(): void;
}

/** What differs between sandbox engines: whether one can run here, and how it makes an isolate. */
export interface SandboxEngine {
  readonly name: SandboxEngineName;
  /** Readies the engine for isolates with `limits`, or throws `MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE` naming the fix. */
  ready(limits: SandboxLimits): Promise<void>;
  /** A new, empty isolate with `limits` (call {@link EngineIsolate.load} next). */
  isolate(limits: SandboxLimits): Promise<EngineIsolate>;
}
