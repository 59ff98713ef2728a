import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers: a status, headers and body, or `hang` (never answer: a timeout). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local HTTP server that records every request and answers from a script (the last answer repeats). */
export interface HttpReceiver extends AsyncDisposable {
  url: string;
  received: Received[];
}

/**
 * Starts a receiver on a random loopback port. `answer` is called per request (its index and the
 * request), so a test can play a service's real answers: success, refusals, 429, 5xx, silence.
 */
export async function httpReceiver(answer: (i: number, r: Received) => Answer): Promise<HttpReceiver> {
  const received: Received[] = [];
  const hanging = new Set<() => void>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      received.push(r);
      const a = answer(received.length - 1, r);
      if (a === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async [Symbol.asyncDispose]() {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
