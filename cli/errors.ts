/**
 * The command line's errors. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../kernel/index.ts';

/** A command line (or a setting the command reads from the environment) that could not be understood. */
export class UsageError extends createError('MANDATE_ERR_USAGE', 'UsageError') {
  constructor(message: string) {
    super(`${message}\nRun "mandate --help" for usage.`);
  }
}

/** A command that drives a running node could not reach its gateway, or got an answer that is not the gateway's. */
export class GatewayUnreachableError extends createError(
  'MANDATE_ERR_GATEWAY_UNREACHABLE',
  'GatewayUnreachableError',
) {}

/** `REDIS_URL` is malformed or no Redis answered there at start. */
export class RedisUnavailableError extends createError('MANDATE_ERR_REDIS_UNAVAILABLE', 'RedisUnavailableError') {}
