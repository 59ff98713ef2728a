/**
 * The sandbox's containment tests, run against each engine named (describe.each): the QuickJS
 * engine in `actors/sandbox/QuickJsSandbox.test.ts`, the V8 engine in
 * `actors/sandbox/V8Sandbox.v8.test.ts` (vitest project `sandbox-v8`, whose forks run Node with
 * `--no-node-snapshot`). Each test fails if its containment is removed.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Sandbox, type SandboxCapability, type SandboxEngineName } from '../../actors/sandbox/index.ts';

const limits = { memoryMb: 16, cpuMs: 1_000, timeoutMs: 3_000 };
/** The smallest heap each engine gives an isolate (MiB): what the memory bomb runs in. */
const SMALLEST_HEAP: Record<SandboxEngineName, number> = { quickjs: 2, v8: 8 };
const any = z.unknown();

/** What a test strategy runs with (defaults: an empty input, no capabilities, the test limits). */
interface RunOptions {
  input?: unknown;
  caps?: Record<string, SandboxCapability<unknown, unknown>>;
  within?: typeof limits;
}

const quote: SandboxCapability<{ pair: string }, number> = {
  args: z.object({ pair: z.string() }).strict(),
  result: z.number(),
  call: ({ pair }) => (pair === 'EURUSD' ? 1.08 : 0),
};

