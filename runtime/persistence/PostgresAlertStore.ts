import type { Pool } from 'pg';
import type { AlertRecord } from '../alerts/AlertRecord.ts';
import type { AlertStore } from '../alerts/AlertStore.ts';

/** The alert book's store on PostgreSQL (or the embedded database): the `mandate_alert` table. */
export class PostgresAlertStore implements AlertStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async saveAlert(r: AlertRecord): Promise<void> {
    await this.#pool.query(
      `insert into mandate_alert (id, dedup_key, code, severity, status, record, last_at) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (id) do update set severity = excluded.severity, status = excluded.status, record = excluded.record, last_at = excluded.last_at`,
      [r.id, r.dedupKey, r.code, r.severity, r.status, JSON.stringify(r), r.lastAt],
    );
  }

  async loadAlerts(limit: number): Promise<AlertRecord[]> {
    const rows = await this.#pool.query<{ record: AlertRecord }>(
      `select record from mandate_alert where status <> 'resolved'
       union all
       select record from (select record from mandate_alert where status = 'resolved' order by last_at desc limit $1) newest`,
      [limit],
    );
    return rows.rows.map((row) => row.record);
  }
}
