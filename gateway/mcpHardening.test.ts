/**
 * The MCP endpoint's DNS-rebinding guard (Origin and Host checked before anything runs) and
 * `logging/setLevel`, against a gateway listening on loopback.
 */
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesDecider } from '../actors/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../runtime/index.ts';
import { createGateway } from './createGateway.ts';
import { TokenStore } from './TokenStore.ts';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

let runtime: MandateRuntime;
let app: FastifyInstance;
let port: number;
let token: string;

beforeAll(async () => {
  runtime = await createRuntime();
  await runtime.spawn(
    defineAgent({
      id: 'noter',
      capabilities: ['notes.write'],
      permissions: [{ capability: 'notes.write', accounts: ['notes'] }],
      perceive: () => ({}),
      decide: RulesDecider.fromObject({
        rules: [
          {
            name: 'note',
            conditions: { all: [{ fact: 'input', operator: 'notEqual', value: null }] },
            event: { type: 'note.write', capability: 'notes.write', account: 'notes', rationale: 'asked to' },
          },
        ],
      }),
      act: { name: 'note', effect: 'internal', execute: async () => ({ status: 'succeeded', receipt: {} }) },
    }),
  );
  const tokens = new TokenStore();
  token = tokens.issue('op', 'operator').token;
  app = await createGateway({ runtime, tokens, mcp: { allowedOrigins: ['https://console.example.com'] } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await runtime?.shutdown();
});

/** POSTs an initialize to /mcp with the given Host and Origin headers. */
function post(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          host: `127.0.0.1:${port}`,
          ...headers,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(INIT);
  });
}

describe('gateway - MCP endpoint hardening', () => {
  it('gateway - a foreign Origin is refused with 403 and a code (DNS-rebinding protection)', async () => {
    const refused = await post({ origin: 'http://evil.example.com' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'MANDATE_ERR_MCP_ORIGIN_REFUSED' } });
    expect((await post({ origin: 'null' })).status).toBe(403);
  });

  it('gateway - no Origin, the gateway own origin and a listed origin are served', async () => {
    expect((await post({})).status).toBe(200);
    expect((await post({ origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await post({ origin: 'https://console.example.com' })).status).toBe(200);
  });

  it('gateway - on loopback, a Host that is not a loopback name is refused', async () => {
    const rebound = await post({ host: `attacker.example.com:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('MANDATE_MCP_ALLOWED_HOSTS');
    expect((await post({ host: `localhost:${port}` })).status).toBe(200);
  });

  it('gateway - logging/setLevel is kept per token and tool calls then log to the caller', async () => {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      expect(client.getServerCapabilities()?.logging).toEqual({});
      const logs: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
      const silent = await client.callTool({ name: 'notes.write', arguments: { text: 'a' } });
      expect(silent.isError).not.toBe(true);
      expect(logs).toEqual([]);
      await client.setLoggingLevel('info');
      const logged = await client.callTool({ name: 'notes.write', arguments: { text: 'b' } });
      expect(logged.isError).not.toBe(true);
      expect(logs).toEqual([
        expect.objectContaining({ level: 'info', data: { event: 'task.submitted', capability: 'notes.write' } }),
        expect.objectContaining({
          level: 'info',
          data: expect.objectContaining({ event: 'task.done', verdict: 'approved' }),
        }),
      ]);
      await client.setLoggingLevel('error');
      logs.length = 0;
      await client.callTool({ name: 'notes.write', arguments: { text: 'c' } });
      expect(logs).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