/** The containment suite, once per engine in `engines`. */
export function describeContainment(engines: readonly SandboxEngineName[]): void {
  describe.each(engines)('sandbox (%s) - containment', (engine) => {
    const load = (code: string, source: string, within = limits) => Sandbox.load(code, source, { ...within, engine });
    const run = async (code: string, { input = {}, caps = {}, within = limits }: RunOptions = {}) => {
      const box = await load(code, 'strategy.js', within);
      return box.call('decide', input, { result: any, caps });
    };

    it('sandbox - a strategy gets a copy of its input, calls a granted capability and returns a validated result', async () => {
      const box = await load(
        'export async function decide(facts, caps) { const rate = await caps.quote({ pair: facts.pair }); return { rate, doubled: rate * 2 }; }',
        'strategy.js',
        limits,
      );
      const result = await box.call(
        'decide',
        { pair: 'EURUSD' },
        { result: z.object({ rate: z.number(), doubled: z.number() }), caps: { quote } },
      );
      expect(result).toEqual({ rate: 1.08, doubled: 2.16 });
      expect(box.lastUsage?.cpuMs).toBeGreaterThanOrEqual(0);
      // The isolate's heap after the call: the engine's own count, under the isolate's memory limit.
      expect(box.lastUsage?.heapBytes).toBeGreaterThan(10_000);
      expect(box.lastUsage?.heapBytes).toBeLessThan(limits.memoryMb * 1024 * 1024);
    });

    it('sandbox - an infinite loop is stopped at its CPU budget', async () => {
      await expect(
        run('export function decide() { for (;;) {} }', { within: { ...limits, cpuMs: 100 } }),
      ).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_CPU',
      });
    });

    it('sandbox - an infinite loop that catches the interrupt is still stopped', async () => {
      const code = 'export function decide() { for (;;) { try { for (;;) {} } catch (e) {} } }';
      await expect(run(code, { within: { ...limits, cpuMs: 100 } })).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_CPU',
      });
    });

    it('sandbox - a memory bomb hits the memory limit', async () => {
      // A generous CPU budget, so it is the heap limit that stops it (both engines collect hard near the limit).
      const code = 'export function decide() { const a = []; for (let i = 0; ; i++) a.push({ i, s: "k" + i }); }';
      await expect(
        run(code, { within: { memoryMb: SMALLEST_HEAP[engine], cpuMs: 20_000, timeoutMs: 30_000 } }),
      ).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_MEMORY',
        message: expect.stringContaining('out of memory'),
      });
    });

    it('sandbox - a large array buffer is refused by the memory limit', async () => {
      const code =
        'export function decide() { const a = []; for (let i = 0; i < 64; i++) a.push(new ArrayBuffer(16 * 1024 * 1024)); return a.length }';
      await expect(run(code)).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_MEMORY' });
    });

    it('sandbox - unbounded recursion is stopped by the stack limit', async () => {
      await expect(run('export function decide() { const f = () => f() + 1; return f(); }')).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_MEMORY',
        message: expect.stringContaining('stack overflow'),
      });
    });

    it.each([
      ['process', 'return process.env'],
      ['require', "return require('node:fs').readFileSync('/etc/hostname', 'utf8')"],
      ['fetch', "return fetch('http://127.0.0.1:1/')"],
      ['setTimeout', 'return new Promise((r) => setTimeout(r, 1))'],
      ['Function constructor', "return globalThis.constructor.constructor('return process')().env"],
      ['typeof process', "return typeof process === 'object' ? 'host' : 'none'"],
      // V8's WebAssembly memories are allocated outside the isolate's limited heap: 256 MiB here.
      ['WebAssembly', 'return new WebAssembly.Memory({ initial: 1, maximum: 65536 }).grow(4096)'],
    ])('sandbox - reaching for %s is a forbidden access', async (_what, body) => {
      await expect(run(`export function decide() { ${body}; }`)).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_FORBIDDEN',
      });
    });

    it('sandbox - catching the forbidden error does not make the run succeed', async () => {
      const code = "export function decide() { try { return process.env } catch (e) { return 'caught' } }";
      await expect(run(code)).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_FORBIDDEN' });
    });

    it('sandbox - import() and static imports are refused before the code runs', async () => {
      await expect(
        run("export async function decide() { return (await import('node:fs')).readFileSync }"),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_CODE', message: expect.stringContaining('import()') });
      await expect(run("import fs from 'node:fs'; export function decide() { return fs }")).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_CODE',
      });
      await expect(run('export function decide() { return import.meta.url }')).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_CODE',
      });
    });

    it('sandbox - eval compiles inside the isolate and reaches no more than the module', async () => {
      expect(await run("export function decide() { return eval('[1, 2].map((x) => x * 2).join()') }")).toBe('2,4');
      await expect(run("export function decide() { return eval('process.pid') }")).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_FORBIDDEN',
      });
    });

    it('sandbox - prototype pollution and writes to passed-in objects fail inside and never reach the host', async () => {
      const input = { invoice: { amount: '10' } };
      await expect(
        run('export function decide(facts) { Object.prototype.polluted = "yes"; return 1 }', { input }),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_THREW' });
      await expect(
        run('export function decide(facts) { facts.invoice.__proto__.polluted = "yes"; return 1 }', { input }),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_THREW' });
      await expect(
        run('export function decide(facts) { facts.invoice.amount = "999999"; return 1 }', { input }),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_THREW' });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(input).toEqual({ invoice: { amount: '10' } });
      // Built-ins stay frozen, and a violating isolate is retired: nothing one call did is seen by the next.
      expect(await run('export function decide() { return ({}).polluted ?? "clean" }')).toBe('clean');
    });

    it('sandbox - a capability that was not granted is refused, and so are arguments a granted one does not accept', async () => {
      await expect(
        run("export async function decide(f, caps) { return await caps.payments({ to: 'x' }) }", { caps: { quote } }),
      ).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_CAPABILITY',
        message: expect.stringContaining('"payments"'),
      });
      await expect(
        run('export async function decide(f, caps) { return await caps.quote({ pair: 7 }) }', { caps: { quote } }),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_CAPABILITY', message: expect.stringContaining('pair') });
    });

    it('sandbox - a result of the wrong shape is refused, naming the field', async () => {
      const box = await load('export function decide() { return { confidence: "high" } }', 's.js', limits);
      await expect(box.call('decide', {}, { result: z.object({ confidence: z.number() }) })).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_RESULT',
        message: expect.stringContaining('confidence'),
      });
    });

    it('sandbox - a capability call that never returns ends at the wall-clock timeout, and the code never runs again', async () => {
      let after = 0;
      const hang: SandboxCapability<null, number> = {
        args: z.null(),
        result: z.number(),
        call: () => new Promise<number>(() => undefined),
      };
      const tick: SandboxCapability<null, null> = {
        args: z.null(),
        result: z.null(),
        call: () => ((after += 1), null),
      };
      const code = 'export async function decide(f, caps) { await caps.hang(null); await caps.tick(null); return 1 }';
      await expect(run(code, { caps: { hang, tick }, within: { ...limits, timeoutMs: 300 } })).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_TIMEOUT',
      });
      expect(after).toBe(0);
    });

    it('sandbox - module state persists between calls of one isolate, and a violation starts a fresh isolate', async () => {
      const code = 'let n = 0; export function decide(f) { n += 1; if (f.escape) return process.pid; return n }';
      const box = await load(code, 'counter.js', limits);
      expect(await box.call('decide', {}, { result: z.number() })).toBe(1);
      expect(await box.call('decide', {}, { result: z.number() })).toBe(2);
      await expect(box.call('decide', { escape: true }, { result: z.number() })).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_FORBIDDEN',
      });
      expect(await box.call('decide', {}, { result: z.number() })).toBe(1);
      expect(box.isolates).toBe(2);
    });

    it('sandbox - a module whose top level loops is stopped at its CPU budget; one whose top level throws is reported', async () => {
      await expect(
        run('for (;;) {} export function decide() { return 1 }', { within: { ...limits, cpuMs: 100 } }),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_CPU', message: expect.stringContaining('(module)') });
      await expect(
        run("throw new TypeError('bad config'); export function decide() { return 1 }"),
      ).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_THREW',
        message: expect.stringContaining('bad config'),
      });
      await expect(run('export const decide = 1')).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_CODE' });
    });

    it('sandbox - a thrown error is reported with its message', async () => {
      await expect(run("export function decide() { throw new RangeError('no rate') }")).rejects.toMatchObject({
        code: 'MANDATE_ERR_SANDBOX_THREW',
        message: expect.stringContaining('RangeError: no rate'),
      });
    });
  });
}
