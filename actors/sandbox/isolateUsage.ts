import type { QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { SandboxUsage } from './sandboxLimits.ts';

/**
 * What a finished call used: its CPU time, its wall time since `startedAt` (`performance.now()`),
 * and the isolate's heap in use afterwards (QuickJS `memory_used_size`; left out if reading it fails,
 * e.g. in an isolate at its memory limit, since reading allocates a little inside it).
 */
export function isolateUsage(
  isolate: { rt: QuickJSRuntime; ctx: QuickJSContext },
  call: { cpuMs: number; startedAt: number },
): SandboxUsage {
  const usage: SandboxUsage = { cpuMs: call.cpuMs, wallMs: performance.now() - call.startedAt };
  try {
    const handle = isolate.rt.computeMemoryUsage();
    try {
      const bytes = (isolate.ctx.dump(handle) as { memory_used_size?: unknown }).memory_used_size;
      if (typeof bytes === 'number' && Number.isFinite(bytes)) usage.heapBytes = bytes;
    } finally {
      handle.dispose();
    }
  } catch {
    // Usage without the heap: the call itself succeeded.
  }
  return usage;
}
