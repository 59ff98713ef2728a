/**
 * What the live treasury cluster test checks after its nodes stopped, from the sources of truth
 * rather than the nodes' reports: the chain (every transfer and every transaction of the agents'
 * wallets), the rails' ledger (`rail_intents`, `rail_attempts`, `rail_nonces`) and the audit trail
 * (`placement.agent.activated` / `deactivated`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, id, parseUnits, zeroPadValue, type JsonRpcApiProvider } from 'ethers';
import type pg from 'pg';
import { parse } from 'yaml';

const EXAMPLE = join(import.meta.dirname, '../../../examples/treasury');
const TRANSFER = id('Transfer(address,address,uint256)');

/** One USDC invoice of the example: where and how much it pays. */
interface UsdcInvoice {
  id: string;
  to: string;
  units: bigint;
}

/** The example's USDC invoices with their payees' addresses (payees.yaml). */
export function usdcInvoices(): UsdcInvoice[] {
  const { invoices } = parse(readFileSync(join(EXAMPLE, 'invoices.yaml'), 'utf8')) as {
    invoices: Array<{ id: string; counterparty: string; amount: string; currency: string }>;
  };
  const { payees } = parse(readFileSync(join(EXAMPLE, 'payees.yaml'), 'utf8')) as {
    payees: Record<string, { address?: string }>;
  };
  return invoices
    .filter((i) => i.currency === 'USDC' && payees[i.counterparty]?.address !== undefined)
    .map((i) => ({ id: i.id, to: getAddress(payees[i.counterparty]!.address!), units: parseUnits(i.amount, 6) }));
}

/** How many times each invoice was paid on chain: USDC transfers from `payer` matching its payee and amount. */
export async function invoicesPaidOnChain(
  provider: JsonRpcApiProvider,
  usdc: string,
  payer: string,
): Promise<Map<string, number>> {
  const logs = await provider.getLogs({
    address: usdc,
    fromBlock: 0,
    toBlock: 'latest',
    topics: [TRANSFER, zeroPadValue(payer, 32)],
  });
  const paid = new Map<string, number>();
  for (const log of logs) {
    const to = getAddress(`0x${log.topics[2]!.slice(26)}`);
    const units = BigInt(log.data);
    const invoice = usdcInvoices().find((i) => i.to === to && i.units === units);
    const key = invoice?.id ?? `unknown transfer of ${units} to ${to}`;
    paid.set(key, (paid.get(key) ?? 0) + 1);
  }
  return paid;
}

/** Per sender: the nonces the rails handed out, the chain's count, and the mined transactions the rails never signed. */
export interface NonceReport {
  address: string;
  /** `rail_nonces.next_nonce`. */
  next: number;
  /** The distinct nonces of `rail_attempts`, sorted. */
  signed: number[];
  /** The chain's transaction count of the address. */
  onChain: number;
  /** Hashes of mined transactions from the address that are not in `rail_attempts`. */
  foreign: string[];
}

/** The nonce report of every address the rails sent from. */
export async function nonceReports(db: pg.Client, provider: JsonRpcApiProvider): Promise<NonceReport[]> {
  const nonces = (await db.query(`select address, next_nonce::int as next from rail_nonces order by address`))
    .rows as Array<{ address: string; next: number }>;
  const attempts = (await db.query(`select tx_hash, from_address, nonce::int as nonce from rail_attempts`))
    .rows as Array<{
    tx_hash: string;
    from_address: string;
    nonce: number;
  }>;
  const senders = new Set(nonces.map((n) => getAddress(n.address)));
  const known = new Set(attempts.map((a) => a.tx_hash.toLowerCase()));
  const foreign = new Map<string, string[]>();
  const head = await provider.getBlockNumber();
  for (let n = 1; n <= head; n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      const from = getAddress(tx.from);
      if (senders.has(from) && !known.has(tx.hash.toLowerCase()))
        foreign.set(from, [...(foreign.get(from) ?? []), tx.hash]);
    }
  }
  const reports: NonceReport[] = [];
  for (const { address, next } of nonces) {
    const from = getAddress(address);
    const signed = [...new Set(attempts.filter((a) => getAddress(a.from_address) === from).map((a) => a.nonce))].sort(
      (a, b) => a - b,
    );
    const onChain = await provider.getTransactionCount(from, 'latest');
    reports.push({ address: from, next, signed, onChain, foreign: foreign.get(from) ?? [] });
  }
  return reports;
}

/** One placement entry of the audit trail. */
interface PlacementEntry {
  seq: number;
  at: number;
  action: string;
  agent: string;
  node: string;
}

/**
 * Overlaps of one agent on two nodes, from the audit trail: an agent activated on a node while
 * the node that had it before neither handed it over (its `deactivated` entry) nor was killed
 * (`killedAt`) first. Returns one line per overlap (empty: every agent ran on one node at a time).
 */
export async function placementOverlaps(db: pg.Client, killedAt: ReadonlyMap<string, number[]>): Promise<string[]> {
  const rows = (
    await db.query(
      `select seq::int as seq, at::bigint as at, action, subject as agent, location as node
         from mandate_audit_entry where action like 'placement.agent.%' order by seq`,
    )
  ).rows as Array<Omit<PlacementEntry, 'at'> & { at: string }>;
  const entries: PlacementEntry[] = rows.map((r) => ({ ...r, at: Number(r.at) }));
  const owner = new Map<string, { node: string; since: number }>();
  const overlaps: string[] = [];
  for (const e of entries) {
    const held = owner.get(e.agent);
    if (e.action === 'placement.agent.deactivated') {
      if (held?.node === e.node) owner.delete(e.agent);
      continue;
    }
    if (e.action !== 'placement.agent.activated') continue;
    if (held !== undefined) {
      const killed = (killedAt.get(held.node) ?? []).some((t) => t >= held.since && t <= e.at);
      if (!killed) overlaps.push(`${e.agent} activated on ${e.node} (audit #${e.seq}) while ${held.node} still ran it`);
    }
    owner.set(e.agent, { node: e.node, since: e.at });
  }
  return overlaps;
}

/** How many activations each agent had (a resumed agent has more than one). */
export async function activations(db: pg.Client): Promise<Map<string, string[]>> {
  const rows = (
    await db.query(
      `select subject as agent, location as node from mandate_audit_entry
        where action = 'placement.agent.activated' order by seq`,
    )
  ).rows as Array<{ agent: string; node: string }>;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.agent, [...(out.get(r.agent) ?? []), r.node]);
  return out;
}
