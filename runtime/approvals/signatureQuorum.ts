/**
 * Approvals that are signatures (a Safe quorum): what the approvals service does for an agent
 * whose actuator has a `SignatureScheme` — asks it for the request approvers sign when the
 * approval opens (its threshold is the quorum), checks each approver's signature before the
 * grant counts, and tells every signer that a signature is wanted.
 */
import type { SignatureRequest, SignatureScheme } from '../../actors/index.ts';
import { ErrorCode, type Principal } from '../../kernel/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import { ApprovalQuorumError, ApprovalSignatureError } from './errors.ts';

/** The key an approver is listed under: `human:treasurer`. */
export const principalKey = (p: Principal): string => `${p.kind}:${p.id}`;

/**
 * The signature request of a new approval, when the agent's actuator pays through a multisig
 * (live only). Refuses (throws) when governance asked for a different quorum than the threshold.
 */
export async function openSignatureRequest(
  host: AgentHost,
  record: ApprovalRecord,
  options: { live: boolean; required?: number | undefined },
): Promise<SignatureRequest | undefined> {
  const scheme = host.def.act?.signatures;
  if (!options.live || scheme === undefined || host.def.act?.effect !== 'external') return undefined;
  const request = await scheme.request(record.action as never, {
    agentId: host.id,
    decisionId: record.decisionId,
    idempotencyKey: record.decisionId,
  });
  if (request === undefined) return undefined;
  if (options.required !== undefined && options.required !== request.threshold)
    throw new ApprovalQuorumError(
      `governance asks ${options.required} approver(s) for "${record.id}" but the Safe that pays it has threshold ${request.threshold}; make the governance rule's quorum equal the Safe threshold`,
      { details: { approvalId: record.id, quorum: options.required, threshold: request.threshold } },
    );
  return request;
}

/** Checks `by`'s signature over the request and returns the record with it added. */
export async function addSignature({
  scheme,
  record,
  by,
  signature,
  at,
}: {
  scheme: SignatureScheme | undefined;
  record: ApprovalRecord;
  by: Principal;
  signature: string | undefined;
  at: number;
}): Promise<ApprovalRecord> {
  if (record.signatures === undefined) return record;
  const request = record.signatures.request;
  if (signature === undefined)
    throw new ApprovalSignatureError(
      `approval "${record.id}" is a Safe quorum: approve it with your EIP-712 signature of Safe transaction ${request.digest} (the typed data is in the approval's signatures.request.typedData)`,
      { details: { approvalId: record.id, digest: request.digest } },
    );
  const expected = request.signers[principalKey(by)];
  if (expected === undefined || scheme === undefined)
    throw new ApprovalSignatureError(
      `${principalKey(by)} is not a signer of "${record.id}" (signers: ${Object.keys(request.signers).join(', ')})`,
      {
        details: {
          approvalId: record.id,
        },
      },
    );
  const address = await scheme.verify(request, signature);
  if (address.toLowerCase() !== expected.toLowerCase())
    throw new ApprovalSignatureError(
      `the signature for "${record.id}" was made by ${address}, not by ${principalKey(by)}'s wallet ${expected}; sign with that wallet`,
      { details: { approvalId: record.id, recovered: address } },
    );
  return {
    ...record,
    signatures: {
      request,
      signatures: { ...record.signatures.signatures, [principalKey(by)]: { address, signature, at } },
    },
  };
}

/** The record with its quorum and approvers (a Safe's threshold and signers when it has a request). */
export function withRequirement(
  record: ApprovalRecord,
  requirement: { required?: number | undefined; approvers?: readonly string[] | undefined },
  request: SignatureRequest | undefined,
): ApprovalRecord {
  const required = request?.threshold ?? requirement.required;
  const approvers = request === undefined ? requirement.approvers : Object.keys(request.signers);
  return {
    ...record,
    ...(required === undefined ? {} : { required }),
    ...(approvers === undefined ? {} : { approvers: [...approvers] }),
    ...(request === undefined ? {} : { signatures: { request, signatures: {} } }),
  };
}

/** The quorum and approver list a record was opened with. */
export function requirementOf(record: ApprovalRecord): { required?: number; approvers?: readonly string[] } {
  return {
    ...(record.required === undefined ? {} : { required: record.required }),
    ...(record.approvers === undefined ? {} : { approvers: record.approvers }),
  };
}

/** One alert per signer: a signature is wanted, for which transaction, until when. */
export function notifySigners(
  record: ApprovalRecord,
  request: SignatureRequest,
  alert: (alert: AlertInput) => void,
): void {
  for (const [who, address] of Object.entries(request.signers))
    alert({
      severity: 'info',
      code: ErrorCode.MANDATE_APPROVAL_SIGNATURE_REQUESTED,
      message: `${who} (${address}): sign Safe transaction ${request.digest} for ${record.id} (${request.threshold} of ${Object.keys(request.signers).length} needed) before ${new Date(record.expiresAt).toISOString()}`,
      actorId: record.agentId,
    });
}

/**
 * The grants a stored request had counted, to count again after a restart: its `grants`, or for a
 * signature quorum stored before they were kept, one per collected signature (its signer and time).
 */
export function countedGrants(record: ApprovalRecord): { by: Principal; at: number; reason?: string }[] {
  if (record.grants !== undefined) return record.grants;
  return Object.entries(record.signatures?.signatures ?? {}).map(([key, { at }]) => {
    const colon = key.indexOf(':');
    return { by: { kind: key.slice(0, colon) as Principal['kind'], id: key.slice(colon + 1) }, at };
  });
}
