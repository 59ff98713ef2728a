import { parseOrThrow } from '../kernel/index.ts';
import {
  AgentDescriptorInputSchema,
  RecordType,
  RevocationSchema,
  signRecord,
  type AgentDescriptor,
  type DescriptorInput,
  type RecordSigner,
  type SignedRecord,
} from '../transport/index.ts';
import { RegistryInputError } from './errors.ts';

/** A new descriptor record for `signer`, validated (coded error naming the field) and signed. */
export function newDescriptorRecord(
  signer: RecordSigner,
  input: DescriptorInput,
  times: { registeredAt: number; heartbeatAt: number },
): { descriptor: AgentDescriptor; record: SignedRecord } {
  const parsed = parseOrThrow(
    AgentDescriptorInputSchema,
    { ...input, did: signer.did },
    { what: 'agent descriptor', error: RegistryInputError },
  );
  const descriptor: AgentDescriptor = { ...parsed, ...times };
  return { descriptor, record: signRecord(signer, RecordType.descriptor, stripUndefined(descriptor)) };
}

/** A heartbeat: when it is made, and the status/reputation it changes, if any. */
export interface Heartbeat extends Partial<Pick<AgentDescriptor, 'status' | 'reputation'>> {
  at: number;
}

/** The same descriptor with a fresh heartbeat (and patch), re-signed. */
export function heartbeatRecord(
  signer: RecordSigner,
  current: AgentDescriptor,
  { at, ...patch }: Heartbeat,
): { descriptor: AgentDescriptor; record: SignedRecord } {
  // Strictly increasing, so readers (which keep only the newest) never drop a heartbeat made in the same ms.
  const descriptor: AgentDescriptor = { ...current, ...patch, heartbeatAt: Math.max(at, current.heartbeatAt + 1) };
  return { descriptor, record: signRecord(signer, RecordType.descriptor, stripUndefined(descriptor)) };
}

/** A signed revocation of `did`; `evidence` is the agent's descriptor record when the signer is its node. */
export function revocationRecord(
  signer: RecordSigner,
  body: { did: string; reason: string; by: string; at: number },
  evidence: SignedRecord | undefined,
): SignedRecord {
  const revocation = parseOrThrow(
    RevocationSchema,
    { ...body, ...(evidence === undefined || signer.did === body.did ? {} : { descriptor: evidence }) },
    { what: 'revocation', error: RegistryInputError },
  );
  return signRecord(signer, RecordType.revocation, stripUndefined(revocation));
}

function stripUndefined<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
