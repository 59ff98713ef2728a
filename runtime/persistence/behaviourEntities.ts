import { defineEntity, p } from '@mikro-orm/core';

/**
 * What the zero-trust stage learned of each agent's behaviour (docs/zero-trust.md), append-only:
 * proposal times and executed actions (amount, counterparty digest), replayed into the baselines at start.
 */
export const BehaviourEventEntity = defineEntity({
  name: 'BehaviourEventEntity',
  tableName: 'mandate_behaviour_event',
  indexes: [{ properties: ['agentId', 'kind', 'id'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    agentId: p.text(),
    kind: p.text(),
    at: p.bigint('number'),
    amount: p.double().nullable(),
    counterparty: p.text().nullable(),
  },
});
