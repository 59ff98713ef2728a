import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A nats-server child being started: its port, its process, and its log so far. */
interface Starting {
  port: number;
  child: ChildProcess;
  log: () => string;
}

async function waitForPort({ port, child, log }: Starting, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`nats-server exited with ${child.exitCode} before listening on ${port}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port }, () => (c.end(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on 127.0.0.1:${port} within ${ms} ms:\n${log()}`);
}

/**
 * A real nats-server on a random loopback port, for integration tests (optionally with JetStream and an
 * extra config block, e.g. from natsAuthConfig). Fails loudly when the binary is missing.
 *
 * @example
 * await using ns = await NatsServer.start({ jetstream: true });
 * const t = await NatsTransport.connect({ servers: ns.url });
 */
export class NatsServer {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #log = '';
  readonly #args: string[];

  private constructor(port: number, dir: string, args: string[]) {
    this.port = port;
    this.dir = dir;
    this.#args = args;
  }

  /** `nats://127.0.0.1:<port>` */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts a server; `config` is appended to the generated config file (e.g. an authorization block). */
  static async start(options: { jetstream?: boolean; config?: string } = {}): Promise<NatsServer> {
    if (!existsSync(BINARY)) {
      throw new Error(
        `nats-server not found at ${BINARY}: install it (apt-get install nats-server) or set NATS_SERVER_BIN. Integration tests need a real server.`,
      );
    }
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mandate-nats-'));
    const conf = join(dir, 'server.conf');
    writeFileSync(
      conf,
      `listen: "127.0.0.1:${port}"\n${options.jetstream === true ? `jetstream { store_dir: "${join(dir, 'js')}" }\n` : ''}${options.config ?? ''}\n`,
    );
    const server = new NatsServer(port, dir, ['-c', conf]);
    await server.#spawn();
    return server;
  }

  /** Stops the server process (SIGKILL by default: a crash) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
    this.#child = undefined;
  }

  /** Starts the server again on the same port with the same JetStream store. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Everything the server wrote (for assertions on permission violations). */
  get log(): string {
    return this.#log;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #spawn(): Promise<void> {
    const child = spawn(BINARY, this.#args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => (this.#log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#log += d.toString()));
    await waitForPort({ port: this.port, child, log: () => this.#log });
    if (this.#args.length > 0) await new Promise((r) => setTimeout(r, 50)); // JetStream finishes recovery right after the listener opens
  }
}
