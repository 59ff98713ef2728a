/**
 * MCP client benchmark: `npm run bench -- mcp`
 *
 * Governed MCP tool calls/s — each one a full agent cycle (trigger, perceive, decide, sandbox →
 * reputation → governance, write-ahead intent, the `tools/call` through the MCP actuator with its
 * argument check, learn with the settle) — against raw `@modelcontextprotocol/sdk` `Client.callTool`
 * calls/s, both on `@modelcontextprotocol/server-everything` over stdio (one server process each, the
 * same tool `get-sum`), sequentially and with 4 in flight (4 agents / 4 concurrent raw calls),
 * alternating rounds in this run; medians and ratios. Target: ratio ≥ 0.8.
 * Two more rows split the cost: the MCP actuator alone (argument check, call, result check, receipt)
 * against the raw call, and full cycles calling a tool that takes 20 ms (server-everything's
 * `trigger-long-running-operation`, one step), as tools that do real work do.
 * A last row is the ceiling of the sequential ratio: full governed cycles whose actuator answers at once
 * (no MCP at all) against the raw call: a sequential governed call costs at least one such cycle plus the
 * raw call, so its ratio cannot pass floor / (floor + raw) however cheap the MCP part is.
 * `BENCH_MCP_CALLS` sets the calls per round (default 1000; the 20 ms rows make a tenth of them).
 */
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createMcpActuator, McpClients, type Decider } from '../actors/index.ts';
import { createRuntime, defineAgent } from '../runtime/index.ts';
import { everythingStdio } from '../test/support/everythingServer.ts';

const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 1000);
const ROUNDS = 3;
const who = { kind: 'system' as const, id: 'bench' };

const SLOW = { duration: 0.02, steps: 1 };

/** Calls the tool named in the input with its arguments. */
const fromInput: Decider = {
  async decide(facts) {
    const input = facts.input as { tool: string; arguments: Record<string, unknown> };
    return {
      action: {
        type: 'mcp.tool.call',
        capability: `mcp.everything.${input.tool}`,
        account: 'everything',
        params: { server: 'everything', tool: input.tool, arguments: input.arguments },
      },
      confidence: 1,
      rationale: 'bench',
      rulesFired: ['bench'],
      model: null,
    };
  },
};

async function rate(n: number, inFlight: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const spec = everythingStdio('30s');
  const raw = new Client({ name: 'bench-raw', version: '1' });
  await raw.connect(new StdioClientTransport({ command: spec.command, args: spec.args, stderr: 'ignore' }));
  await raw.listTools();

  const mcp = McpClients.fromSpec({ servers: { everything: spec } });
  const runtime = await createRuntime({ mode: 'live' });
  for (let i = 0; i < 4; i++)
    await runtime.spawn(
      defineAgent({
        id: `caller-${i}`,
        capabilities: ['mcp.everything.get-sum', 'mcp.everything.trigger-long-running-operation'],
        permissions: [
          { capability: 'mcp.everything.get-sum', accounts: ['everything'] },
          { capability: 'mcp.everything.trigger-long-running-operation', accounts: ['everything'] },
        ],
        mcp,
        perceive: () => ({}),
        decide: fromInput,
      }),
    );

  await runtime.spawn(
    defineAgent({
      id: 'floor',
      capabilities: ['bench.floor'],
      permissions: [{ capability: 'bench.floor', accounts: ['none'] }],
      perceive: () => ({}),
      decide: {
        decide: async () => ({
          action: { type: 'bench.noop', capability: 'bench.floor', account: 'none', params: {} },
          confidence: 1,
          rationale: 'bench',
          rulesFired: ['bench'],
          model: null,
        }),
      },
      act: { name: 'noop', effect: 'external', execute: async () => ({ status: 'succeeded', receipt: {} }) },
    }),
  );

  const rawCall = (tool: string, args: (i: number) => Record<string, unknown>) => async (i: number) => {
    const r = await raw.callTool({ name: tool, arguments: args(i) });
    if (r.isError === true) throw new Error('raw call failed');
  };
  const governedCall = (tool: string, args: (i: number) => Record<string, unknown>) => async (i: number) => {
    const r = await runtime.submitTask(`mcp.everything.${tool}`, { tool, arguments: args(i) }, who);
    if (r.outcome?.status !== 'succeeded') throw new Error(`governed call ended ${JSON.stringify(r.outcome)}`);
  };
  const actuator = createMcpActuator(mcp);
  const ctx = { agentId: 'bench', decisionId: 'd', idempotencyKey: 'k', mode: 'live' as const, now: 0 };
  const actuatorCall = async (i: number) => {
    const params = { server: 'everything', tool: 'get-sum', arguments: { a: i, b: 1 } };
    const r = await actuator.execute({ type: 'mcp.tool.call', capability: 'mcp.everything.get-sum', params }, ctx);
    if (r.status !== 'succeeded') throw new Error(`actuator call ended ${JSON.stringify(r)}`);
  };
  const sumArgs = (i: number) => ({ a: i, b: 1 });
  await rate(200, 1, rawCall('get-sum', sumArgs)); // warm-up
  await rate(200, 1, governedCall('get-sum', sumArgs));

  const rows: Array<[string, number, number, (i: number) => Promise<void>, (i: number) => Promise<void>]> = [
    ['get-sum, full governed cycle', CALLS, 1, rawCall('get-sum', sumArgs), governedCall('get-sum', sumArgs)],
    ['get-sum, full governed cycle', CALLS, 4, rawCall('get-sum', sumArgs), governedCall('get-sum', sumArgs)],
    ['get-sum, MCP actuator alone ', CALLS, 1, rawCall('get-sum', sumArgs), actuatorCall],
    [
      '20 ms tool, full governed cycle',
      Math.max(10, Math.round(CALLS / 10)),
      4,
      rawCall('trigger-long-running-operation', () => SLOW),
      governedCall('trigger-long-running-operation', () => SLOW),
    ],
  ];
  for (const [label, n, inFlight, rawOne, governedOne] of rows) {
    const raws: number[] = [];
    const governed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raws.push(await rate(n, inFlight, rawOne));
      governed.push(await rate(n, inFlight, governedOne));
    }
    const r = median(raws);
    const g = median(governed);
    console.log(
      `MCP tools/call, ${label}, ${inFlight} in flight: raw SDK client ${Math.round(r).toLocaleString()} calls/s   Mandate ${Math.round(g).toLocaleString()} calls/s   ratio ${(g / r).toFixed(2)} (target ≥ 0.8; ${n} calls × ${ROUNDS} rounds, medians)`,
    );
  }
  const floors: number[] = [];
  const raws: number[] = [];
  const floorCycle = async () => {
    const r = await runtime.submitTask('bench.floor', {}, who);
    if (r.outcome?.status !== 'succeeded') throw new Error(`floor cycle ended ${JSON.stringify(r.outcome)}`);
  };
  for (let round = 0; round < ROUNDS; round++) {
    raws.push(await rate(CALLS, 1, rawCall('get-sum', sumArgs)));
    floors.push(await rate(CALLS, 1, floorCycle));
  }
  const [r, f] = [median(raws), median(floors)];
  console.log(
    `Governed cycle without MCP (an actuator that answers at once), 1 in flight: ${Math.round(f).toLocaleString()} cycles/s; raw SDK client ${Math.round(r).toLocaleString()} calls/s: the sequential ratio's ceiling is ${(f / (f + r)).toFixed(2)}`,
  );
  await runtime.shutdown();
  await mcp.close();
  await raw.close();
}

await main();
