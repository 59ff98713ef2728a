/**
 * A two-agent system written as a designer outside this repository writes one: it imports
 * mandate by package name only, in erasable TypeScript (Node strips the types when `mandate run`
 * loads it). The producer opens the "batch-ready" gate; the consumer depends on that gate, so it
 * can only run after the producer acted, and then writes a note every cycle.
 */
import { createGateActuator, defineAgent, type MandateRuntime } from 'mandate';
import { RulesDecider, type Actuator } from 'mandate/actors';

type Runtime = MandateRuntime;

const producerRules = RulesDecider.fromYaml(
  `
rules:
  - name: open-batch-gate
    conditions:
      all:
        - { fact: gate, path: $.open, operator: notEqual, value: true }
    event:
      type: gate.set
      capability: gates.write
      params: { gate: batch-ready, open: true, reason: a batch is ready }
      rationale: a batch is ready for the consumer
`,
  'producer rules',
);

const consumerRules = RulesDecider.fromYaml(
  `
rules:
  - name: note-the-batch
    conditions:
      all:
        - { fact: batch, path: $.size, operator: greaterThan, value: 0 }
    event:
      type: note.write
      capability: notes.write
      params: { text: "$fact:batch.size" }
      rationale: a batch arrived
`,
  'consumer rules',
);

/** The notes the consumer wrote, in order. */
export const notes: string[] = [];

/** An internal effect (it runs in dry-run too): appends to {@link notes}. */
const noteActuator: Actuator = {
  name: 'note.write',
  effect: 'internal',
  async execute(action) {
    notes.push(String(action.params.text));
    return { status: 'succeeded', receipt: { reference: `note:${notes.length}` } };
  },
};

/** What `mandate run <dir>` calls: spawns both agents on the runtime it was given. */
export async function setup(runtime: Runtime): Promise<{ capabilities: ReadonlyMap<string, string> }> {
  const producer = defineAgent({
    id: 'producer',
    capabilities: ['gates.write'],
    group: 'pipeline',
    triggers: [{ every: '200ms' }],
    permissions: [{ capability: 'gates.write', accounts: ['*'] }],
    perceive: () => ({ gate: { open: runtime.gate('batch-ready')?.open === true } }),
    decide: producerRules,
    act: createGateActuator(runtime),
  });
  const consumer = defineAgent({
    id: 'consumer',
    capabilities: ['notes.write'],
    group: 'pipeline',
    triggers: [{ every: '200ms' }],
    dependsOn: ['batch-ready'],
    permissions: [{ capability: 'notes.write', accounts: ['*'] }],
    perceive: () => ({ batch: { size: 3 } }),
    decide: consumerRules,
    act: noteActuator,
  });
  for (const def of [producer, consumer]) await runtime.spawn(def);
  return {
    capabilities: new Map([
      ['gates.write', 'opens and closes gates'],
      ['notes.write', 'writes notes'],
    ]),
  };
}
