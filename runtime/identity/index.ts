export { AgentIdentity, InvalidDidError, didFromPublicKey, publicKeyFromDid, publicKeyObject } from './AgentIdentity.ts';
export type { IdentityJson } from './AgentIdentity.ts';
