/**
 * A LIVE payment end to end: the treasury example started the way `mandate run --live` starts it
 * (the durability gate, the embedded chain under the data directory with the example's chain.yaml
 * feeds, the example's KYB options; PostgreSQL for state), the gateway on a random loopback
 * port with the built dashboard. The first invoice payables pays on chain is then followed to the
 * chain's own receipt, the line the CLI prints for it, `GET /api/payments/:id` and the payment page
 * in Chromium: one transaction hash and one block everywhere.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatEther, Wallet, type TransactionReceipt } from 'ethers';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovernancePolicy } from '../../actors/index.ts';
import { durabilityGate, openLiveChain } from '../../cli/liveSetup.ts';
import { formatEvent } from '../../cli/printEvent.ts';
import { setup, systemOptions } from '../../examples/treasury/index.ts';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import {
  createLogger,
  createRuntime,
  logInspectionEvent,
  type ChainConnection,
  type MandateRuntime,
  type TransitionEvent,
} from '../../runtime/index.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { buildUi, type BuiltUi } from '../support/buildUi.ts';
import { openTestStore, type TestStore } from '../support/db.ts';
import { consoleSignIn } from '../support/consoleSignIn.ts';

const example = fileURLToPath(new URL('../../examples/treasury/', import.meta.url));
const TX_HASH = /^0x[0-9a-f]{64}$/;

/** The on-chain effect a transition carries (runtime/journal/TransitionJournal.ts). */
interface Effect {
  key: string;
  tx: string;
  block: number | null;
  rail: string | null;
}

let db: TestStore | undefined;
let ui: BuiltUi | undefined;
let browser: TestBrowser | undefined;
let runtime: MandateRuntime | undefined;
let chain: ChainConnection | undefined;
let system: { close(): Promise<void> } | undefined;
let app: FastifyInstance | undefined;
let url: string;
let token: string;
/** The transition that ended payables' first cycle that paid on chain, and its effect. */
let paid: { event: TransitionEvent; effect: Effect };
/** What the chain itself says about that transaction. */
let onChain: TransactionReceipt;

/** Starts the example live; resolves once payables is back to idle after an on-chain payment. */
async function startLive(): Promise<void> {
  // A fresh PostgreSQL database (the embedded one is the same store over PGlite, and much slower to create).
  db = await openTestStore('postgresql');
  const { store, dataDir } = db;
  await durabilityGate({
    store,
    natsUrl: undefined,
    chain: { kind: 'embedded', description: 'embedded chain' },
    acceptWeak: false,
  });
  chain = await openLiveChain({ dir: example, dataDir, store });
  const governancePath = join(example, 'governance.yaml');
  const governance = GovernancePolicy.fromYaml(await readFile(governancePath, 'utf8'), () => undefined, governancePath);
  runtime = await createRuntime({
    ...(await systemOptions()),
    mode: 'live',
    store,
    chain,
    governance: governance.config,
  });
  const rt = runtime;
  const settled = new Promise<{ event: TransitionEvent; effect: Effect }>((resolve) => {
    const off = rt.subscribe((e) => {
      if (e.type !== 'transition' || e.actorId !== 'payables' || e.to !== 'idle') return;
      const effect = e.summary.effect as Effect | undefined;
      if (effect === undefined || e.summary.outcome !== 'succeeded') return;
      off();
      resolve({ event: e, effect });
    });
  });
  // The approvers' own wallets, as a user sets them before the first live start (approvers.ts); this
  // spares the two scrypt keystores a first start creates, which no payment under the threshold needs.
  const approvers = join(dataDir, '..', 'approvers');
  await mkdir(approvers, { recursive: true });
  const addresses = { 'human:treasurer': Wallet.createRandom().address, 'human:cfo': Wallet.createRandom().address };
  await writeFile(join(approvers, 'approvers.json'), JSON.stringify(addresses));
  system = await setup(rt, { chain, dataDir });
  const tokens = new TokenStore();
  token = tokens.issue('observer', 'observer').token;
  app = await createGateway({ runtime: rt, tokens, uiDir: ui!.dir });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  paid = await settled;
}

