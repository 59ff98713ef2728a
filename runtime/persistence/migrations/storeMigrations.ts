import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121000001Initial } from './Migration20261121000001Initial.ts';
import { Migration20261121000002AuditAppendOnly } from './Migration20261121000002AuditAppendOnly.ts';
import { Migration20261121000003RailTables } from './Migration20261121000003RailTables.ts';
import { Migration20261121000004AuditEntryId } from './Migration20261121000004AuditEntryId.ts';
import { Migration20261201170001Authorizations } from './Migration20261201170001Authorizations.ts';
import { Migration20261201180001Alerts } from './Migration20261201180001Alerts.ts';
import { Migration20261201180001Fences } from './Migration20261201180001Fences.ts';
import { Migration20261201190001AgentVersions } from './Migration20261201190001AgentVersions.ts';
import { Migration20261201200001SolanaAttempts } from './Migration20261201200001SolanaAttempts.ts';
import { Migration20261201210001X402Sales } from './Migration20261201210001X402Sales.ts';
import { Migration2026120222401SupervisorLedgers } from './Migration2026120222401SupervisorLedgers.ts';
import { Migration2026120222801X402SaleRecovery } from './Migration2026120222801X402SaleRecovery.ts';
import { Migration20261202222201DecisionTraceId } from './Migration20261202222201DecisionTraceId.ts';
import { Migration20261203060100LimitCounterpartyDigest } from './Migration20261203060100LimitCounterpartyDigest.ts';
import { Migration20261204050100MetricSeries } from './Migration20261204050100MetricSeries.ts';
import { Migration20261207130000MetricSeriesKeys } from './Migration20261207130000MetricSeriesKeys.ts';
import { Migration20261208130000SeriesAmounts } from './Migration20261208130000SeriesAmounts.ts';
import { Migration20261209110000X402SaleAuthorization } from './Migration20261209110000X402SaleAuthorization.ts';

/** Every checked-in migration of the store, oldest first; `openStore` runs the pending ones. */
export const storeMigrations: MigrationObject[] = [
  { name: 'Migration20261121000001Initial', class: Migration20261121000001Initial },
  { name: 'Migration20261121000002AuditAppendOnly', class: Migration20261121000002AuditAppendOnly },
  { name: 'Migration20261121000003RailTables', class: Migration20261121000003RailTables },
  { name: 'Migration20261121000004AuditEntryId', class: Migration20261121000004AuditEntryId },
  { name: 'Migration20261201170001Authorizations', class: Migration20261201170001Authorizations },
  { name: 'Migration20261201180001Alerts', class: Migration20261201180001Alerts },
  { name: 'Migration20261201180001Fences', class: Migration20261201180001Fences },
  { name: 'Migration20261201190001AgentVersions', class: Migration20261201190001AgentVersions },
  { name: 'Migration20261201200001SolanaAttempts', class: Migration20261201200001SolanaAttempts },
  { name: 'Migration20261201210001X402Sales', class: Migration20261201210001X402Sales },
  { name: 'Migration2026120222401SupervisorLedgers', class: Migration2026120222401SupervisorLedgers },
  { name: 'Migration2026120222801X402SaleRecovery', class: Migration2026120222801X402SaleRecovery },
  { name: 'Migration20261202222201DecisionTraceId', class: Migration20261202222201DecisionTraceId },
  { name: 'Migration20261203060100LimitCounterpartyDigest', class: Migration20261203060100LimitCounterpartyDigest },
  { name: 'Migration20261204050100MetricSeries', class: Migration20261204050100MetricSeries },
  { name: 'Migration20261207130000MetricSeriesKeys', class: Migration20261207130000MetricSeriesKeys },
  { name: 'Migration20261208130000SeriesAmounts', class: Migration20261208130000SeriesAmounts },
  { name: 'Migration20261209110000X402SaleAuthorization', class: Migration20261209110000X402SaleAuthorization },
];
