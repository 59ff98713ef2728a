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

/** The stake ledger: every posting and slash of an agent's stake, as a transfer between accounts (append-only). */
export const StakeEntryEntity = defineEntity({
  name: 'StakeEntryEntity',
  tableName: 'mandate_stake_entry',
  indexes: [{ properties: ['agentId', 'id'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    agentId: p.text(),
    kind: p.text(),
    asset: p.text(),
    amount: p.text(),
    fromAccount: p.text(),
    toAccount: p.text(),
    balance: p.text(),
    reason: p.text(),
    at: p.bigint('number'),
  },
});
