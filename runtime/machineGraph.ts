import type { AnyStateMachine } from 'xstate';
import type { MachineGraph } from './MandateRuntime.ts';

interface NodeLike {
  path: string[];
  type: string;
  states: Record<string, NodeLike>;
  transitions: Map<string, Array<{ target?: ReadonlyArray<{ path: string[] }> | undefined }>>;
  always?: Array<{ target?: ReadonlyArray<{ path: string[] }> | undefined }>;
}

function targets(list: Array<{ target?: ReadonlyArray<{ path: string[] }> | undefined }>): string[] {
  return [...new Set(list.flatMap((t) => (t.target ?? []).map((n) => n.path.join('.'))))];
}

/**
 * A machine's states and transitions in a plain form for drawing: one entry
 * per state, each with its events and target states (delayed transitions
 * appear as `xstate.after.*`, eventless ones as `always`).
 */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  let graph = graphs.get(machine);
  if (graph === undefined) {
    graph = buildGraph(machine);
    graphs.set(machine, graph);
  }
  return graph;
}

/** One graph per machine logic (agents of one definition share it). */
const graphs = new WeakMap<AnyStateMachine, MachineGraph>();

function buildGraph(machine: AnyStateMachine): MachineGraph {
  const states: MachineGraph['states'] = [];
  const visit = (node: NodeLike): void => {
    for (const child of Object.values(node.states)) {
      const transitions = [...child.transitions.entries()].map(([event, list]) => ({ event, targets: targets(list) }));
      if (child.always !== undefined && child.always.length > 0)
        transitions.push({ event: 'always', targets: targets(child.always) });
      const type = child.type === 'final' ? 'final' : Object.keys(child.states).length > 0 ? 'compound' : 'atomic';
      states.push({ path: child.path.join('.'), type, transitions });
      visit(child);
    }
  };
  const root = machine.root as unknown as NodeLike & { initial?: { target: ReadonlyArray<{ path: string[] }> } };
  visit(root);
  return { id: machine.id, initial: root.initial?.target[0]?.path.join('.') ?? '', states };
}
