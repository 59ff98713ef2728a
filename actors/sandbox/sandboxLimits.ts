import { z } from 'zod';

/**
 * The engines a strategy module can run in: `quickjs` (QuickJS compiled to WebAssembly, the
 * default) or `v8` (a V8 isolate of `isolated-vm`; Node must run with `--no-node-snapshot`).
 */
export const SANDBOX_ENGINES = ['quickjs', 'v8'] as const;
/** One of {@link SANDBOX_ENGINES}. */
export type SandboxEngineName = (typeof SANDBOX_ENGINES)[number];

/** Engine and limits of one sandboxed call, as authored under `sandbox:` in an agent's YAML. */
export const sandboxLimitsSchema = z
  .object({
    /** The isolate's engine (see {@link SANDBOX_ENGINES}). */
    engine: z.enum(SANDBOX_ENGINES).default('quickjs'),
    /** Heap of the isolate, in MiB. */
    memoryMb: z.number().int().min(1).max(1024).default(32),
    /** CPU time the code may spend running (not waiting for capabilities), in ms. */
    cpuMs: z.number().int().min(1).max(60_000).default(250),
    /** Wall-clock time of the whole call, capabilities awaited included, in ms. */
    timeoutMs: z.number().int().min(1).max(600_000).default(2_000),
  })
  .strict();

/** Validated sandbox limits. */
export type SandboxLimits = z.output<typeof sandboxLimitsSchema>;
/** Sandbox limits as a caller may give them: the engine may be left out (QuickJS). */
export type SandboxLimitsInput = Omit<SandboxLimits, 'engine'> & { engine?: SandboxEngineName | undefined };

/** The defaults: QuickJS, 32 MiB, 250 ms of CPU, 2 s of wall clock. */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = Object.freeze(sandboxLimitsSchema.parse({}));

/**
 * A capability granted to sandboxed code: inside the isolate `caps.<name>(args)` returns a promise.
 * `args` is copied out of the isolate and parsed with `args` before `call` sees it; what `call`
 * returns is parsed with `result` and copied in. Neither side ever holds the other's objects.
 */
export interface SandboxCapability<A = unknown, R = unknown> {
  readonly args: z.ZodType<A>;
  readonly result: z.ZodType<R>;
  call(args: A): Promise<R> | R;
}

/** What one sandboxed call used. */
export interface SandboxUsage {
  /** Time spent running code in the isolate, in ms. */
  cpuMs: number;
  /** Wall-clock time of the call, in ms. */
  wallMs: number;
  /**
   * The isolate's heap in use after the call, in bytes (absent when it could not be read). The v8
   * engine reads it at most every 100 ms (a reading costs about as much as a call) and reports its
   * latest reading.
   */
  heapBytes?: number;
}
