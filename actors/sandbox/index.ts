export {
  SandboxCapabilityError,
  SandboxCodeError,
  SandboxCpuError,
  SandboxForbiddenError,
  SandboxMemoryError,
  SandboxResultError,
  SandboxThrewError,
  SandboxTimeoutError,
} from './errors.ts';
export { QuickJsSandbox } from './QuickJsSandbox.ts';
export { DEFAULT_SANDBOX_LIMITS, sandboxLimitsSchema } from './sandboxLimits.ts';
export { draftDecisionSchema, SandboxStrategy } from './SandboxStrategy.ts';
export { validateSandboxCode } from './validateSandboxCode.ts';
export type { SandboxCallOptions } from './QuickJsSandbox.ts';
export type { SandboxCapability, SandboxLimits, SandboxUsage } from './sandboxLimits.ts';
export type { SandboxStrategyOptions } from './SandboxStrategy.ts';
export type { StrategyFunction } from './validateSandboxCode.ts';
