import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the sandbox that runs designer code (perceive/decide/learn strategies) in an isolate (QuickJS, or V8 through isolated-vm). Documented in docs/errors.md, "Sandbox: designer code in an isolate (actors/sandbox)". */
export const SANDBOX_CODES = {
  MANDATE_ERR_SANDBOX_CODE: {
    status: 400,
    kind: 'error',
    meaning:
      'a strategy module was refused before it ran: it does not parse, is over the size limit, imports something, uses `import()`/`import.meta`, or exports none of perceive/decide/learn',
  },
  MANDATE_ERR_SANDBOX_CPU: {
    status: null,
    kind: 'error',
    meaning: 'sandboxed code ran longer than its CPU budget (`sandbox.cpuMs`) and was interrupted',
  },
  MANDATE_ERR_SANDBOX_MEMORY: {
    status: null,
    kind: 'error',
    meaning: 'sandboxed code exceeded its memory limit (`sandbox.memoryMb`) or its stack and was stopped',
  },
  MANDATE_ERR_SANDBOX_TIMEOUT: {
    status: null,
    kind: 'error',
    meaning:
      'a sandboxed call did not finish within its wall-clock timeout (`sandbox.timeoutMs`), e.g. it awaited a capability that never answered; its isolate was disposed',
  },
  MANDATE_ERR_SANDBOX_FORBIDDEN: {
    status: null,
    kind: 'error',
    meaning:
      'sandboxed code reached for something no isolate has: `process`, `require`, `fetch`, timers, `module`, host globals',
  },
  MANDATE_ERR_SANDBOX_CAPABILITY: {
    status: null,
    kind: 'error',
    meaning:
      'sandboxed code called a capability that was not granted to the agent, or called a granted one with arguments its schema refuses',
  },
  MANDATE_ERR_SANDBOX_RESULT: {
    status: null,
    kind: 'error',
    meaning: "sandboxed code returned a result of the wrong shape (the host's schema names the field)",
  },
  MANDATE_ERR_SANDBOX_THREW: {
    status: null,
    kind: 'error',
    meaning:
      'sandboxed code threw (its message is quoted), including writes to its frozen inputs or frozen built-in prototypes',
  },
  MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      'the sandbox engine an agent names (`sandbox.engine`) cannot run in this process: `v8` needs Node started with `--no-node-snapshot` (e.g. `NODE_OPTIONS=--no-node-snapshot`), the optional dependency isolated-vm installed, and `sandbox.memoryMb` of at least 8; the message names what is missing (or use `engine: quickjs`, the default)',
  },
} as const satisfies Record<string, CodeEntry>;
