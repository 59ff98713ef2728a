import { Migration } from '@mikro-orm/migrations';

/**
 * The stored series' amounts and cycle time: `mandate_metric_sample` gains each row's timed cycles
 * (count, total and longest ms; 0 on the rows stored before, which timed none), and
 * `mandate_metric_asset_sample` (`MetricAssetSampleEntity`) holds payments, volume and fees per
 * asset as exact `numeric` decimals, with the catalogue of assets sampled
 * (`mandate_metric_series_asset`, the chart's asset pick list).
 */
export class Migration20261208130000SeriesAmounts extends Migration {
  override name = 'Migration20261208130000SeriesAmounts';

  override up(): void {
    this.addSql(
      `alter table "mandate_metric_sample" add column "latency_count" int not null default 0, add column "latency_ms" bigint not null default 0, add column "latency_max_ms" int not null default 0;`,
    );
    this.addSql(
      `create table "mandate_metric_asset_sample" ("at" bigint not null, "resolution" int not null, "node" text not null, "region" text not null, "agent" text not null, "asset" text not null, "payments" int not null default 0, "volume" numeric(78,18) not null default 0, "fees" numeric(78,18) not null default 0, primary key ("at", "resolution", "node", "region", "agent", "asset"));`,
    );
    this.addSql(
      `create index "mandate_metric_asset_sample_resolution_at_index" on "mandate_metric_asset_sample" ("resolution", "at");`,
    );
    this.addSql(
      `create index "mandate_metric_asset_sample_agent_at_index" on "mandate_metric_asset_sample" ("agent", "at");`,
    );
    this.addSql(
      `create table "mandate_metric_series_asset" ("asset" text not null, "first_at" bigint not null, primary key ("asset"));`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_metric_series_asset" cascade;`);
    this.addSql(`drop table if exists "mandate_metric_asset_sample" cascade;`);
    this.addSql(
      `alter table "mandate_metric_sample" drop column "latency_count", drop column "latency_ms", drop column "latency_max_ms";`,
    );
  }
}
