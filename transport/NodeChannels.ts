import type { AgentBus } from './AgentBus.ts';
import type { AttachedAgent } from './AttachedAgent.ts';
import {
  CONTROL_CAPABILITY,
  InspectionMessageSchema,
  KillSwitchControlSchema,
  NODE_CAPABILITY,
  type InspectionMessage,
  type KillSwitchControl,
} from './controlMessages.ts';
import type { AcceptSpec, AdmitRequest, Admitted } from './EnvelopeAdmission.ts';
import type { Envelope, Priority } from './Envelope.ts';
import type { OpenedWire } from './openEnvelope.ts';
import { BROADCAST_SUBJECT, CONTROL_KILLSWITCH_SUBJECT, INSPECTION_WILDCARD } from './subjects.ts';
import type { TransportMessage, TransportSubscription } from './Transport.ts';

/** What the node-wide subjects need besides the {@link AgentBus}. */
export interface NodeChannelsOptions {
  bus: AgentBus;
  agents: () => Iterable<AttachedAgent>;
  onControl?: (order: KillSwitchControl, envelope: Envelope) => void;
}

/** One node-wide subject's admission: its replay scope, the types it accepts, and the priority it is handled at (the envelope's own when absent). */
interface NodeChannel extends Pick<AdmitRequest, 'scope' | 'accepts'> {
  priority?: Priority;
}

/**
 * The node-wide subjects: broadcasts (verified once, handed to every matching local agent), kill-switch
 * orders (always `urgent`: admitted before any waiting work) and inspection events. Each message is opened,
 * scheduled by priority, admitted, and refused with an answer when it came with a reply subject.
 */
export class NodeChannels {
  readonly #o: NodeChannelsOptions;
  readonly #nodeId: string;

  constructor(options: NodeChannelsOptions) {
    this.#o = options;
    this.#nodeId = options.bus.nodeId;
  }

  /** Subscribes to broadcasts and control messages. */
  start(): TransportSubscription[] {
    const t = this.#o.bus.transport;
    return [
      t.subscribe(BROADCAST_SUBJECT, (m) => this.#onBroadcast(m)),
      t.subscribe(CONTROL_KILLSWITCH_SUBJECT, (m) => this.#onControl(m)),
    ];
  }

  /** Verified inspection messages of every node. */
  subscribeInspection(handler: (event: InspectionMessage, envelope: Envelope) => void): TransportSubscription {
    const scope = `inspect@${this.#nodeId}`;
    const accepts = { 'inspect.event': { capability: NODE_CAPABILITY, body: InspectionMessageSchema } };
    return this.#o.bus.transport.subscribe(INSPECTION_WILDCARD, (m) =>
      this.#admit(m, { scope, accepts, priority: 'low' }, (a) => handler(a.body as InspectionMessage, a.envelope)),
    );
  }

  #onBroadcast(m: TransportMessage): void {
    const accepts: Record<string, AcceptSpec> = {};
    for (const a of this.#o.agents()) for (const [type, spec] of Object.entries(a.accepts)) accepts[type] ??= spec;
    this.#admit(m, { scope: `node:${this.#nodeId}`, accepts }, async (admitted) => {
      const env = admitted.envelope;
      const filter = env.filter ?? {};
      for (const agent of this.#o.agents()) {
        if (agent.did === env.from || !(env.type in agent.accepts)) continue;
        if (!(await agent.matches(filter))) continue;
        try {
          await agent.inbox.deliver(admitted, { durable: false, expectsReply: false, headers: m.headers });
        } catch (err) {
          this.#o.bus.handlerFailed(err, env);
        }
      }
    });
  }

  #onControl(m: TransportMessage): void {
    const accepts = { 'control.killswitch': { capability: CONTROL_CAPABILITY, body: KillSwitchControlSchema } };
    this.#admit(m, { scope: `control:${this.#nodeId}`, accepts, priority: 'urgent' }, (a) =>
      this.#o.onControl?.(a.body as KillSwitchControl, a.envelope),
    );
  }

  /** Opens, schedules (at `priority`, or the envelope's own), admits, then runs `then`; refusals are recorded and answered. */
  #admit(m: TransportMessage, channel: NodeChannel, then: (admitted: Admitted) => unknown): void {
    const { scope, accepts, priority } = channel;
    const bus = this.#o.bus;
    let opened: OpenedWire;
    try {
      opened = bus.admission.openWire(m.data);
    } catch (err) {
      bus.refusals.refuse(err, m, scope);
      return;
    }
    const { envelope: env, signed } = opened;
    bus.scheduler.run(priority ?? env.priority ?? 'normal', async () => {
      let admitted;
      try {
        admitted = await bus.admission.check(env, { scope, accepts, recipientOk: (to) => to === '*', signed });
      } catch (err) {
        bus.refusals.refuse(err, m, scope);
        return;
      }
      try {
        await then(admitted);
      } catch (err) {
        bus.handlerFailed(err, env);
      }
    });
  }
}
