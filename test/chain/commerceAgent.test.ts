/**
 * One agent in the open economy: it buys market data from an x402 resource (the x402 packages' own
 * facilitator on the embedded chain) and then calls a tool on an external MCP server
 * (server-everything), both as governed actions of one runtime with a store — and both in its audit
 * trail, with a tool governance denies never called.
 */
import { parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMcpActuator,
  createX402Actuator,
  Eip3009Authorizations,
  McpClients,
  quoteX402,
  routeActuators,
  type Decider,
  type X402QuoteFact,
} from '../../actors/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { openTestStore, type TestStore } from '../support/db.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';
import { everythingStdio } from '../support/everythingServer.ts';
import { startX402Server, type X402TestServer } from '../support/x402Server.ts';

const human = { kind: 'human' as const, id: 'ops' };
let t: EmbeddedTreasury;
let store: TestStore;
let server: X402TestServer;
let runtime: MandateRuntime;
let mcp: McpClients;

/** `input.step` says what to do: buy the data, or add two numbers with the MCP tool (or try a denied one). */
const decide: Decider = {
  async decide(facts) {
    const input = facts.input as { step: 'buy' | 'sum' | 'env' };
    const quote = facts.quote as X402QuoteFact;
    const action =
      input.step === 'buy'
        ? {
            type: 'x402.pay',
            capability: 'data.buy',
            account: 'data',
            amount: { value: quote.price, asset: 'USDC' },
            counterparty: quote.payTo,
            params: { url: quote.url, requirements: quote.requirements },
          }
        : {
            type: 'mcp.tool.call',
            capability: `mcp.everything.${input.step === 'sum' ? 'get-sum' : 'get-env'}`,
            account: 'everything',
            params: {
              server: 'everything',
              tool: input.step === 'sum' ? 'get-sum' : 'get-env',
              arguments: input.step === 'sum' ? { a: 1, b: 2 } : {},
            },
          };
    return { action, confidence: 1, rationale: `commerce step ${input.step}`, rulesFired: [input.step], model: null };
  },
};

beforeAll(async () => {
  t = await startEmbeddedTreasury();
  store = await openTestStore('postgresql');
  const usdc = t.chain.contracts.tokens.USDC!;
  const asset = { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6 };
  const facilitator = Wallet.createRandom();
  await t.fund(facilitator.address, {});
  server = await startX402Server({
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    token: { address: usdc, name: 'USD Coin', version: '2' },
    payTo: Wallet.createRandom().address,
    amount: parseUnits('0.05', 6),
    facilitatorKey: facilitator.privateKey as `0x${string}`,
  });
  runtime = await createRuntime({
    mode: 'live',
    chain: t.chain,
    store: store.store,
    governance: {
      approvalTimeout: 60_000,
      groupBudgets: {},
      rules: [
        {
          name: 'no-env',
          priority: 1,
          conditions: { all: [{ fact: 'capability', operator: 'equal', value: 'mcp.everything.get-env' }] },
          effect: 'deny',
          reason: 'the server environment is off limits',
        },
      ],
    },
  });
  await runtime.start();
  await t.fund(t.chain.walletOf('shopper'), { usdc: '5' });
  const authorizations = new Eip3009Authorizations({
    sql: t.db.sql,
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    token: { address: usdc, name: 'USD Coin', version: '2' },
    killSwitch: runtime.railKillSwitch(),
  });
  mcp = McpClients.fromSpec({ servers: { everything: everythingStdio() } });
  await runtime.spawn(
    defineAgent({
      id: 'shopper',
      capabilities: ['data.buy', 'mcp.everything.get-sum', 'mcp.everything.get-env'],
      permissions: [
        { capability: 'data.buy', accounts: ['data'] },
        { capability: 'mcp.everything.get-sum', accounts: ['everything'] },
        { capability: 'mcp.everything.get-env', accounts: ['everything'] },
      ],
      limits: { perTransaction: { USDC: '1' }, daily: { USDC: '1' } },
      perceive: async () => ({ quote: await quoteX402(server.url, asset) }),
      decide,
      act: routeActuators({
        'x402.pay': createX402Actuator({ authorizations, asset, signerOf: (id) => t.chain.wallets.forAgent(id) }),
        'mcp.tool.call': createMcpActuator(mcp),
      }),
    }),
  );
});
afterAll(async () => {
  await runtime?.shutdown();
  await mcp?.close();
  await server?.close();
  await store?.[Symbol.asyncDispose]();
  await t?.close();
});

async function step(name: 'buy' | 'sum' | 'env') {
  const host = agentOf(runtime, 'shopper');
  const before = host.context.decision?.id;
  expect(await runtime.trigger('shopper', human, { step: name })).toBe(true);
  for (let i = 0; i < 1000 && !(host.state === 'idle' && host.context.decision?.id !== before); i++)
    await new Promise((r) => setTimeout(r, 10));
  return host.context;
}

describe('commerce agent', () => {
  it('commerce - buys data over x402 and calls an MCP tool, both governed and both in the audit trail', async () => {
    expect((await step('buy')).outcome).toMatchObject({ status: 'succeeded', receipt: { settled: true } });
    expect((await step('sum')).outcome).toMatchObject({
      status: 'succeeded',
      receipt: { content: { text: 'The sum of 1 and 2 is 3.' } },
    });
    const denied = await step('env');
    expect(denied.verdict).toMatchObject({ status: 'denied', by: 'governance' });
    const audit = runtime.store!.audit!;
    const paid = await audit.query({ agent: 'shopper', action: 'agent.x402.pay.*', limit: 10 });
    expect(paid.entries.map((e) => e.action)).toEqual(['agent.x402.pay.succeeded']);
    expect(paid.entries[0]?.data).toMatchObject({ amount: '0.05', currency: 'USDC', receipt: { settled: true } });
    const tools = await audit.query({ agent: 'shopper', action: 'agent.mcp.tool.call.*', limit: 10 });
    expect(tools.entries.map((e) => e.action).sort()).toEqual([
      'agent.mcp.tool.call.denied',
      'agent.mcp.tool.call.succeeded',
    ]);
    expect((await audit.verify()).ok).toBe(true);
    expect(server.settlements).toHaveLength(1);
  });
});
