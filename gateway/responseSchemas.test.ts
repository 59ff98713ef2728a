import { describe, expect, it } from 'vitest';
import type { AgentSummary } from '../runtime/index.ts';
import { AgentListSchema, AgentSummarySchema } from './responseSchemas.ts';
import { compileZodSerializer } from './compileZodSerializer.ts';

// Required<>: a field added to AgentSummary must be added here, and then the round trip below
// fails until the response schema names it too (the compiled serializer drops unnamed fields).
const full: Required<AgentSummary> = {
  id: 'payables',
  node: 'node-1',
  did: 'did:key:z6Mk"quoted"\u2028',
  capabilities: ['pay.invoice', 'pay.batch'],
  state: 'deciding',
  parentId: 'sandbox:treasury',
  group: 'treasury',
  dependsOn: ['gate:banking-hours'],
  reputation: 77.25,
  health: { score: 88, errors: 100, latency: 99.5, reputation: 77.25, sandbox: 100 },
  version: { number: 3, hash: 'ab12', label: 'v3' },
  mode: 'live',
  paused: false,
  killed: true,
  cycle: 12,
  cycles: 40,
  restarts: 1,
  failures: 2,
  wallet: { chain: 'eip155:31337', address: '0x00000000000000000000000000000000000000aa' },
};

describe('gateway - compiled response serializers', () => {
  const serialize = compileZodSerializer(AgentListSchema);

  it('gateway - GET /api/agents serializes every field of AgentSummary (the parsed answer equals the value)', () => {
    const { version: _v, wallet: _w, ...minimal } = full;
    const value = { agents: [full, minimal], total: 2 };
    expect(JSON.parse(serialize(value))).toEqual(value);
  });

  it('gateway - a summary with a getter (passivated agents derive their DID lazily) keeps it', () => {
    const lazy = { ...full };
    Object.defineProperty(lazy, 'did', { get: () => 'did:key:lazy', enumerable: true });
    expect(JSON.parse(serialize({ agents: [lazy], total: 1 })).agents[0].did).toBe('did:key:lazy');
  });

  it('gateway - a value missing a required field is refused, not sent half-empty', () => {
    const { health: _h, ...broken } = full;
    expect(() => compileZodSerializer(AgentSummarySchema)(broken)).toThrow(/health/);
  });
});
