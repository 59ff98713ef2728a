import type { RuntimeStore } from '../runtime/index.ts';
import type { SimDisk } from './SimDisk.ts';
import type { SimIo } from './SimIo.ts';

import { copyJson as copy } from './copyJson.ts';

/**
 * One incarnation's connection to the {@link SimDisk}: the `RuntimeStore` contract, every call an
 * await point of its {@link SimIo} (errors, timeouts, crashes before or after the write).
 */
export class SimStore implements RuntimeStore {
  readonly #disk: SimDisk;
  readonly #io: SimIo;

  constructor(disk: SimDisk, io: SimIo) {
    this.#disk = disk;
    this.#io = io;
  }

  open(): Promise<void> {
    return this.#io.call('store.open', () => undefined);
  }

  async close(): Promise<void> {}

  ping(): Promise<void> {
    return this.#io.call('store.ping', () => undefined);
  }

  upsertAgent(row: Parameters<RuntimeStore['upsertAgent']>[0]): Promise<void> {
    return this.#io.call('store.upsertAgent', () => this.#disk.upsertAgent(row));
  }

  listAgents(): ReturnType<RuntimeStore['listAgents']> {
    return this.#io.call('store.listAgents', () => copy([...this.#disk.agents.values()]));
  }

  saveSnapshot(row: Parameters<RuntimeStore['saveSnapshot']>[0]): Promise<void> {
    return this.#io.call('store.saveSnapshot', () => this.#disk.saveSnapshot(row));
  }

  loadSnapshots(): ReturnType<RuntimeStore['loadSnapshots']> {
    return this.#io.call('store.loadSnapshots', () => copy([...this.#disk.snapshots.values()]));
  }

  appendTransitions(events: Parameters<RuntimeStore['appendTransitions']>[0]): Promise<void> {
    return this.#io.call('store.appendTransitions', () => void (this.#disk.transitions += events.length));
  }

  saveDecision(record: Parameters<RuntimeStore['saveDecision']>[0]): Promise<void> {
    return this.#io.call('store.saveDecision', () => this.#disk.saveDecision(record));
  }

  getDecision(id: string): ReturnType<RuntimeStore['getDecision']> {
    return this.#io.call('store.getDecision', () => copy(this.#disk.decisions.get(id)));
  }

  saveApproval(...args: Parameters<RuntimeStore['saveApproval']>): Promise<void> {
    return this.#io.call('store.saveApproval', () => this.#disk.saveApproval(...args));
  }

  listApprovals(status?: Parameters<RuntimeStore['listApprovals']>[0]): ReturnType<RuntimeStore['listApprovals']> {
    return this.#io.call('store.listApprovals', () =>
      copy([...this.#disk.approvals.values()].filter((a) => status === undefined || a.status === status)),
    );
  }

  getApproval(id: string): ReturnType<RuntimeStore['getApproval']> {
    return this.#io.call('store.getApproval', () => copy(this.#disk.approvals.get(id)));
  }

  beginIntent(row: Parameters<RuntimeStore['beginIntent']>[0]): ReturnType<RuntimeStore['beginIntent']> {
    return this.#io.call('store.beginIntent', () => this.#disk.beginIntent(row));
  }

  updateIntent(key: string, patch: Parameters<RuntimeStore['updateIntent']>[1]): Promise<void> {
    return this.#io.call('store.updateIntent', () => this.#disk.updateIntent(key, patch));
  }

  findIntent(key: string): ReturnType<RuntimeStore['findIntent']> {
    return this.#io.call('store.findIntent', () => copy(this.#disk.intents.get(key)));
  }

  saveKillSwitch(...args: Parameters<RuntimeStore['saveKillSwitch']>): Promise<void> {
    return this.#io.call('store.saveKillSwitch', () => this.#disk.saveKillSwitch(...args));
  }

  loadKillSwitch(): ReturnType<RuntimeStore['loadKillSwitch']> {
    return this.#io.call('store.loadKillSwitch', () => copy(this.#disk.killSwitch));
  }

  appendAudit(entry: Parameters<RuntimeStore['appendAudit']>[0]): Promise<void> {
    return this.#io.call('store.appendAudit', () => this.#disk.appendAudit(entry));
  }
}
