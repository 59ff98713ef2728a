import { createError } from '../../kernel/index.ts';

/** The placement buckets in NATS KV cannot be reached or created. */
export class PlacementUnavailableError extends createError(
  'MANDATE_ERR_PLACEMENT_UNAVAILABLE',
  'PlacementUnavailableError',
) {}

/** Placement options are invalid (TTL, renewal interval, node id, region, labels, replicas). */
export class PlacementConfigError extends createError('MANDATE_ERR_PLACEMENT_CONFIG', 'PlacementConfigError') {}
