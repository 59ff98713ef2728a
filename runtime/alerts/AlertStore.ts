import type { AlertRecord } from './AlertRecord.ts';

/** Where alerts are kept across restarts (`RuntimeStore.alerts`: the `mandate_alert` table). */
export interface AlertStore {
  /** Inserts or replaces the alert with this id. */
  saveAlert(record: AlertRecord): Promise<void>;
  /** The `limit` most recently seen alerts, and every one not yet resolved. */
  loadAlerts(limit: number): Promise<AlertRecord[]>;
}
