import { freePort, NatsServer } from './natsServer.ts';

/**
 * Three (or `size`) real nats-server processes with routes between them and clustered JetStream,
 * on random loopback ports, for fault tests that kill one server.
 *
 * @example
 * await using cluster = await NatsCluster.start();
 * await cluster.servers[0]!.stop(); // the other two keep quorum
 */
export class NatsCluster {
  readonly servers: NatsServer[];

  private constructor(servers: NatsServer[]) {
    this.servers = servers;
  }

  /** Client URLs of every server. */
  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  /** One nats-server with JetStream and no routes (the same shape, for tests that need no server failure). */
  static async single(): Promise<NatsCluster> {
    return new NatsCluster([await NatsServer.start({ jetstream: true })]);
  }

  static async start(size = 3): Promise<NatsCluster> {
    const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
    const routes = routePorts.map((p) => `"nats-route://127.0.0.1:${p}"`).join(', ');
    const servers = await Promise.all(
      routePorts.map((port, i) =>
        NatsServer.start({
          jetstream: true,
          config: `server_name: "mandate-n${i}"\ncluster { name: "mandate-test", listen: "127.0.0.1:${port}", routes: [${routes}] }`,
        }),
      ),
    );
    return new NatsCluster(servers);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.servers.map((s) => s[Symbol.asyncDispose]()));
  }
}
