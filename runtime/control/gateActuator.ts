import type { Actuator } from '../../actors/index.ts';
import { GateParamsError } from '../errors.ts';
import type { MandateRuntime } from '../MandateRuntime.ts';

/**
 * The built-in `gate.set` actuator: opens or closes a dependency gate (params `{ gate, open,
 * reason? }`) through the runtime's audited `setGate`, as the acting agent. An internal effect,
 * so it also runs in dry-run: a fee watcher holds payments in simulations exactly as it would live.
 */
export function createGateActuator(runtime: Pick<MandateRuntime, 'setGate' | 'gate'>): Actuator {
  return {
    name: 'gate.set',
    effect: 'internal',
    async execute(action, ctx) {
      const gate = action.params.gate;
      const open = action.params.open;
      if (typeof gate !== 'string' || gate.length === 0 || typeof open !== 'boolean') {
        throw new GateParamsError(
          `gate.set needs params { gate: string, open: boolean }, got ${JSON.stringify(action.params)}; fix the action's params.`,
          { details: { params: action.params } },
        );
      }
      const previous = runtime.gate(gate)?.open;
      await runtime.setGate({
        name: gate,
        open,
        by: { kind: 'agent', id: ctx.agentId },
        why: typeof action.params.reason === 'string' ? action.params.reason : '',
      });
      return { status: 'succeeded', receipt: { reference: `gate:${gate}`, gate, open, changed: previous !== open } };
    },
  };
}
