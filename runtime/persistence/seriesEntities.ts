import { defineEntity, p } from '@mikro-orm/core';

/* The stored metric series' tables (runtime/metrics/MetricSeries.ts), beside the store's other entities. */

/** Counts of one agent on one node in one interval (raw, or rolled up into coarse buckets); read by time. */
export const MetricSampleEntity = defineEntity({
  name: 'MetricSampleEntity',
  tableName: 'mandate_metric_sample',
  indexes: [{ properties: ['resolution', 'at'] }, { properties: ['agent', 'at'] }],
  properties: {
    at: p.bigint('number').primary(),
    resolution: p.integer().primary(),
    node: p.text().primary(),
    region: p.text().primary(),
    agent: p.text().primary(),
    cycles: p.integer(),
    failures: p.integer(),
    payments: p.integer(),
  },
});

/** The series catalogue: every agent and region with samples (the chart's pick list), and when it was first sampled. */
export const MetricSeriesKeyEntity = defineEntity({
  name: 'MetricSeriesKeyEntity',
  tableName: 'mandate_metric_series_key',
  properties: {
    agent: p.text().primary(),
    region: p.text().primary(),
    firstAt: p.bigint('number'),
  },
});
