import { createRequire } from 'node:module';
import type { EngineIsolate, SandboxEngine } from './engine.ts';
import { SandboxEngineUnavailableError } from './errors.ts';
import type { SandboxLimits } from './sandboxLimits.ts';
import { V8Isolate, type Ivm } from './V8Isolate.ts';

/** The Node flag isolated-vm needs from Node 20 on (Node's startup snapshot breaks its isolates). */
export const NO_NODE_SNAPSHOT = '--no-node-snapshot';
/** The smallest heap isolated-vm gives an isolate, in MiB. */
export const V8_MIN_MEMORY_MB = 8;

/** What decides whether the v8 engine can run in a process: its Node arguments and version. */
export interface V8Host {
  execArgv: readonly string[];
  nodeOptions: string | undefined;
  nodeVersion: string;
}

/** This process, as {@link v8Unavailable} reads it. */
function thisProcess(): V8Host {
  return { execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, nodeVersion: process.versions.node };
}

/**
 * Why the v8 engine cannot run in `host` (a sentence naming the fix), or undefined when it can:
 * from Node 20 on, the process must have been started with `--no-node-snapshot` (on the command
 * line or in `NODE_OPTIONS`).
 */
export function v8Unavailable(host: V8Host = thisProcess()): string | undefined {
  const major = Number(host.nodeVersion.split('.')[0]);
  const flags = [...host.execArgv, ...(host.nodeOptions ?? '').split(/\s+/)];
  if (major < 20 || flags.includes(NO_NODE_SNAPSHOT)) return undefined;
  return `the v8 sandbox engine (isolated-vm) needs Node ${host.nodeVersion} started with ${NO_NODE_SNAPSHOT} (e.g. NODE_OPTIONS=${NO_NODE_SNAPSHOT}); without it, use sandbox.engine: quickjs`;
}

let ivm: Ivm | undefined;

/** isolated-vm, loaded once (an optional dependency: its prebuilt binary may be missing). */
function loadIvm(): Ivm {
  if (ivm !== undefined) return ivm;
  try {
    ivm = createRequire(import.meta.url)('isolated-vm') as Ivm;
    return ivm;
  } catch (cause) {
    throw new SandboxEngineUnavailableError(
      `the v8 sandbox engine could not load isolated-vm (${(cause as Error).message}); install the optional dependency isolated-vm, or use sandbox.engine: quickjs`,
      { cause },
    );
  }
}

/** The v8 engine: isolates of `isolated-vm` (see {@link V8Isolate}). */
export const v8Engine: SandboxEngine = {
  name: 'v8',
  async ready(limits: SandboxLimits): Promise<void> {
    const why = v8Unavailable();
    if (why !== undefined) throw new SandboxEngineUnavailableError(why, { details: { engine: 'v8' } });
    if (limits.memoryMb < V8_MIN_MEMORY_MB) {
      throw new SandboxEngineUnavailableError(
        `the v8 sandbox engine gives an isolate at least ${V8_MIN_MEMORY_MB} MiB; sandbox.memoryMb is ${limits.memoryMb} (raise it, or use sandbox.engine: quickjs)`,
        { details: { engine: 'v8', memoryMb: limits.memoryMb } },
      );
    }
    loadIvm();
  },
  async isolate(limits: SandboxLimits): Promise<EngineIsolate> {
    return new V8Isolate(loadIvm(), limits);
  },
};
