import type IsolatedVM from 'isolated-vm';
import { isMandateError } from '../../kernel/index.ts';
import { notGranted, startCapability } from './capabilityCall.ts';
import { newCallState, type Caps, type CallState } from './callState.ts';
import type { EngineIsolate, IsolateCall, IsolateResult } from './engine.ts';
import {
  SandboxCodeError,
  SandboxCpuError,
  SandboxForbiddenError,
  SandboxMemoryError,
  SandboxThrewError,
  SandboxTimeoutError,
} from './errors.ts';
import type { SandboxLimits, SandboxUsage } from './sandboxLimits.ts';
import type { StrategyFunction } from './validateSandboxCode.ts';
import { V8_BOOTSTRAP } from './v8Bootstrap.ts';
import { FORBIDDEN_GLOBALS } from './vmBootstrap.ts';

/** The `isolated-vm` module. */
export type Ivm = typeof IsolatedVM;
type Result = { json: string } | { error: Error };
type RunFn = (fn: string, inputJson: string) => string | undefined;
type SettleFn = (id: number, ok: boolean, payload: string) => void;
/** Heap statistics cost about as much as a call: read at most this often, in ms. */
const HEAP_EVERY_MS = 100;

/**
 * One V8 isolate (`isolated-vm`) holding a bootstrapped strategy module (see {@link V8_BOOTSTRAP}),
 * used by one call at a time. The isolate has `limits.memoryMb` of heap (isolated-vm disposes it
 * past that). Code runs in slices: the call itself, then each settled capability with the jobs it
 * set going, each entered synchronously with a wall-clock timeout of what is left of the call's
 * CPU budget or of its deadline, whichever is less. While a slice runs the host thread waits for
 * it, so the slice's wall time bounds its CPU time: the CPU budget is never exceeded, and on a
 * loaded machine a slice may be stopped before it used all of it. The CPU time counted and
 * reported is the isolate's own (`isolate.cpuTime`). Any failed call disposes the isolate.
 */
export class V8Isolate implements EngineIsolate {
  readonly #ivm: Ivm;
  readonly #vm: IsolatedVM.Isolate;
  readonly #limits: SandboxLimits;
  #run!: IsolatedVM.Reference<RunFn>;
  #settle!: IsolatedVM.Reference<SettleFn>;
  #call: CallState | undefined;
  #ids = 0;
  #heapAt = Number.NEGATIVE_INFINITY;
  #heapBytes: number | undefined;
  alive = true;

  constructor(ivm: Ivm, limits: SandboxLimits) {
    this.#ivm = ivm;
    this.#limits = limits;
    this.#vm = new ivm.Isolate({ memoryLimit: limits.memoryMb });
  }

