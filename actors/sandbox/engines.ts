import type { SandboxEngine } from './engine.ts';
import { QuickJsIsolate } from './QuickJsIsolate.ts';
import { quickJs } from './quickJsEngine.ts';
import type { SandboxEngineName } from './sandboxLimits.ts';
import { v8Engine } from './v8Engine.ts';

/** The QuickJS engine: isolates in a shared WebAssembly instance (see {@link QuickJsIsolate}). */
const quickJsEngine: SandboxEngine = {
  name: 'quickjs',
  async ready(): Promise<void> {
    await quickJs();
  },
  async isolate(limits) {
    const engine = quickJs();
    return new QuickJsIsolate(await engine, engine, limits);
  },
};

/** The sandbox engines, by the name `sandbox.engine` gives. */
export const ENGINES: Readonly<Record<SandboxEngineName, SandboxEngine>> = { quickjs: quickJsEngine, v8: v8Engine };
