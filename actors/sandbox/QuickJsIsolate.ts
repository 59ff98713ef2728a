import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { notGranted, startCapability } from './capabilityCall.ts';
import {
  SandboxCodeError,
  SandboxCpuError,
  SandboxForbiddenError,
  SandboxMemoryError,
  SandboxThrewError,
  SandboxTimeoutError,
} from './errors.ts';
import { newCallState, type CallState } from './callState.ts';
import type { EngineIsolate, IsolateCall } from './engine.ts';
import { isolateUsage } from './isolateUsage.ts';
import { cpuNow, retireQuickJs } from './quickJsEngine.ts';
import type { SandboxLimits, SandboxUsage } from './sandboxLimits.ts';
import type { StrategyFunction } from './validateSandboxCode.ts';
import { FORBIDDEN_GLOBALS, VM_BOOTSTRAP } from './vmBootstrap.ts';

/** Stack of the isolate: below what the WebAssembly stack holds, so QuickJS reports an overflow before the engine under it does. */
const STACK_BYTES = 128 * 1024;

/**
 * One QuickJS runtime and context holding a bootstrapped strategy module, used by one call at a
 * time. Its built-ins are frozen, so a call cannot change what the next one relies on; the
 * module's own top-level variables do persist between calls (strategy state). Any failed call
 * retires the isolate (and its WebAssembly instance), so nothing of a violating run ever runs again.
 */
export class QuickJsIsolate implements EngineIsolate {
  readonly #rt: QuickJSRuntime;
  readonly #ctx: QuickJSContext;
  readonly #engine: Promise<QuickJSWASMModule>;
  readonly #limits: SandboxLimits;
  readonly #fns = new Map<string, QuickJSHandle>();
  #invoke!: QuickJSHandle;
  #done!: QuickJSHandle;
  #failed!: QuickJSHandle;
  #call: CallState | undefined;
  /** False once retired: a violation happened or it was disposed. */
  alive = true;

  constructor(qjs: QuickJSWASMModule, engine: Promise<QuickJSWASMModule>, limits: SandboxLimits) {
    this.#engine = engine;
    this.#limits = limits;
    this.#rt = qjs.newRuntime();
    this.#rt.setMemoryLimit(limits.memoryMb * 1024 * 1024);
    this.#rt.setMaxStackSize(STACK_BYTES);
    this.#rt.setInterruptHandler(() => this.#interrupt());
    this.#ctx = this.#rt.newContext();
  }

