import { createError, type MandateErrorOptions } from '../../kernel/index.ts';

/** A strategy module refused before it ran (parse, size, imports, dynamic `import()`, no known export). */
export class SandboxCodeError extends createError('MANDATE_ERR_SANDBOX_CODE', 'SandboxCodeError') {
  constructor(source: string, problem: string, options: MandateErrorOptions = {}) {
    super(`${source}: ${problem}`, { ...options, details: { source, ...options.details } });
  }
}

/** Sandboxed code used up its CPU budget. */
export class SandboxCpuError extends createError('MANDATE_ERR_SANDBOX_CPU', 'SandboxCpuError') {}

/** Sandboxed code hit its memory (or stack) limit. */
export class SandboxMemoryError extends createError('MANDATE_ERR_SANDBOX_MEMORY', 'SandboxMemoryError') {}

/** A sandboxed call ran past its wall-clock timeout. */
export class SandboxTimeoutError extends createError('MANDATE_ERR_SANDBOX_TIMEOUT', 'SandboxTimeoutError') {}

/** Sandboxed code reached for a host facility (`process`, `require`, `fetch`, …). */
export class SandboxForbiddenError extends createError('MANDATE_ERR_SANDBOX_FORBIDDEN', 'SandboxForbiddenError') {}

/** Sandboxed code called a capability it was not granted, or with arguments the capability refuses. */
export class SandboxCapabilityError extends createError('MANDATE_ERR_SANDBOX_CAPABILITY', 'SandboxCapabilityError') {}

/** Sandboxed code returned a result of the wrong shape. */
export class SandboxResultError extends createError('MANDATE_ERR_SANDBOX_RESULT', 'SandboxResultError') {}

/** Sandboxed code threw. */
export class SandboxThrewError extends createError('MANDATE_ERR_SANDBOX_THREW', 'SandboxThrewError') {}

/** The sandbox engine an agent names cannot run in this process (a missing Node flag, a module that did not load, a limit it cannot honour). */
export class SandboxEngineUnavailableError extends createError(
  'MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE',
  'SandboxEngineUnavailableError',
) {}
