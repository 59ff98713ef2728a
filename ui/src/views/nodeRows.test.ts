import { describe, expect, it } from 'vitest';
import { nodeRows } from './nodeRows.ts';

describe('nodes view - which node runs which agent', () => {
  it('nodes view - without placement it says placement is off and shows this node running every agent', () => {
    const { note, rows } = nodeRows({
      placement: false,
      nodes: [{ id: 'node-a', region: null, alive: true, agents: ['payables', 'fx-rebalancer'] }],
      placements: { payables: 'node-a', 'fx-rebalancer': 'node-a' },
    });
    expect(note).toBe('Placement is off: this node (node-a) runs every agent it loaded.');
    expect(rows).toEqual([{ id: 'node-a', region: '–', status: 'alive', agents: ['fx-rebalancer', 'payables'] }]);
  });

  it('nodes view - with placement it counts nodes alive and agents placed, sorts nodes, and keeps agents on an unlisted node', () => {
    const { note, rows } = nodeRows({
      placement: true,
      nodes: [
        { id: 'node-b', region: 'eu', alive: false, agents: [] },
        { id: 'node-a', region: 'us', alive: true, agents: ['payables'] },
      ],
      placements: { payables: 'node-a', treasurer: 'node-z', sweeper: 'node-z' },
    });
    expect(note).toBe(
      'Placement is on: 3 nodes (1 alive), 3 agents placed; each agent runs on the node holding its lease.',
    );
    expect(rows.map((r) => [r.id, r.region, r.status, r.agents.join()])).toEqual([
      ['node-a', 'us', 'alive', 'payables'],
      ['node-b', 'eu', 'gone', ''],
      ['node-z', '–', 'gone', 'sweeper,treasurer'],
    ]);
  });
});
