import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a database, so a test can make the database "go away" (every
 * connection cut, new ones refused) and come back on the same address, without touching the
 * shared server.
 */
export interface DbProxy extends AsyncDisposable {
  /** The proxy's URL: the target URL with host and port replaced. */
  url: string;
  /** Cuts every connection and stops accepting new ones. */
  down(): Promise<void>;
  /** Accepts connections again on the same port. */
  up(): Promise<void>;
  /**
   * Arms a one-shot fault: the next COMMIT a client sends is delivered to the database, and the
   * client's connection is cut before the answer comes back — an ambiguous commit.
   */
  cutAfterCommit(): void;
}

/**
 * Starts a proxy on 127.0.0.1 (random port) forwarding to the host and port of `targetUrl`, or to
 * the Unix socket `<host>/.s.PGSQL.<port>` when the host is a (percent-encoded) directory, as the
 * embedded database's URL is.
 */
export async function startDbProxy(targetUrl: string): Promise<DbProxy> {
  const target = new URL(targetUrl);
  const host = decodeURIComponent(target.hostname);
  const dial = (): Socket =>
    host.startsWith('/')
      ? connect(`${host}/.s.PGSQL.${target.port || 5432}`)
      : connect(Number(target.port || 5432), host);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let armed = false;
  const listen = async (): Promise<void> => {
    server = createServer((client) => {
      const upstream = dial();
      sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      let cutting = false;
      client.on('error', drop).on('close', () => {
        if (!cutting) drop();
      });
      upstream.on('error', drop).on('close', drop);
      client.on('data', (data: Buffer) => {
        if (armed && data.toString('latin1').toLowerCase().includes('commit')) {
          armed = false;
          cutting = true;
          // The COMMIT reaches the server (then its connection ends); the client never hears back.
          upstream.end(data);
          client.destroy();
        } else {
          upstream.write(data);
        }
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) =>
      server!.once('error', reject).listen(port, '127.0.0.1', () => resolve()),
    );
    port = (server.address() as { port: number }).port;
  };
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    down,
    up: listen,
    cutAfterCommit() {
      armed = true;
    },
    async [Symbol.asyncDispose]() {
      await down();
    },
  };
}
