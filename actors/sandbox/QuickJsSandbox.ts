import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import type { z } from 'zod';
import {
  SandboxCapabilityError,
  SandboxCodeError,
  SandboxCpuError,
  SandboxForbiddenError,
  SandboxMemoryError,
  SandboxResultError,
  SandboxThrewError,
  SandboxTimeoutError,
} from './errors.ts';
import {
  DEFAULT_SANDBOX_LIMITS,
  type SandboxCapability,
  type SandboxLimits,
  type SandboxUsage,
} from './sandboxLimits.ts';
import { validateSandboxCode, type StrategyFunction } from './validateSandboxCode.ts';
import { FORBIDDEN_GLOBALS, VM_BOOTSTRAP } from './vmBootstrap.ts';

/** Stack of the isolate: below what the WebAssembly stack holds, so QuickJS reports an overflow before the engine under it does. */
const STACK_BYTES = 128 * 1024;
let compiled: Promise<WebAssembly.Module> | undefined;
let wasm: Promise<QuickJSWASMModule> | undefined;
/**
 * A QuickJS WebAssembly instance; every call gets its own runtime in it. The code is compiled once
 * per process; an instance that hosted a failed call is replaced by a new one (see `dispose`).
 */
function quickJs(): Promise<QuickJSWASMModule> {
  compiled ??= readFile(createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')).then(
    (bytes) => WebAssembly.compile(bytes),
  );
  return (wasm ??= compiled.then((wasmModule) =>
    newQuickJSWASMModuleFromVariant(
      // The variant's types are CommonJS-flavoured (`export default` read as the module object under NodeNext); its ESM build's default export is the variant.
      newVariant(variant as unknown as QuickJSSyncVariant, { wasmModule }),
    ),
  ));
}

/** CPU time of this process so far, in ms (user + system). */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** What a call may use: its result schema and the capabilities granted to it. */
export interface SandboxCallOptions<T> {
  result: z.ZodType<T>;
  caps?: Readonly<Record<string, SandboxCapability<unknown, unknown>>>;
}

/**
 * Runs a validated strategy module's functions in a QuickJS isolate (WebAssembly: its own heap,
 * no file system, network, environment, timers or host objects). Every call gets a fresh runtime
 * with `limits.memoryMb` of heap, an interrupt that stops the code past `limits.cpuMs` of running
 * time or the wall-clock deadline, and is disposed when the call ends, so nothing it did (a
 * polluted prototype, a pending promise) outlives it, and code abandoned at the timeout can never
 * run again. Input is copied in as JSON and frozen; the result is copied out as JSON and parsed
 * with the caller's zod schema. Violations throw `MANDATE_ERR_SANDBOX_*` errors.
 *
 * @example
 * const box = await QuickJsSandbox.load('export async function decide(f, caps) { return await caps.quote(f.pair) }', 'strategy.js');
 * await box.call('decide', { pair: 'EURUSD' }, { result: z.number(), caps: { quote } });
 */
export class QuickJsSandbox {
  readonly source: string;
  readonly functions: readonly StrategyFunction[];
  readonly limits: SandboxLimits;
  /** What the last call used (for health and metrics). */
  lastUsage: SandboxUsage | undefined;
  readonly #code: string;

  private constructor(code: string, source: string, functions: StrategyFunction[], limits: SandboxLimits) {
    this.#code = code;
    this.source = source;
    this.functions = functions;
    this.limits = limits;
  }

  /** Validates `code` (see `validateSandboxCode`) and readies the isolate engine. */
  static async load(
    code: string,
    source: string,
    limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
  ): Promise<QuickJsSandbox> {
    const functions = validateSandboxCode(code, source);
    await quickJs();
    return new QuickJsSandbox(code, source, functions, limits);
  }

  /** Calls the module's exported `fn` with a frozen copy of `input` and the granted `caps`. */
  async call<T>(fn: StrategyFunction, input: unknown, options: SandboxCallOptions<T>): Promise<T> {
    const instance = quickJs();
    const run = new IsolateRun((await instance).newRuntime(), this.limits, `${this.source} ${fn}()`, instance);
    let ok = false;
    try {
      const json = await run.invoke(this.#code, this.source, fn, JSON.stringify(input ?? null), options.caps ?? {});
      const parsed = options.result.safeParse(JSON.parse(json));
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ');
        throw new SandboxResultError(`${run.label} returned a result of the wrong shape: ${where}`, {
          details: {
            source: this.source,
            fn,
            issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
          },
        });
      }
      ok = true;
      return parsed.data;
    } finally {
      this.lastUsage = run.dispose(ok);
    }
  }
}

