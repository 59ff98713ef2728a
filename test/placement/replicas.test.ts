import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsKvCapabilityRegistry } from '../../registry/index.ts';
import { NatsKvPlacementStore } from '../../runtime/placement/NatsKvPlacementStore.ts';
import { NatsTransport } from '../../transport/index.ts';
import { NatsCluster } from '../support/natsCluster.ts';
import { eventually } from './placementSupport.ts';

describe('placement - buckets replicated over a three-server NATS cluster', () => {
  let cluster: NatsCluster;
  let t: NatsTransport;
  beforeAll(async () => {
    cluster = await NatsCluster.start(3);
    t = await NatsTransport.connect({ servers: cluster.urls });
  });
  afterAll(async () => {
    await t?.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it(
    'replicas - the placement and registry buckets have 3 replicas, and leases still renew with one server dead',
    { timeout: 60_000 },
    async () => {
      let store: NatsKvPlacementStore | undefined;
      // The cluster elects its JetStream meta leader shortly after the servers listen.
      await eventually(
        'JetStream is ready',
        async () => {
          store = await NatsKvPlacementStore.open(t.nc, { clock: { now: () => Date.now() }, replicas: 3 }).catch(
            () => undefined,
          );
          return store !== undefined;
        },
        30_000,
      );
      const registry = await NatsKvCapabilityRegistry.open(t.nc, { replicas: 3 });
      const jsm = await jetstreamManager(t.nc);
      for (const stream of ['KV_mandate_placement', 'KV_mandate_nodes', 'KV_mandate_registry', 'KV_mandate_revoked'])
        expect((await jsm.streams.info(stream)).config.num_replicas).toBe(3);
      let lease = (await store!.acquire('payer-0', 'node-a'))!;
      await cluster.servers[0]!.stop();
      await eventually(
        'a renewal commits with two servers of three',
        async () => {
          const renewed = await store!.renew(lease).catch(() => undefined);
          if (renewed !== undefined) lease = renewed;
          return renewed !== undefined;
        },
        30_000,
      );
      expect(lease.token).toBeLessThan(lease.revision);
      await registry.close();
      await store!.close();
    },
  );
});
