import type { CallState } from './callState.ts';
import { SandboxCapabilityError } from './errors.ts';

/** How a capability call ended: its result as JSON (parsed with the capability's schema), or why it failed. */
export type CapabilityOutcome = { json: string } | { error: string };

/** The error for calling a capability the call does not hold. */
export function notGranted(call: CallState, name: string): SandboxCapabilityError {
  const held = Object.keys(call.caps).join(', ') || 'none';
  return new SandboxCapabilityError(
    `${call.label} called capability "${name}", which was not granted (granted: ${held})`,
  );
}

/**
 * Starts the granted capability `name` for a call of the isolate: its arguments (JSON copied out
 * of the isolate) are parsed with the capability's schema on the host, then it runs and its result
 * is parsed with its result schema; `settle` hears how it ended, later. Returns the violation
 * instead, and starts nothing, for a capability not granted, arguments it refuses, or a call that
 * already violated its sandbox.
 */
export function startCapability(
  call: CallState,
  { name, argsJson }: { name: string; argsJson: string },
  settle: (outcome: CapabilityOutcome) => void,
): Error | undefined {
  if (call.violation !== undefined) return call.violation;
  const grant = Object.hasOwn(call.caps, name) ? call.caps[name] : undefined;
  if (grant === undefined) return notGranted(call, name);
  let raw: unknown;
  try {
    raw = JSON.parse(argsJson);
  } catch {
    raw = undefined;
  }
  const args = grant.args.safeParse(raw);
  if (!args.success) {
    const why = args.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
    return new SandboxCapabilityError(`${call.label} called capability "${name}" with invalid arguments: ${why}`);
  }
  void Promise.resolve()
    .then(() => grant.call(args.data))
    .then((value) => JSON.stringify(grant.result.parse(value) ?? null))
    .then(
      (json) => settle({ json }),
      (error: unknown) => settle({ error: `capability "${name}" failed: ${(error as Error).message}` }),
    );
  return undefined;
}
