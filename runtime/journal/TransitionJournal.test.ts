import { describe, expect, it } from 'vitest';
import type { AgentHost } from '../host/AgentHost.ts';
import type { InspectionEvent } from '../inspection/InspectionEvent.ts';
import { InspectionStream } from '../inspection/InspectionStream.ts';
import { TransitionJournal } from './TransitionJournal.ts';

const host = (id: string) =>
  ({
    id,
    parent: { id: 'sandbox:g' },
    context: { cycle: 3, decision: { action: { type: 'payment.send' } }, outcome: null, lastError: null, attempts: 1 },
  }) as unknown as AgentHost;

describe('transition journal', () => {
  it('journal - transitions are published with a summary and kept in a bounded ring, newest last, filterable by actor', () => {
    const inspection = new InspectionStream();
    const seen: InspectionEvent[] = [];
    inspection.subscribe((e) => seen.push(e));
    const journal = new TransitionJournal({ inspection, writer: undefined, clock: { now: () => 5 }, size: 3 });
    for (const [i, id] of ['a', 'b', 'a', 'b', 'a'].entries())
      journal.agent(host(id), { from: `s${i}`, to: `s${i + 1}`, event: 'agent.trigger' });
    expect(seen).toHaveLength(5);
    expect(seen[0]).toMatchObject({
      type: 'transition',
      actorId: 'a',
      parentId: 'sandbox:g',
      actorKind: 'agent',
      from: 's0',
      to: 's1',
      summary: { cycle: 3, action: 'payment.send', attempts: 1 },
      at: 5,
    });
    expect(journal.recent().map((t) => t.to)).toEqual(['s3', 's4', 's5']);
    expect(journal.recent('a').map((t) => t.to)).toEqual(['s3', 's5']);
  });

  it('journal - with nobody listening and no store, transitions cost nothing and are not kept', () => {
    const journal = new TransitionJournal({
      inspection: new InspectionStream(),
      writer: undefined,
      clock: { now: () => 5 },
    });
    journal.agent(host('a'), { from: 'idle', to: 'perceive', event: 'agent.trigger' });
    expect(journal.recent()).toEqual([]);
  });
});
