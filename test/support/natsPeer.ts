import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AgentIdentity } from '../../transport/index.ts';

const PEER = fileURLToPath(new URL('../fixtures/peerNode.ts', import.meta.url));

/** A peer runtime node running test/fixtures/peerNode.ts in its own process. */
export class PeerProcess {
  readonly did: string;
  readonly child: ChildProcess;
  out = '';
  readonly #waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  private constructor(did: string, child: ChildProcess) {
    this.did = did;
    this.child = child;
    const feed = (d: Buffer) => {
      this.out += d.toString();
      for (const w of [...this.#waiters]) {
        const m = this.out.match(w.re);
        if (m) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    child.stdout?.on('data', feed);
    child.stderr?.on('data', feed);
  }

  /**
   * Spawns a peer; resolves once it printed READY (registered and serving). `script` (default the contractor
   * peer, test/fixtures/peerNode.ts) and `seed` (default random) let a test restart the same identity.
   */
  static async start(
    env: { NATS_URL: string; PEER_ID: string } & Record<string, string>,
    options: { script?: string; seed?: Buffer } = {},
  ): Promise<PeerProcess> {
    const seed = options.seed ?? randomBytes(32);
    const did = AgentIdentity.fromSeed(new Uint8Array(seed)).did;
    const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? PEER], {
      env: { ...process.env, ...env, PEER_SEED: seed.toString('hex') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const peer = new PeerProcess(did, child);
    await peer.waitFor(/READY (\S+)/, 30_000);
    return peer;
  }

  /** Resolves when the output matches `re`; rejects (with the output so far) after `ms` or if the process exits. */
  waitFor(re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const m = this.out.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`peer did not print ${re} within ${ms} ms. Output:\n${this.out}`)),
        ms,
      );
      this.child.once('exit', (code) =>
        reject(new Error(`peer exited (${code}) before printing ${re}. Output:\n${this.out}`)),
      );
      this.#waiters.push({ re, resolve: (x) => (clearTimeout(timer), resolve(x)) });
    });
  }

  /** SIGKILL: the process dies without deregistering (a crash). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }
}
