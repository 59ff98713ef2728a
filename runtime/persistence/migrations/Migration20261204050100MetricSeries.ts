import { Migration } from '@mikro-orm/migrations';

/** The stored metric series (`MetricSampleEntity`): per-interval counts by node, region and agent. */
export class Migration20261204050100MetricSeries extends Migration {
  override name = 'Migration20261204050100MetricSeries';

  override up(): void {
    this.addSql(
      `create table "mandate_metric_sample" ("at" bigint not null, "resolution" int not null, "node" text not null, "region" text not null, "agent" text not null, "cycles" int not null, "failures" int not null, "payments" int not null, primary key ("at", "resolution", "node", "region", "agent"));`,
    );
    this.addSql(
      `create index "mandate_metric_sample_resolution_at_index" on "mandate_metric_sample" ("resolution", "at");`,
    );
    // One agent's chart reads its own rows, not every agent's.
    this.addSql(`create index "mandate_metric_sample_agent_at_index" on "mandate_metric_sample" ("agent", "at");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_metric_sample" cascade;`);
  }
}
