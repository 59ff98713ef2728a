import type { Actuator } from '../actors/index.ts';
import { MandateError } from '../kernel/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { GateBoard } from './GateBoard.ts';

/**
 * The built-in `gate.set` actuator: opens or closes a dependency gate
 * (params `{ gate, open }`). An internal effect, so it also runs in dry-run:
 * a fee watcher holds payments in simulations exactly as it would live.
 */
export function createGateActuator(gates: GateBoard, clock: Clock): Actuator {
  return {
    name: 'gate.set',
    effect: 'internal',
    async execute(action, ctx) {
      const gate = action.params.gate;
      const open = action.params.open;
      if (typeof gate !== 'string' || gate.length === 0 || typeof open !== 'boolean') {
        throw new MandateError('MANDATE_ERR_GATE_PARAMS', `gate.set needs params { gate: string, open: boolean }, got ${JSON.stringify(action.params)}.`, { status: 400 });
      }
      const previous = gates.get(gate)?.open;
      gates.set({ name: gate, open, reason: String(action.params.reason ?? ''), by: { kind: 'agent', id: ctx.agentId }, at: clock.now() });
      return { status: 'succeeded', receipt: { reference: `gate:${gate}`, gate, open, changed: previous !== open } };
    },
  };
}
