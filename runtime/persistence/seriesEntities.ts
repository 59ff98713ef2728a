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
    /** Cycles that ended, timed; their total and longest time in whole ms (0 on rows stored before these columns). */
    latencyCount: p.integer().default(0),
    latencyMs: p.bigint('number').defaultRaw('0'),
    latencyMaxMs: p.integer().default(0),
  },
});

/** Payments, volume and fees of one agent on one node in one interval, in one asset (amounts exact: numeric). */
export const MetricAssetSampleEntity = defineEntity({
  name: 'MetricAssetSampleEntity',
  tableName: 'mandate_metric_asset_sample',
  indexes: [{ properties: ['resolution', 'at'] }, { properties: ['agent', 'at'] }],
  properties: {
    at: p.bigint('number').primary(),
    resolution: p.integer().primary(),
    node: p.text().primary(),
    region: p.text().primary(),
    agent: p.text().primary(),
    asset: p.text().primary(),
    payments: p.integer().default(0),
    volume: p.decimal('string').precision(78).scale(18).default(0),
    fees: p.decimal('string').precision(78).scale(18).default(0),
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

/** The catalogue's assets: every asset with samples (the chart's asset pick list), and when it was first sampled. */
export const MetricSeriesAssetEntity = defineEntity({
  name: 'MetricSeriesAssetEntity',
  tableName: 'mandate_metric_series_asset',
  properties: {
    asset: p.text().primary(),
    firstAt: p.bigint('number'),
  },
});
