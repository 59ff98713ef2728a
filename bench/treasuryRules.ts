/** The rule sets the runtime and decision benchmarks share. */

/**
 * A representative treasury rule set: twelve rules over nested facts (bands, market, invoice,
 * balances), as the example's YAML rules are written. All are "hold" rules except one, so the
 * cycle is rules-only (decide → learn), as the issue asks.
 */
export const rulesObject = {
  rules: [
    ...['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'SGD'].map((ccy, i) => ({
      name: `band-${ccy.toLowerCase()}`,
      priority: 10 + i,
      conditions: {
        all: [
          { fact: 'bands', path: `$.${ccy}.share`, operator: 'greaterThan', value: 0.6 },
          { fact: 'market', path: `$.${ccy}.spreadBps`, operator: 'lessThan', value: 5 },
        ],
      },
      event: { type: 'none', rationale: `${ccy} above band` },
    })),
    {
      name: 'gas-spike',
      priority: 5,
      conditions: {
        any: [
          { fact: 'market', path: '$.gasGwei', operator: 'greaterThan', value: 60 },
          { fact: 'paused', operator: 'equal', value: true },
        ],
      },
      event: { type: 'none' },
    },
    {
      name: 'invoice-due',
      priority: 4,
      conditions: {
        all: [
          { fact: 'invoice', path: '$.due', operator: 'equal', value: true },
          { fact: 'balances', path: '$.USD', operator: 'greaterThan', value: 25000 },
        ],
      },
      event: { type: 'none' },
    },
    {
      name: 'invoice-blocked',
      priority: 3,
      conditions: {
        all: [{ fact: 'invoice', path: '$.counterparty', operator: 'in', value: ['cp-1', 'cp-2', 'cp-3'] }],
      },
      event: { type: 'none' },
    },
    {
      name: 'low-balance',
      priority: 2,
      conditions: { all: [{ fact: 'balances', path: '$.USD', operator: 'lessThan', value: 10000 }] },
      event: { type: 'none' },
    },
    {
      name: 'weekend',
      priority: 1,
      conditions: { all: [{ fact: 'calendar', path: '$.weekday', operator: 'in', value: [0, 6] }] },
      event: { type: 'none' },
    },
    {
      name: 'eur-drift',
      priority: 1,
      conditions: { all: [{ fact: 'market', path: '$.EUR.rate', operator: 'greaterThan', value: 1.12 }] },
      event: { type: 'none' },
    },
  ],
};
const ccyFacts = Object.fromEntries(
  ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'SGD'].map((c) => [c, { share: 0.2, spreadBps: 3, rate: 1.08 }]),
);
export const facts: Record<string, unknown> = {
  bands: ccyFacts,
  market: { ...ccyFacts, gasGwei: 30 },
  invoice: { due: true, counterparty: 'cp-9' },
  balances: { USD: 50_000 },
  calendar: { weekday: 3 },
  paused: false,
};

/** The smallest rule set: one flat rule. Shows the runtime's fixed cost per cycle. */
export const tinyRules = {
  rules: [
    {
      name: 'eur-high',
      priority: 1,
      conditions: { all: [{ fact: 'eurShare', operator: 'greaterThan', value: 0.45 }] },
      event: { type: 'none' },
    },
  ],
};
export const tinyFacts = { eurShare: 0.5 };