  /** Installs the bootstrap and evaluates the module (its top level runs under the call budgets of a first call). */
  load(code: string, source: string, functions: readonly StrategyFunction[]): void {
    const ctx = this.#ctx;
    const host = (name: string, f: (...args: QuickJSHandle[]) => QuickJSHandle | undefined | void): QuickJSHandle =>
      ctx.newFunction(name, (...args) => f(...args) ?? undefined);
    const forbidden = host('forbidden', (name) => {
      const what = ctx.getString(name);
      this.#violate(
        new SandboxForbiddenError(`${this.#label()} reached for "${what}", which sandboxed code does not have`),
      );
    });
    const denied = host('denied', (name) => {
      if (this.#call !== undefined) this.#violate(notGranted(this.#call, ctx.getString(name)));
    });
    const granted = host('granted', (name) =>
      Object.hasOwn(this.#call?.caps ?? {}, ctx.getString(name)) ? ctx.true : ctx.false,
    );
    const cap = host('cap', (name, args) => this.#capCall(ctx.getString(name), ctx.getString(args)));
    this.#done = host('done', (json) => this.#call?.end({ json: ctx.getString(json) }));
    this.#failed = host('failed', (error) => this.#call?.end({ error: this.#classify(this.#dump(error)) }));
    const names = ctx.unwrapResult(ctx.evalCode(JSON.stringify(FORBIDDEN_GLOBALS)));
    const boot = this.#unwrap(ctx.evalCode(VM_BOOTSTRAP, 'mandate:bootstrap'));
    this.#invoke = this.#unwrap(ctx.callFunction(boot, ctx.undefined, forbidden, denied, granted, cap, names));
    for (const h of [forbidden, denied, granted, cap, names, boot]) h.dispose();
    const ns = this.#unwrap(this.#budgeted(`${source} (module)`, () => ctx.evalCode(code, source, { type: 'module' })));
    for (const fn of functions) {
      const handle = ctx.getProp(ns, fn);
      if (ctx.typeof(handle) !== 'function') throw new SandboxCodeError(source, `exports ${fn}, but not as a function`);
      this.#fns.set(fn, handle);
    }
    ns.dispose();
  }

  /** Calls `fn` with a JSON input; resolves with its result as JSON or rejects with a `MANDATE_ERR_SANDBOX_*` error. */
  async call(
    fn: StrategyFunction,
    { label, inputJson, caps }: IsolateCall,
  ): Promise<{ json: string; usage: SandboxUsage }> {
    const started = performance.now();
    let outcome: { json: string } | { error: Error } | undefined;
    let wake: ((r: { json: string } | { error: Error }) => void) | undefined;
    const end: CallState['end'] = (r) => void (outcome === undefined && ((outcome = r), wake?.(r)));
    const deadline = started + this.#limits.timeoutMs;
    const call = newCallState(label, { caps, deadline, end });
    this.#call = call;
    let timer: NodeJS.Timeout | undefined;
    try {
      // One slice for the call and the jobs it queued (one pair of CPU readings, not two).
      this.#enter(() => {
        const input = this.#ctx.newString(inputJson);
        const r = this.#ctx.callFunction(
          this.#invoke,
          this.#ctx.undefined,
          this.#fns.get(fn)!,
          input,
          this.#done,
          this.#failed,
        );
        input.dispose();
        this.#unwrap(r).dispose();
        this.#runJobs();
      });
      // Most calls end in that slice; only one awaiting a capability needs a timer (running code has the interrupt handler).
      const result =
        outcome ??
        (await new Promise<{ json: string } | { error: Error }>((resolve) => {
          wake = resolve;
          const left = Math.max(0, deadline - performance.now());
          timer = setTimeout(
            () => this.#violate(new SandboxTimeoutError(`${label} did not finish within ${this.#limits.timeoutMs} ms`)),
            left,
          );
        }));
      if (call.violation !== undefined) throw call.violation;
      if ('error' in result) throw result.error;
      const usage = isolateUsage({ rt: this.#rt, ctx: this.#ctx }, { cpuMs: call.cpu, startedAt: started });
      return { json: result.json, usage };
    } catch (error) {
      this.retire();
      throw error;
    } finally {
      clearTimeout(timer);
      for (const d of call.pending) d.dispose();
      this.#call = undefined;
    }
  }

  /** Drops the isolate after a failure (see `retireQuickJs`): nothing in it runs again. */
  retire(): void {
    this.alive = false;
    retireQuickJs(this.#engine);
  }

  /** Frees an isolate that never failed. */
  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    try {
      for (const h of [...this.#fns.values(), this.#invoke, this.#done, this.#failed]) h.dispose();
      this.#ctx.dispose();
      this.#rt.dispose();
    } catch {
      retireQuickJs(this.#engine);
    }
  }

  #label(): string {
    return this.#call?.label ?? 'sandboxed module';
  }

  /** Runs the module's top level under the budgets of a call of its own. */
  #budgeted<R>(label: string, f: () => R): R {
    const deadline = performance.now() + this.#limits.timeoutMs;
    this.#call = newCallState(label, { caps: {}, deadline, end: () => undefined });
    try {
      const r = this.#enter(f);
      if (this.#call.violation !== undefined) throw this.#call.violation;
      return r;
    } finally {
      this.#call = undefined;
    }
  }

  #interrupt(): boolean {
    const call = this.#call;
    if (call === undefined) return false; // only the bootstrap (ours) runs outside a call
    if (call.violation !== undefined) return true;
    const wall = performance.now();
    const budget = this.#limits.cpuMs;
    // The code runs on this thread, so its CPU time never exceeds the wall time of the slice; the
    // process-wide reading (GC threads count too) is read only once twice that could reach the budget.
    if (call.cpu + 2 * (wall - call.sliceWall) > budget && call.cpu + (cpuNow() - call.slice) > budget) {
      call.violation = new SandboxCpuError(`${call.label} used more than ${budget} ms of CPU and was stopped`);
    } else if (wall > call.deadline) {
      call.violation = new SandboxTimeoutError(`${call.label} did not finish within ${this.#limits.timeoutMs} ms`);
    }
    return call.violation !== undefined;
  }

  /** Runs `f` inside the isolate, counting its CPU time against the call's budget. */
  #enter<R>(f: () => R): R {
    const call = this.#call!;
    call.slice = cpuNow();
    call.sliceWall = performance.now();
    try {
      return f();
    } finally {
      call.cpu += cpuNow() - call.slice;
      call.slice = Number.NaN;
      call.sliceWall = Number.NaN;
    }
  }

  /** Records the call's first violation and ends its wait with it. */
  #violate(error: Error): void {
    const call = this.#call;
    if (call === undefined) return;
    call.violation ??= error;
    call.end({ error: call.violation });
  }

