import { createError } from '../../kernel/index.ts';

/** A grant of a signature approval came without a valid signature by that approver. */
export class ApprovalSignatureError extends createError('MANDATE_ERR_APPROVAL_SIGNATURE', 'ApprovalSignatureError') {}

/** Governance's quorum and the paying multisig's threshold disagree. */
export class ApprovalQuorumError extends createError('MANDATE_ERR_APPROVAL_QUORUM', 'ApprovalQuorumError') {}
