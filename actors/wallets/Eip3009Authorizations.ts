/**
 * EIP-3009 transfer authorizations ("pay by signature", as USDC and x402 use them): an agent signs
 * a `TransferWithAuthorization` for a payee, who settles it on chain by submitting it. Every
 * authorization is recorded (`rail_authorizations`) before it is handed out, so the kill switch can
 * take it back: {@link Eip3009Authorizations.retract} signs a `CancelAuthorization` for each one
 * still unsettled and sends `cancelAuthorization`, after which the payee's submission reverts.
 * Signing new authorizations is refused while the kill switch covers the agent.
 */
import { randomBytes } from 'node:crypto';
import { Contract, Interface, Signature, TypedDataEncoder, type JsonRpcApiProvider, type Signer } from 'ethers';
import type { RailSql } from '../rails/RailSql.ts';
import { SigningHaltedError } from './errors.ts';
import type { DigestSigner, KillSwitch } from './TransactionSigner.ts';

const TOKEN = new Interface([
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
  'function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
]);
const TRANSFER_TYPES = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
};
const CANCEL_TYPES = {
  CancelAuthorization: [
    { name: 'authorizer', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
  ],
};

/** A signed authorization, as the payee receives it. */
export interface TransferAuthorization {
  readonly from: string;
  readonly to: string;
  readonly value: bigint;
  readonly validAfter: bigint;
  readonly validBefore: bigint;
  readonly nonce: string;
  /** 65-byte signature. */
  readonly signature: string;
}

/** One retracted (or found settled) authorization; the shape the runtime's kill switch audits. */
export interface AuthorizationRetraction {
  readonly kind: 'eip3009-authorization';
  readonly id: string;
  readonly agentId: string;
  readonly status: 'retracted' | 'settled' | 'failed';
  readonly detail: string;
  readonly tx?: string;
}

/** Options of {@link Eip3009Authorizations}. */
export interface Eip3009AuthorizationsOptions {
  readonly sql: RailSql;
  readonly provider: JsonRpcApiProvider;
  readonly chainId: number;
  /** The token and its EIP-712 domain (`name`, `version` as the contract has them). */
  readonly token: { readonly address: string; readonly name: string; readonly version: string };
  readonly killSwitch: KillSwitch;
  readonly now?: () => Date;
}

/** The EIP-3009 authorizations of one token. */
export class Eip3009Authorizations {
  readonly #o: Eip3009AuthorizationsOptions;

  constructor(options: Eip3009AuthorizationsOptions) {
    this.#o = options;
  }

  /**
   * Signs and records an authorization for `to` to pull `value` base units, valid for `validForSeconds`.
   * With a `nonce` (e.g. derived from an idempotency key) a second call for the same nonce returns the
   * authorization recorded first: the token settles a nonce at most once, so one key pays at most once.
   */
  async authorize(request: {
    agentId: string;
    signer: DigestSigner;
    to: string;
    value: bigint;
    validForSeconds: number;
    nonce?: string;
    /** How far before now it becomes valid (default 1 s); a chain whose latest block is older than that would refuse it. */
    backdateSeconds?: number;
  }): Promise<TransferAuthorization> {
    if (await this.#o.killSwitch.isEngaged(request.agentId, ['payments.crypto.authorize']))
      throw new SigningHaltedError(
        `kill switch engaged for agent "${request.agentId}": refusing to sign a transfer authorization; an operator must release it first`,
      );
    const from = await request.signer.getAddress();
    const nowS = BigInt(Math.floor(this.#now().getTime() / 1000));
    const message = {
      from,
      to: request.to,
      value: request.value,
      validAfter: nowS - BigInt(request.backdateSeconds ?? 1),
      validBefore: nowS + BigInt(request.validForSeconds),
      nonce: request.nonce ?? `0x${randomBytes(32).toString('hex')}`,
    };
    if (request.nonce !== undefined) {
      const recorded = await this.find(request.nonce);
      if (recorded !== undefined) return recorded;
    }
    const signature = await request.signer.signDigest(TypedDataEncoder.hash(this.#domain(), TRANSFER_TYPES, message));
    const at = this.#now();
    await this.#o.sql.query(
      `INSERT INTO rail_authorizations (nonce, chain_id, token, agent_id, from_address, to_address, value, valid_after, valid_before, signature, status, cancel_tx, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'signed', NULL, $11, $11) ON CONFLICT (nonce) DO NOTHING`,
      [
        message.nonce,
        this.#o.chainId,
        this.#o.token.address,
        request.agentId,
        from,
        request.to,
        message.value.toString(),
        message.validAfter.toString(),
        message.validBefore.toString(),
        signature,
        at,
      ],
    );
    // A concurrent call for the same nonce may have recorded its own signature first: that one is handed out.
    return request.nonce === undefined
      ? { ...message, signature }
      : ((await this.find(message.nonce)) ?? { ...message, signature });
  }

  /** The authorization recorded under `nonce`, with its status (`signed`, `settled`, `cancelled`), if any. */
  async find(nonce: string): Promise<(TransferAuthorization & { status: string }) | undefined> {
    const rows = await this.#o.sql.query<{
      from_address: string;
      to_address: string;
      value: string;
      valid_after: string;
      valid_before: string;
      signature: string;
      status: string;
    }>(
      `SELECT from_address, to_address, value, valid_after, valid_before, signature, status FROM rail_authorizations WHERE nonce = $1`,
      [nonce],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      from: r.from_address,
      to: r.to_address,
      value: BigInt(r.value),
      validAfter: BigInt(r.valid_after),
      validBefore: BigInt(r.valid_before),
      nonce,
      signature: r.signature,
      status: r.status,
    };
  }

  /** Whether the token has used or cancelled `nonce` of `authorizer` (`authorizationState`), read from the chain. */
  async usedOnChain(authorizer: string, nonce: string): Promise<boolean> {
    const token = new Contract(this.#o.token.address, TOKEN, this.#o.provider);
    return (await token.getFunction('authorizationState')(authorizer, nonce)) as boolean;
  }

  /** The call that settles `auth` (whoever submits it pays the gas; the payee, usually). */
  settlementCall(auth: TransferAuthorization): { to: string; data: string } {
    const s = Signature.from(auth.signature);
    return {
      to: this.#o.token.address,
      data: TOKEN.encodeFunctionData('transferWithAuthorization', [
        auth.from,
        auth.to,
        auth.value,
        auth.validAfter,
        auth.validBefore,
        auth.nonce,
        s.v,
        s.r,
        s.s,
      ]),
    };
  }

  /** Authorizations still recorded as signed (not known settled or cancelled). */
  async unsettled(): Promise<{ nonce: string; agentId: string; from: string }[]> {
    const rows = await this.#o.sql.query<{ nonce: string; agent_id: string; from_address: string }>(
      `SELECT nonce, agent_id, from_address FROM rail_authorizations WHERE status = 'signed' AND token = $1 AND chain_id = $2 ORDER BY created_at`,
      [this.#o.token.address, this.#o.chainId],
    );
    return rows.map((r) => ({ nonce: r.nonce, agentId: r.agent_id, from: r.from_address }));
  }

  /**
   * Cancels on chain every unsettled authorization of the agents `covers` names. The cancel
   * signature is the agent's own (the contract requires the authorizer's), made here on purpose
   * while the kill switch is engaged: it can only take a payment back. `sender` pays the gas.
   */
  async retract(
    covers: (agentId: string) => boolean,
    keys: { signerOf(agentId: string): DigestSigner; sender: Signer },
  ): Promise<AuthorizationRetraction[]> {
    const token = new Contract(this.#o.token.address, TOKEN, this.#o.provider);
    const items: AuthorizationRetraction[] = [];
    for (const row of await this.unsettled()) {
      if (!covers(row.agentId)) continue;
      const base = { kind: 'eip3009-authorization' as const, id: row.nonce, agentId: row.agentId };
      try {
        if ((await token.getFunction('authorizationState')(row.from, row.nonce)) as boolean) {
          await this.#mark(row.nonce, 'settled', null);
          items.push({ ...base, status: 'settled', detail: 'already used on chain before the kill switch reached it' });
          continue;
        }
        const digest = TypedDataEncoder.hash(this.#domain(), CANCEL_TYPES, { authorizer: row.from, nonce: row.nonce });
        const s = Signature.from(await keys.signerOf(row.agentId).signDigest(digest));
        const data = TOKEN.encodeFunctionData('cancelAuthorization', [row.from, row.nonce, s.v, s.r, s.s]);
        const tx = await keys.sender.sendTransaction({ to: this.#o.token.address, data });
        const mined = await tx.wait();
        if (mined?.status !== 1) throw new Error(`cancelAuthorization ${tx.hash} reverted`);
        await this.#mark(row.nonce, 'cancelled', tx.hash);
        items.push({
          ...base,
          status: 'retracted',
          detail: `cancelled on chain in block ${mined.blockNumber}`,
          tx: tx.hash,
        });
      } catch (error) {
        items.push({ ...base, status: 'failed', detail: (error as Error).message.slice(0, 300) });
      }
    }
    return items;
  }

  /** Records that an authorization was settled (the payee submitted it). */
  async markSettled(nonce: string): Promise<void> {
    await this.#mark(nonce, 'settled', null);
  }

  async #mark(nonce: string, status: string, tx: string | null): Promise<void> {
    await this.#o.sql.query(
      `UPDATE rail_authorizations SET status = $2, cancel_tx = $3, updated_at = $4 WHERE nonce = $1`,
      [nonce, status, tx, this.#now()],
    );
  }

  #domain() {
    return {
      name: this.#o.token.name,
      version: this.#o.token.version,
      chainId: this.#o.chainId,
      verifyingContract: this.#o.token.address,
    };
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}