  load(code: string, source: string, functions: readonly StrategyFunction[]): void {
    const context = this.#vm.createContextSync();
    const cb = <F extends (...args: never[]) => unknown>(f: F) => new this.#ivm.Callback(f);
    const glue = context.evalClosureSync(
      V8_BOOTSTRAP,
      [
        cb((name: string) => this.#forbidden(name)),
        cb((name: string) => this.#denied(name)),
        cb((name: string) => this.#call !== undefined && Object.hasOwn(this.#call.caps, name)),
        cb((name: string, argsJson: string) => this.#capStart(name, argsJson)),
        cb((json: string) => this.#call?.end({ json })),
        cb((description: string) => this.#call?.end({ error: thrown(this.#label(), description, this.#limits) })),
        JSON.stringify(FORBIDDEN_GLOBALS),
      ],
      { result: { reference: true } },
    ) as IsolatedVM.Reference<Record<'bind' | 'run' | 'settle', unknown>>;
    this.#run = glue.getSync('run', { reference: true }) as IsolatedVM.Reference<RunFn>;
    this.#settle = glue.getSync('settle', { reference: true }) as IsolatedVM.Reference<SettleFn>;
    const bind = glue.getSync('bind', { reference: true }) as IsolatedVM.Reference<
      (ns: unknown, namesJson: string) => string | undefined
    >;
    const call = newCallState(`${source} (module)`, {
      caps: {},
      deadline: performance.now() + this.#limits.timeoutMs,
      end: () => undefined,
    });
    this.#call = call;
    try {
      const module = this.#vm.compileModuleSync(code, { filename: source });
      module.instantiateSync(context, () => {
        throw new SandboxCodeError(source, 'imports a module; sandboxed strategies import nothing');
      });
      this.#slice(call, (timeout) => module.evaluateSync({ timeout }));
      if (call.violation !== undefined) throw call.violation;
      const missing = bind.applySync(undefined, [module.namespace.derefInto(), JSON.stringify(functions)]);
      if (missing !== undefined) throw new SandboxCodeError(source, `exports ${missing}, but not as a function`);
    } catch (error) {
      throw isMandateError(error) ? error : this.#engineError(error, false);
    } finally {
      this.#call = undefined;
    }
  }

  call(fn: StrategyFunction, { label, inputJson, caps }: IsolateCall): IsolateResult | Promise<IsolateResult> {
    const started = performance.now();
    const call = new V8Call(label, caps, started + this.#limits.timeoutMs);
    this.#call = call;
    // #slice turns anything the entry throws into the call's violation.
    const json = this.#slice(call, (timeout) => this.#run.applySync(undefined, [fn, inputJson], { timeout }));
    if (json !== undefined) call.end({ json });
    // Most calls end in that slice, and are returned as they are; one awaiting a capability waits, up to its deadline.
    return call.outcome === undefined ? this.#wait(call, started) : this.#settled(call, started);
  }

  /** Waits for a call still running (awaiting a capability) to end, or for its deadline. */
  async #wait(call: V8Call, started: number): Promise<IsolateResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        call.wake = resolve;
        timer = setTimeout(
          () =>
            this.#violate(new SandboxTimeoutError(`${call.label} did not finish within ${this.#limits.timeoutMs} ms`)),
          Math.max(0, call.deadline - performance.now()),
        );
      });
    } finally {
      clearTimeout(timer);
    }
    return this.#settled(call, started);
  }

  /** The result of a call that ended; its violation or error thrown (and the isolate retired). */
  #settled(call: V8Call, started: number): IsolateResult {
    try {
      const result = call.outcome!;
      if (call.violation !== undefined) throw call.violation;
      if ('error' in result) throw result.error;
      return { json: result.json, usage: this.#usage(call.cpu, started) };
    } catch (error) {
      this.retire();
      throw error;
    } finally {
      call.pending.clear();
      this.#call = undefined;
    }
  }

  retire(): void {
    this.alive = false;
    if (!this.#vm.isDisposed) this.#vm.dispose();
  }

  dispose(): void {
    this.retire();
  }

  #label(): string {
    return this.#call?.label ?? 'sandboxed module';
  }

  /**
   * Runs `f` (one entry into the isolate) with a timeout of what is left of the call's CPU budget
   * or deadline, counting the isolate's CPU time against the budget. A timeout, the memory limit
   * or an error of the entry itself becomes the call's violation (and `undefined` is returned).
   */
  #slice<R>(call: CallState, f: (timeout: number) => R): R | undefined {
    const cpuLeft = this.#limits.cpuMs - call.cpu;
    const wallLeft = call.deadline - performance.now();
    const byCpu = cpuLeft <= wallLeft;
    const timeout = Math.floor(Math.min(cpuLeft, wallLeft));
    if (timeout < 1) {
      this.#violate(this.#engineError(new Error('Script execution timed out.'), byCpu));
      return undefined;
    }
    const before = this.#vm.cpuTime;
    try {
      return f(timeout);
    } catch (error) {
      this.#violate(this.#engineError(error, byCpu));
      return undefined;
    } finally {
      if (!this.#vm.isDisposed) call.cpu += Number(this.#vm.cpuTime - before) / 1e6;
    }
  }

  /** What an entry into the isolate threw: a timeout (CPU or wall clock, by which bounded the slice), the memory limit, or anything else. */
  #engineError(error: unknown, byCpu: boolean): Error {
    const call = this.#call;
    if (call?.violation !== undefined) return call.violation;
    const message = error instanceof Error ? error.message : String(error);
    const label = this.#label();
    if (/timed out/i.test(message)) {
      return byCpu
        ? new SandboxCpuError(`${label} used more than ${this.#limits.cpuMs} ms of CPU and was stopped`)
        : new SandboxTimeoutError(`${label} did not finish within ${this.#limits.timeoutMs} ms`);
    }
    if (/memory limit/i.test(message) || this.#vm.isDisposed) {
      return new SandboxMemoryError(
        `${label} exceeded its ${this.#limits.memoryMb} MiB memory limit (out of memory: ${message})`,
      );
    }
    return thrown(label, `${error instanceof Error ? error.name : 'Error'}: ${message}`, this.#limits);
  }

  #forbidden(name: string): void {
    this.#violate(
      new SandboxForbiddenError(`${this.#label()} reached for "${name}", which sandboxed code does not have`),
    );
  }

  #denied(name: string): void {
    if (this.#call !== undefined) this.#violate(notGranted(this.#call, name));
  }

  /** A capability called from the isolate: its id (the isolate's promise for it waits on `settle(id, …)`), or -1 when refused. */
  #capStart(name: string, argsJson: string): number {
    const call = this.#call;
    if (call === undefined) return -1;
    const id = (this.#ids += 1);
    const waiting = { dispose: () => undefined };
    const refused = startCapability(call, { name, argsJson }, (outcome) => {
      // A call that ended (its isolate retired, or the next call running) never hears of it.
      if (this.#call !== call || !call.pending.delete(waiting)) return;
      const ok = 'json' in outcome;
      const payload = ok ? outcome.json : outcome.error;
      this.#slice(call, (timeout) => this.#settle.applySync(undefined, [id, ok, payload], { timeout }));
    });
    if (refused !== undefined) {
      this.#violate(refused);
      return -1;
    }
    call.pending.add(waiting);
    return id;
  }

  /** Records the call's first violation and ends its wait with it. */
  #violate(error: Error): void {
    const call = this.#call;
    if (call === undefined) return;
    call.violation ??= error;
    call.end({ error: call.violation });
  }

  #usage(cpuMs: number, startedAt: number): SandboxUsage {
    const now = performance.now();
    const usage: SandboxUsage = { cpuMs, wallMs: now - startedAt };
    if (now - this.#heapAt >= HEAP_EVERY_MS) {
      this.#heapAt = now;
      try {
        this.#heapBytes = this.#vm.getHeapStatisticsSync().used_heap_size;
      } catch {
        // Usage without the heap: the call itself succeeded.
      }
    }
    if (this.#heapBytes !== undefined) usage.heapBytes = this.#heapBytes;
    return usage;
  }
}

/**
 * The call in flight (see {@link CallState}): its first outcome wins, and wakes a call waiting on a
 * capability. A class, not a closure per call: most calls are done in one slice.
 */
class V8Call implements CallState {
  readonly pending = new Set<{ dispose(): void }>();
  cpu = 0;
  slice = Number.NaN;
  sliceWall = Number.NaN;
  violation?: Error;
  outcome: Result | undefined;
  wake: (() => void) | undefined;

  constructor(
    readonly label: string,
    readonly caps: Caps,
    readonly deadline: number,
  ) {}

  end(result: Result): void {
    if (this.outcome !== undefined) return;
    this.outcome = result;
    this.wake?.();
  }
}

/**
 * An error the strategy threw (`name: message`, as the isolate described it). A stack overflow and
 * an array buffer the memory limit refused are the memory limit's.
 */
function thrown(label: string, description: string, limits: SandboxLimits): Error {
  if (/^RangeError: Array buffer allocation failed/.test(description)) {
    return new SandboxMemoryError(
      `${label} exceeded its ${limits.memoryMb} MiB memory limit (out of memory: ${description})`,
    );
  }
  if (/Maximum call stack size exceeded/.test(description)) {
    return new SandboxMemoryError(
      `${label} exceeded its ${limits.memoryMb} MiB memory limit (stack overflow: ${description})`,
    );
  }
  return new SandboxThrewError(`${label} threw ${description}`, { details: { thrown: description } });
}