/** One call's runtime, its budgets and the violation it ended with. */
class IsolateRun {
  readonly label: string;
  readonly #rt: QuickJSRuntime;
  readonly #ctx: QuickJSContext;
  readonly #limits: SandboxLimits;
  readonly #instance: Promise<QuickJSWASMModule>;
  readonly #started = performance.now();
  #deadline: number;
  #cpu = 0;
  #slice = Number.NaN;
  #alive = true;
  /** The first violation seen; sticky, so code that catches it still fails. */
  #violation: Error | undefined;
  /** Rejects the call's wait when a violation happens while the host waits (in a promise job, at the deadline). */
  #abort: (error: Error) => void = () => undefined;

  constructor(rt: QuickJSRuntime, limits: SandboxLimits, label: string, instance: Promise<QuickJSWASMModule>) {
    this.#instance = instance;
    this.#rt = rt;
    this.#limits = limits;
    this.label = label;
    this.#deadline = this.#started + limits.timeoutMs;
    rt.setMemoryLimit(limits.memoryMb * 1024 * 1024);
    rt.setMaxStackSize(STACK_BYTES);
    rt.setInterruptHandler(() => this.#interrupt());
    this.#ctx = rt.newContext();
  }

  #interrupt(): boolean {
    if (this.#violation !== undefined) return true;
    const now = performance.now();
    if (this.#cpu + (cpuNow() - this.#slice) > this.#limits.cpuMs) {
      this.#violation = new SandboxCpuError(
        `${this.label} used more than ${this.#limits.cpuMs} ms of CPU and was stopped`,
      );
    } else if (now > this.#deadline) {
      this.#violation = new SandboxTimeoutError(`${this.label} did not finish within ${this.#limits.timeoutMs} ms`);
    }
    return this.#violation !== undefined;
  }

