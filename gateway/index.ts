/**
 * The operator gateway: Fastify REST API, live inspection stream, Prometheus
 * metrics, MCP endpoint and the dashboard, behind bearer-token RBAC.
 */
export { createGateway, DEFAULT_UI_DIR } from './createGateway.ts';
export type { GatewayOptions } from './createGateway.ts';
export type { AuthLockout, AuthThrottleOptions } from './AuthThrottle.ts';
export {
  ensureAdminToken,
  issueToken,
  loadTokenFile,
  revokeToken,
  saveTokenFile,
  TokenFileSchema,
  watchTokenFile,
} from './tokenFile.ts';
export { TokenStore, hashToken, generateToken, TOKEN_PREFIX } from './TokenStore.ts';
export type { TokenEntry, TokenIdentity } from './TokenStore.ts';
export { ROLES, ROLE_PERMISSIONS, can } from './roles.ts';
export type { Role, Permission } from './roles.ts';
export { createMcpServer, toolName } from './createMcpServer.ts';
export { MCP_PATH } from './routes/mcpRoute.ts';
export { LIVE_PROTOCOL } from './routes/liveRoute.ts';
export { WS_TOKEN_PROTOCOL_PREFIX } from './authenticate.ts';
export type { ReadinessCheck } from './RuntimeApi.ts';
export type { McpOriginPolicy } from './mcpOriginGuard.ts';
export type { OriginPolicy } from './originPolicy.ts';
export {
  AuthMissingError,
  AuthInvalidError,
  AuthThrottledError,
  ForbiddenError,
  RequestInvalidError,
  RequestMediaTypeError,
  RequestTooLargeError,
  RouteNotFoundError,
  MethodNotAllowedError,
  AuditUnavailableError,
  NotReadyError,
  TokenFileError,
  UiNotBuiltError,
  GatewayInternalError,
} from './errors.ts';
export type { AuditEntry, AuditPage, AuditQuery, AuditSource } from './RuntimeApi.ts';
