import { Migration } from '@mikro-orm/migrations';

/**
 * The series catalogue (`MetricSeriesKeyEntity`): one row per agent and region ever sampled, so
 * the chart's pick list is read from a small table instead of grouping the range's samples.
 * Filled from the samples already stored.
 */
export class Migration20261207130000MetricSeriesKeys extends Migration {
  override name = 'Migration20261207130000MetricSeriesKeys';

  override up(): void {
    this.addSql(
      `create table "mandate_metric_series_key" ("agent" text not null, "region" text not null, "first_at" bigint not null, primary key ("agent", "region"));`,
    );
    this.addSql(
      `insert into "mandate_metric_series_key" ("agent", "region", "first_at") select "agent", "region", min("at") from "mandate_metric_sample" group by "agent", "region";`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_metric_series_key" cascade;`);
  }
}
