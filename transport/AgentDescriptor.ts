import { z } from 'zod';

const DID = /^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/;
const CAP = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;
const SEMVER = /^\d+\.\d+\.\d+$/;

/** One capability an agent holds, with the version of its interface. */
export const CapabilitySchema = z.strictObject({
  name: z.string().max(128).regex(CAP, 'a capability is dot-separated lowercase segments like "fx.quote"'),
  version: z.string().regex(SEMVER, 'a version is MAJOR.MINOR.PATCH like "1.2.0"'),
});
/** One capability an agent holds. */
export type Capability = z.infer<typeof CapabilitySchema>;

/** Price and terms an agent offers for its work. Amounts are decimal strings (never floats). */
export const TermsSchema = z.strictObject({
  price: z
    .strictObject({
      amount: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount like "0.25"'),
      asset: z.string().min(1).max(32),
    })
    .optional(),
  maxConcurrent: z.int().positive().optional(),
  etaMs: z.int().nonnegative().optional(),
});
/** Price and terms. */
export type Terms = z.infer<typeof TermsSchema>;

const KEY32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** What a runtime node registers for one of its agents (signed with the agent's key, docs/protocol.md §9). */
export const AgentDescriptorInputSchema = z.strictObject({
  did: z.string().regex(DID, 'expected a did:key:z… Ed25519 identifier'),
  id: z.string().min(1).max(128),
  node: z.string().min(1).max(128),
  /** The did of the node hosting the agent (its own did for a node or a standalone peer); it may revoke the agent. */
  nodeDid: z.string().regex(DID, "expected the hosting node's did:key"),
  group: z.string().min(1).max(128).optional(),
  capabilities: z.array(CapabilitySchema).max(256),
  status: z.enum(['active', 'draining', 'offline']).default('active'),
  /** 0 (untrusted) … 1 (fully trusted), from the reputation supervisor. */
  reputation: z.number().min(0).max(1).default(0.5),
  terms: TermsSchema.default({}),
  /** A separate X25519 public key (base64url) to encrypt bodies to; absent: the key derived from `did`. */
  encryptionKey: z.string().regex(KEY32, 'an X25519 public key is 43 characters of base64url').optional(),
  /** The agent's own accounts by CAIP-2 chain id (`eip155:31337` → `0x…`): where it can be paid. */
  wallets: z.record(z.string().max(64), z.string().min(1).max(128)).optional(),
});
/** Input to {@link CapabilityRegistry.register}. */
export type AgentDescriptorInput = z.input<typeof AgentDescriptorInputSchema>;

/** A registered agent as the registry stores and returns it. */
export const AgentDescriptorSchema = AgentDescriptorInputSchema.extend({
  registeredAt: z.int().nonnegative(),
  heartbeatAt: z.int().nonnegative(),
});
/** A registered agent. */
export type AgentDescriptor = z.infer<typeof AgentDescriptorSchema>;

/**
 * A permanent revocation of an agent's right to be heard; the body of a signed `registry.revocation` record.
 * When its node signs it, `descriptor` carries the agent's signed descriptor naming that node (the evidence).
 */
export const RevocationSchema = z.strictObject({
  did: z.string().regex(DID),
  reason: z.string().min(1).max(1000),
  by: z.string().min(1).max(256),
  at: z.int().nonnegative(),
  descriptor: z.looseObject({}).optional(),
});
/** A revocation record. */
export type Revocation = z.infer<typeof RevocationSchema>;

/** What discovery filters on, beyond the capability name. */
export const RequirementsSchema = z.strictObject({
  /** Lowest acceptable version; candidates must have the same major version. */
  minVersion: z.string().regex(SEMVER).optional(),
  minReputation: z.number().min(0).max(1).optional(),
  /** Highest acceptable price amount (same asset). */
  maxPrice: z.strictObject({ amount: z.string().regex(/^\d+(\.\d+)?$/), asset: z.string().min(1) }).optional(),
  node: z.string().optional(),
  group: z.string().optional(),
  exclude: z.array(z.string()).optional(),
  limit: z.int().positive().optional(),
});
/** Discovery requirements. */
export type Requirements = z.infer<typeof RequirementsSchema>;
