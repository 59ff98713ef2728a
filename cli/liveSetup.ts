/**
 * What `mandate run --live` does before any agent starts: the durability gate (refusing weak
 * storage unless `--accept-weak-durability`), and the chain the agents pay on — the embedded
 * chain under the data directory, or `EVM_RPC_URL` — with the feeds the system's `chain.yaml`
 * asks for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseOrThrow } from '../kernel/index.ts';
import { checkDurability, WeakDurabilityError, type DurabilityFinding } from '../runtime/index.ts';
import { openChain, type ChainConnection, type RuntimeStore } from '../runtime/index.ts';
import { UsageError } from './errors.ts';

const chainFile = z.strictObject({
  feeds: z
    .record(
      z.string().regex(/^[A-Z]{3,6}[A-Z]{3}$/, 'a pair such as EURUSD'),
      z.strictObject({
        decimals: z.number().int().min(0).max(18),
        initial: z.string().regex(/^\d+(\.\d+)?$/),
        description: z.string().min(1),
      }),
    )
    .default({}),
});

async function jetstreamStreams(natsUrl: string): Promise<{ name: string; storage: string }[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const out: { name: string; storage: string }[] = [];
    for await (const info of jsm.streams.list())
      out.push({ name: info.config.name, storage: String(info.config.storage) });
    return out;
  } finally {
    await nc.close();
  }
}

/** Opens the chain for a live run of the system in `dir`. */
export async function openLiveChain(options: {
  dir: string;
  dataDir: string;
  store: RuntimeStore;
}): Promise<ChainConnection> {
  const seed = await options.store.walletSeed?.();
  if (seed === undefined)
    throw new UsageError(
      'live mode needs a store that keeps the node wallet seed (PostgreSQL or the embedded database).',
    );
  const path = join(options.dir, 'chain.yaml');
  const config = existsSync(path)
    ? parseOrThrow(chainFile, parseYaml(readFileSync(path, 'utf8')) ?? {}, {
        what: path,
        error: UsageError,
        fix: 'fix chain.yaml',
      })
    : { feeds: {} };
  return openChain({ dir: join(options.dataDir, '..', 'chain'), seed, feeds: config.feeds });
}

/**
 * The durability gate: returns the findings (for the banner); throws {@link WeakDurabilityError}
 * naming every weak component unless `acceptWeak`.
 */
export async function durabilityGate(options: {
  store: RuntimeStore;
  natsUrl: string | undefined;
  chain: { kind: 'embedded' | 'rpc'; description: string };
  acceptWeak: boolean;
}): Promise<DurabilityFinding[]> {
  const findings = await checkDurability({
    databaseUrl: options.store.databaseUrl,
    chain: options.chain,
    ...(options.natsUrl === undefined
      ? {}
      : { jetstream: { streams: await jetstreamStreams(options.natsUrl), monitorUrl: process.env.NATS_MONITOR_URL } }),
  });
  const weak = findings.filter((f) => !f.durable);
  if (weak.length > 0 && !options.acceptWeak)
    throw new WeakDurabilityError(
      `live mode refused: ${weak.map((f) => `${f.component}: ${f.detail}`).join(' | ')}. Fix the storage, or run with --accept-weak-durability to pay anyway.`,
      { details: { weak: weak.map((f) => f.component) } },
    );
  return findings;
}
