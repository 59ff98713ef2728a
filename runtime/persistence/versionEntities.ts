import { defineEntity, p } from '@mikro-orm/core';

/* The agent definition versions' tables (docs/versions.md), beside the store's other entities. */

/** An immutable version of an agent's definition (data, YAML, rules, strategy module), numbered per agent, unique by content hash. */
export const AgentVersionEntity = defineEntity({
  name: 'AgentVersionEntity',
  tableName: 'mandate_agent_version',
  uniques: [{ properties: ['agentId', 'hash'] }],
  properties: {
    agentId: p.text().primary(),
    number: p.integer().primary(),
    hash: p.text(),
    label: p.text(),
    definition: p.json<Record<string, unknown>>(),
    source: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.bigint('number'),
  },
});

/** The version each agent runs (the newest recorded, or the one an operator rolled back to). */
export const AgentActiveVersionEntity = defineEntity({
  name: 'AgentActiveVersionEntity',
  tableName: 'mandate_agent_active_version',
  properties: {
    agentId: p.text().primary(),
    number: p.integer(),
    at: p.bigint('number'),
  },
});
