export {
  SandboxCapabilityError,
  SandboxCodeError,
  SandboxCpuError,
  SandboxEngineUnavailableError,
  SandboxForbiddenError,
  SandboxMemoryError,
  SandboxResultError,
  SandboxThrewError,
  SandboxTimeoutError,
} from './errors.ts';
export { Sandbox } from './Sandbox.ts';
export { DEFAULT_SANDBOX_LIMITS, sandboxLimitsSchema } from './sandboxLimits.ts';
export { v8Unavailable } from './v8Engine.ts';
export { draftDecisionSchema, SandboxStrategy } from './SandboxStrategy.ts';
export { validateSandboxCode } from './validateSandboxCode.ts';
export type { SandboxCallOptions } from './Sandbox.ts';
export type {
  SandboxCapability,
  SandboxEngineName,
  SandboxLimits,
  SandboxLimitsInput,
  SandboxUsage,
} from './sandboxLimits.ts';
export type { SandboxStrategyOptions } from './SandboxStrategy.ts';
export type { StrategyFunction } from './validateSandboxCode.ts';