  #unwrap(result: { error?: QuickJSHandle; value?: QuickJSHandle }): QuickJSHandle {
    if (result.error === undefined) return result.value!;
    const dumped = this.#dump(result.error);
    result.error.dispose();
    throw this.#classify(dumped);
  }

  /** The error a handle holds, as plain data (the caller disposes the handle). */
  #dump(handle: QuickJSHandle): { name?: string; message?: string } | string {
    try {
      return this.#ctx.dump(handle) as { name?: string; message?: string } | string;
    } catch {
      // Dumping can itself run out of memory in an isolate at its limit.
      return 'InternalError: out of memory';
    }
  }

  #classify(dumped: { name?: string; message?: string } | string): Error {
    if (this.#call?.violation !== undefined) return this.#call.violation;
    const message = typeof dumped === 'string' ? dumped : `${dumped.name ?? 'Error'}: ${dumped.message ?? ''}`;
    if (/out of memory|stack overflow/i.test(message)) {
      return new SandboxMemoryError(
        `${this.#label()} exceeded its ${this.#limits.memoryMb} MiB memory limit (${message})`,
      );
    }
    return new SandboxThrewError(`${this.#label()} threw ${message}`, { details: { thrown: message } });
  }

  /** A granted capability called from the isolate: arguments parsed on the host, a VM promise of the result. */
  #capCall(name: string, argsJson: string): QuickJSHandle | undefined {
    const call = this.#call!;
    const ctx = this.#ctx;
    const deferred = ctx.newPromise();
    const refused = startCapability(call, { name, argsJson }, (outcome) => {
      // A call that ended (its isolate retired, or the next call running) never hears of it.
      if (this.#call !== call || !call.pending.delete(deferred)) return;
      if ('json' in outcome) ctx.newString(outcome.json).consume((h) => deferred.resolve(h));
      else ctx.newError(outcome.error).consume((h) => deferred.reject(h));
      deferred.dispose();
      this.#pump();
    });
    if (refused !== undefined) {
      deferred.dispose();
      this.#violate(refused);
      return undefined;
    }
    call.pending.add(deferred);
    return deferred.handle;
  }

  /** Runs the isolate's queued promise jobs (what a settled capability set going) as a slice of its own. */
  #pump(): void {
    this.#enter(() => this.#runJobs());
  }

  /** Runs the queued promise jobs inside the current slice. */
  #runJobs(): void {
    const r = this.#rt.executePendingJobs();
    if (r.error !== undefined) {
      const dumped = this.#dump(r.error);
      r.error.dispose();
      this.#violate(this.#classify(dumped));
    }
  }
}