  /** Runs `f` inside the isolate, counting its time against the CPU budget. */
  #enter<R>(f: () => R): R {
    this.#slice = cpuNow();
    try {
      return f();
    } finally {
      this.#cpu += cpuNow() - this.#slice;
      this.#slice = Number.NaN;
    }
  }

  /** Handle of a VM result, or the violation (or the code's own error) it stands for. */
  #unwrap(result: { error?: QuickJSHandle; value?: QuickJSHandle }): QuickJSHandle {
    if (result.error === undefined) return result.value!;
    throw this.#classify(this.#dumpError(result.error));
  }

  /** The error a handle holds, as plain data; disposes the handle. */
  #dumpError(handle: QuickJSHandle, owned = true): { name?: string; message?: string } | string {
    try {
      return this.#ctx.dump(handle) as { name?: string; message?: string } | string;
    } catch {
      // Dumping can itself run out of memory in an isolate at its limit.
      return 'InternalError: out of memory';
    } finally {
      if (owned) handle.dispose();
    }
  }

  #classify(dumped: { name?: string; message?: string } | string): Error {
    if (this.#violation !== undefined) return this.#violation;
    const message = typeof dumped === 'string' ? dumped : `${dumped.name ?? 'Error'}: ${dumped.message ?? ''}`;
    if (/out of memory|stack overflow/i.test(message)) {
      return new SandboxMemoryError(
        `${this.label} exceeded its ${this.#limits.memoryMb} MiB memory limit (${message})`,
      );
    }
    return new SandboxThrewError(`${this.label} threw ${message}`, { details: { thrown: message } });
  }

  async invoke(
    code: string,
    source: string,
    fn: StrategyFunction,
    inputJson: string,
    caps: Readonly<Record<string, SandboxCapability<unknown, unknown>>>,
  ): Promise<string> {
    const ctx = this.#ctx;
    const pending = new Set<QuickJSDeferredPromise>();
    const forbidden = ctx.newFunction('forbidden', (name) => {
      const what = ctx.getString(name);
      this.#violate(
        new SandboxForbiddenError(`${this.label} reached for "${what}", which sandboxed code does not have`),
      );
    });
    const denied = ctx.newFunction('denied', (name) => {
      const granted = Object.keys(caps).join(', ') || 'none';
      this.#violate(
        new SandboxCapabilityError(
          `${this.label} called capability "${ctx.getString(name)}", which was not granted (granted: ${granted})`,
        ),
      );
    });
    const cap = ctx.newFunction('cap', (nameHandle, argsHandle) =>
      this.#capCall(ctx.getString(nameHandle), ctx.getString(argsHandle), caps, pending),
    );
    let finish: { done(json: string): void; failed(error: Error): void } | undefined;
    const outcome = new Promise<string>((done, failed) => (finish = { done, failed }));
    const done = ctx.newFunction('done', (json) => finish!.done(ctx.getString(json)));
    const failed = ctx.newFunction('failed', (error) => finish!.failed(this.#classify(this.#dumpError(error, false))));
    let timer: NodeJS.Timeout | undefined;
    const aborted = new Promise<never>((_, reject) => (this.#abort = reject));
    // Either may end unawaited when the call fails earlier; its reason is the violation already thrown.
    aborted.catch(() => undefined);
    outcome.catch(() => undefined);
    const handles: QuickJSHandle[] = [forbidden, denied, cap, done, failed];
    try {
      const names = ctx.unwrapResult(ctx.evalCode(JSON.stringify(FORBIDDEN_GLOBALS)));
      const granted = ctx.unwrapResult(ctx.evalCode(JSON.stringify(Object.keys(caps))));
      handles.push(names, granted);
      const boot = this.#unwrap(this.#enter(() => ctx.evalCode(VM_BOOTSTRAP, 'mandate:bootstrap')));
      handles.push(boot);
      const invoke = this.#unwrap(
        this.#enter(() => ctx.callFunction(boot, ctx.undefined, forbidden, denied, cap, names, granted)),
      );
      handles.push(invoke);
      // The budgets are the designer's code's: the bootstrap (ours) does not count against them.
      this.#cpu = 0;
      this.#deadline = performance.now() + this.#limits.timeoutMs;
      timer = setTimeout(
        () =>
          this.#violate(new SandboxTimeoutError(`${this.label} did not finish within ${this.#limits.timeoutMs} ms`)),
        this.#limits.timeoutMs,
      );
      const ns = this.#unwrap(this.#enter(() => ctx.evalCode(code, source, { type: 'module' })));
      handles.push(ns);
      const fnHandle = ctx.getProp(ns, fn);
      handles.push(fnHandle);
      if (ctx.typeof(fnHandle) !== 'function') throw new SandboxCodeError(source, `does not export a function ${fn}`);
      const input = ctx.newString(inputJson);
      handles.push(input);
      this.#unwrap(this.#enter(() => ctx.callFunction(invoke, ctx.undefined, fnHandle, input, done, failed))).dispose();
      this.#pump();
      if (this.#violation !== undefined) throw this.#violation;
      const json = await Promise.race([outcome, aborted]);
      if (this.#violation !== undefined) throw this.#violation;
      return json;
    } finally {
      clearTimeout(timer);
      for (const h of handles) if (h.alive) h.dispose();
      for (const d of pending) d.dispose();
      pending.clear();
    }
  }

  /** Records the first violation and ends the host's wait with it. */
  #violate(error: Error): void {
    this.#violation ??= error;
    this.#abort(this.#violation);
  }

  /** A granted capability called from the isolate: arguments parsed on the host, a VM promise of the result. */
  #capCall(
    name: string,
    argsJson: string,
    caps: Readonly<Record<string, SandboxCapability<unknown, unknown>>>,
    pending: Set<QuickJSDeferredPromise>,
  ): QuickJSHandle | undefined {
    const ctx = this.#ctx;
    const grant = caps[name]!;
    const args = grant.args.safeParse(JSON.parse(argsJson));
    if (!args.success) {
      const why = args.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
      this.#violate(
        new SandboxCapabilityError(`${this.label} called capability "${name}" with invalid arguments: ${why}`),
      );
      return undefined;
    }
    const deferred = ctx.newPromise();
    pending.add(deferred);
    void Promise.resolve()
      .then(() => grant.call(args.data))
      .then((value) => JSON.stringify(grant.result.parse(value) ?? null))
      .then(
        (json) => this.#settle(deferred, pending, () => ctx.newString(json).consume((h) => deferred.resolve(h))),
        (error: unknown) =>
          this.#settle(deferred, pending, () =>
            ctx.newError(`capability "${name}" failed: ${(error as Error).message}`).consume((h) => deferred.reject(h)),
          ),
      );
    return deferred.handle;
  }

  #settle(deferred: QuickJSDeferredPromise, pending: Set<QuickJSDeferredPromise>, settle: () => void): void {
    if (!this.#alive || !pending.has(deferred)) return;
    settle();
    pending.delete(deferred);
    deferred.dispose();
    this.#pump();
  }

  /** Runs the isolate's queued promise jobs (what resolving a capability's promise set going). */
  #pump(): void {
    const r = this.#enter(() => this.#rt.executePendingJobs());
    if (r.error !== undefined) {
      this.#violate(this.#classify(this.#dumpError(r.error)));
    }
  }

  /** Frees the isolate; code in it never runs again. */
  dispose(ok: boolean): SandboxUsage {
    this.#alive = false;
    const usage = { cpuMs: this.#cpu, wallMs: performance.now() - this.#started };
    if (!ok) {
      // QuickJS cannot always free a runtime stopped mid-flight (interrupted, out of memory): its
      // leak check aborts the WebAssembly instance. So the instance that hosted a failed call is
      // dropped whole (V8 collects its memory) and the next call compiles a fresh one.
      if (wasm === this.#instance) wasm = undefined;
      return usage;
    }
    try {
      this.#ctx.dispose();
      this.#rt.dispose();
    } catch {
      if (wasm === this.#instance) wasm = undefined;
    }
    return usage;
  }
}
