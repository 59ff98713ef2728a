import type { z } from 'zod';
import type { EngineIsolate, IsolateResult, SandboxEngine } from './engine.ts';
import { SandboxCodeError, SandboxResultError } from './errors.ts';
import { ENGINES } from './engines.ts';
import {
  DEFAULT_SANDBOX_LIMITS,
  type SandboxCapability,
  type SandboxLimits,
  type SandboxLimitsInput,
  type SandboxUsage,
} from './sandboxLimits.ts';
import { validateSandboxCode, type StrategyFunction } from './validateSandboxCode.ts';

/** What a call may use: its result schema and the capabilities granted to it. */
export interface SandboxCallOptions<T> {
  result: z.ZodType<T>;
  caps?: Readonly<Record<string, SandboxCapability<unknown, unknown>>>;
}

/** A strategy module that passed validation: its code, the file it came from, its exported functions, its limits and engine. */
interface ValidatedModule {
  code: string;
  source: string;
  functions: StrategyFunction[];
  limits: SandboxLimits;
  engine: SandboxEngine;
}

/**
 * Runs a validated strategy module's functions in an isolate of `limits.engine`: QuickJS
 * (WebAssembly, the default) or V8 (`isolated-vm`), each with its own heap and no file system,
 * network, environment, timers or host objects. The isolate has
 * `limits.memoryMb` of heap; each call is interrupted past `limits.cpuMs` of CPU time or its
 * `limits.timeoutMs` wall-clock deadline. Input is copied in as JSON and frozen; the result is
 * copied out as JSON and parsed with the caller's zod schema; capabilities are host functions
 * whose arguments and results are copied and parsed with their schemas. Violations throw
 * `MANDATE_ERR_SANDBOX_*` errors and retire the isolate: the next call starts a fresh one, and
 * code abandoned at a timeout never runs again. Calls run one at a time, in order.
 *
 * @example
 * const box = await Sandbox.load('export async function decide(f, caps) { return await caps.quote(f.pair) }', 'strategy.js');
 * await box.call('decide', { pair: 'EURUSD' }, { result: z.number(), caps: { quote } });
 */
export class Sandbox {
  readonly source: string;
  readonly functions: readonly StrategyFunction[];
  readonly limits: SandboxLimits;
  readonly #engine: SandboxEngine;
  /** What the last call used (for health and metrics). */
  lastUsage: SandboxUsage | undefined;
  /** Isolates started so far (1 + the number retired by violations). */
  isolates = 0;
  readonly #code: string;
  #isolate: EngineIsolate | undefined;
  /** Settles when the last call started settles; undefined when none is in flight. */
  #tail: Promise<void> | undefined;
  /** Each exported function's name in errors: `strategy.js decide()`. */
  readonly #labels: ReadonlyMap<StrategyFunction, string>;

  private constructor({ code, source, functions, limits, engine }: ValidatedModule) {
    this.#code = code;
    this.source = source;
    this.functions = functions;
    this.limits = limits;
    this.#engine = engine;
    this.#labels = new Map(functions.map((fn) => [fn, `${source} ${fn}()`]));
  }

  /**
   * Validates `code` (see `validateSandboxCode`) and readies the engine `limits.engine` names
   * (QuickJS when left out); throws `MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE` when it cannot run here.
   */
  static async load(
    code: string,
    source: string,
    limits: SandboxLimitsInput = DEFAULT_SANDBOX_LIMITS,
  ): Promise<Sandbox> {
    const functions = validateSandboxCode(code, source);
    const full: SandboxLimits = { ...limits, engine: limits.engine ?? 'quickjs' };
    const engine = ENGINES[full.engine];
    await engine.ready(full);
    return new Sandbox({ code, source, functions, limits: full, engine });
  }

  /**
   * Calls the module's exported `fn` with a frozen copy of `input` and the granted `caps`. With no
   * call in flight it starts at once; otherwise after the calls before it.
   */
  call<T>(fn: StrategyFunction, input: unknown, options: SandboxCallOptions<T>): Promise<T> {
    if (this.#tail !== undefined) return this.#track(this.#tail.then(() => this.#run(fn, input, options)));
    try {
      const result = this.#run(fn, input, options);
      return result instanceof Promise ? this.#track(result) : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Frees the isolate. */
  dispose(): void {
    this.#isolate?.dispose();
    this.#isolate = undefined;
  }

  /** Makes `run` the call the next one waits for, until it settles. */
  #track<T>(run: Promise<T>): Promise<T> {
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tail = tail;
    void tail.then(() => {
      if (this.#tail === tail) this.#tail = undefined;
    });
    return run;
  }

  /** Runs one call: its result parsed, as it is when the isolate ended it in its first slice, else as a promise. */
  #run<T>(fn: StrategyFunction, input: unknown, options: SandboxCallOptions<T>): T | Promise<T> {
    const label = this.#labels.get(fn);
    if (label === undefined) throw new SandboxCodeError(this.source, `exports no ${fn}()`);
    const call = { label, inputJson: JSON.stringify(input ?? null), caps: options.caps ?? {} };
    const isolate = this.#isolate;
    if (isolate?.alive === true) {
      const out = isolate.call(fn, call);
      return out instanceof Promise
        ? out.then((r) => this.#parse(isolate, r, { fn, result: options.result }))
        : this.#parse(isolate, out, { fn, result: options.result });
    }
    return this.#fresh().then(async (fresh) =>
      this.#parse(fresh, await fresh.call(fn, call), { fn, result: options.result }),
    );
  }

  /** The call's result parsed with the caller's schema; a wrong shape retires the isolate. */
  #parse<T>(
    isolate: EngineIsolate,
    { json, usage }: IsolateResult,
    { fn, result }: { fn: StrategyFunction; result: z.ZodType<T> },
  ): T {
    this.lastUsage = usage;
    const parsed = result.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
    isolate.retire();
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ');
    throw new SandboxResultError(`${this.#labels.get(fn)!} returned a result of the wrong shape: ${where}`, {
      details: {
        source: this.source,
        fn,
        issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
      },
    });
  }

  /** A new isolate (module evaluated), when there is none or the last was retired. */
  async #fresh(): Promise<EngineIsolate> {
    const isolate = await this.#engine.isolate(this.limits);
    this.isolates += 1;
    try {
      isolate.load(this.#code, this.source, this.functions);
    } catch (error) {
      isolate.retire();
      throw error;
    }
    this.#isolate = isolate;
    return isolate;
  }
}