beforeAll(async () => {
  // The dashboard builds and the browser starts while the chain is deployed and the agents pay.
  const [built, launched] = await Promise.allSettled([buildUi(), launchBrowser()]);
  if (built.status === 'fulfilled') ui = built.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  if (built.status === 'rejected') throw built.reason;
  if (launched.status === 'rejected') throw launched.reason;
  await startLive();
  const receipt = await chain!.provider().getTransactionReceipt(paid.effect.tx);
  if (receipt === null) throw new Error(`The chain has no receipt for ${paid.effect.tx}`);
  onChain = receipt;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await runtime?.shutdown();
  await system?.close();
  await chain?.close();
  await ui?.close();
  await db?.[Symbol.asyncDispose]();
});

describe('live payment - one transaction hash and block from the chain to the dashboard', () => {
  it('live payment - the first invoice paid is mined on the embedded chain from the payables wallet, and its transition line prints business key, tx hash and block', () => {
    const payables = runtime!.listAgents().find((a) => a.id === 'payables')!;
    expect(paid.effect.key).toMatch(/^INV-\d{4}$/);
    expect(paid.effect.tx).toMatch(TX_HASH);
    expect(onChain.status).toBe(1);
    expect(onChain.from).toBe(payables.wallet?.address);
    expect(paid.effect.block).toBe(onChain.blockNumber);
    // The line `mandate run` prints for this transition (cli/runCommand.ts hands every event to formatEvent).
    const line = formatEvent(paid.event, false)!;
    expect(line).toContain('payables');
    expect(line).toContain(
      `[${paid.effect.key} evm:${chain!.chainId} tx ${onChain.hash} block ${onChain.blockNumber}]`,
    );
    // And the same effect as fields of the JSON line (`--log-format json`).
    const lines: string[] = [];
    logInspectionEvent(
      createLogger({ base: {}, destination: { write: (l: string) => void lines.push(l) } }),
      paid.event,
    );
    expect(JSON.parse(lines[0]!)).toMatchObject({
      agent: 'payables',
      effect: { key: paid.effect.key, tx: onChain.hash, block: onChain.blockNumber },
    });
  });

  it('live payment - GET /api/payments/:invoice answers the intent and receipt with the chain’s tx hash and block', async () => {
    const res = await fetch(`${url}/api/payments/${paid.effect.key}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const story = (await res.json()) as {
      key: string;
      intent: { status: string; reference: string; receipt: { reference: string; details: Record<string, unknown> } };
      decision: { outcome: { status: string } | null };
      duplicate: unknown;
    };
    expect(story.key).toBe(`payables:${paid.effect.key}`);
    expect(story.intent.status).toBe('succeeded');
    expect(story.intent.reference).toBe(onChain.hash);
    expect(story.intent.receipt.reference).toBe(onChain.hash);
    expect(story.intent.receipt.details.blockNumber).toBe(onChain.blockNumber);
    expect(story.intent.receipt.details.from).toBe(onChain.from);
    expect(story.decision.outcome?.status).toBe('succeeded');
    // Its own settled intent is its outcome, not a duplicate of it.
    expect(story.duplicate).toEqual({ settled: null, approvedBefore: [] });
  });

  it('live payment - the payment page in Chromium shows the transaction hash and block under “On chain”', async () => {
    const errors: string[] = [];
    const page = await consoleSignIn({
      browser: browser!,
      gateway: { url, tokens: { observer: token } },
      role: 'observer',
      errors,
      at: `#/payments/${encodeURIComponent(paid.effect.key)}`,
    });
    const onChainFacts = page.getByTestId('payment-chain');
    await onChainFacts.waitFor();
    const field = (name: string) => onChainFacts.locator(`dd[data-field="${name}"]`).innerText();
    expect(await field('transaction')).toBe(onChain.hash);
    expect(await field('block')).toBe(String(onChain.blockNumber));
    expect(await field('from')).toBe(onChain.from);
    expect(await field('chain')).toBe(`evm:${chain!.chainId} (the embedded chain)`);
    // The fee the chain charged (gas used × effective price), in ETH, under On chain and Execution.
    const fee = `${formatEther(onChain.fee)} ETH`;
    expect(await field('network fee')).toBe(fee);
    expect(await page.locator('[data-testid="payment-execution"] dd[data-field="fees"]').innerText()).toBe(fee);
    expect(await page.getByTestId('payment-status').innerText()).toBe('succeeded');
    expect(await page.getByTestId('payment-duplicate').count()).toBe(0);
    await screenshot(page, 'live-payment-page');
    await page.close();
    expect(errors).toEqual([]);
  });
});
