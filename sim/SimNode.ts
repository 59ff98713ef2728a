import { createRuntime, type MandateRuntime } from '../runtime/index.ts';
import type { SimBank } from './SimBank.ts';
import type { SimChain } from './SimChain.ts';
import type { SimClock } from './SimClock.ts';
import type { SimDisk } from './SimDisk.ts';
import { SimIo, type IoFaults } from './SimIo.ts';
import type { SimRandom } from './SimRandom.ts';
import { SimStore } from './SimStore.ts';
import { simAgents, SIM_GOVERNANCE } from './simAgents.ts';

/** The durable world every incarnation of the node shares. */
export interface SimWorld {
  clock: SimClock;
  random: SimRandom;
  disk: SimDisk;
  bank: SimBank;
  chain: SimChain;
  /** The faults of the store's await points (all zero while the world heals). */
  faults: IoFaults;
  garbage: number;
  /** The heal phase: no more faults. */
  calm: boolean;
}

/**
 * One incarnation of the runtime process: its own clock view, store connection and rail
 * connections over the shared world. It boots in the background (boot itself has await points
 * that may crash); `runtime` is set once it runs with both agents spawned.
 */
export class SimNode {
  readonly io: SimIo;
  runtime: MandateRuntime | undefined;
  crashedAt: string | undefined;

  constructor(world: SimWorld, incarnation: number) {
    this.io = new SimIo(incarnation, {
      clock: world.clock,
      random: world.random,
      faults: world.faults,
      onCrash: (where) => (this.crashedAt = where),
      calm: () => world.calm,
    });
    void this.#boot(world).catch((error: unknown) => {
      // A boot that failed on a simulated fault: the process exits and is started again.
      this.crashedAt = `boot failed: ${(error as Error).message}`;
      this.io.kill();
    });
  }

  async #boot(world: SimWorld): Promise<void> {
    const clock = world.clock.view(this.io.incarnation);
    const runtime = await createRuntime({
      mode: 'live',
      clock,
      store: new SimStore(world.disk, this.io),
      governance: SIM_GOVERNANCE,
      nodeId: 'sim-node',
      newId: () => world.random.uuid(),
      random: () => world.random.next(),
      metrics: false,
      timeTriggers: false,
    });
    for (const def of simAgents({ ...world, io: this.io, clock })) await runtime.spawn(def);
    if (this.io.alive) this.runtime = runtime;
  }

  /** The process died: its timers go, and its runtime is stopped without reaching the world. */
  bury(world: SimWorld): void {
    this.io.kill();
    world.clock.dropOwner(this.io.incarnation);
    void this.runtime?.shutdown().catch(() => undefined);
  }
}
