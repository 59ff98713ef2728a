import { randomBytes } from 'node:crypto';
import { formatTraceparent, parseTraceparent } from '../../kernel/index.ts';
import type { SpanRecord } from './OtlpHttpExporter.ts';

const PHASES = new Set(['perceive', 'decide', 'propose', 'awaitingApproval', 'act', 'learn', 'retrying']);

/** A span the runtime reports inside a cycle: `supervisor.<stage>`, `rail.execute`, `rail.prepare`. */
export interface ChildSpan {
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  error?: boolean;
}

/** The open trace of one agent's cycle. */
interface OpenCycle {
  traceId: string;
  rootId: string;
  /** The remote span this cycle continues (from its trigger's `traceparent`). */
  remoteParent: string | undefined;
  startMs: number;
  phase: { name: string; spanId: string; startMs: number } | undefined;
  cycle: number | undefined;
}

/**
 * One trace per agent cycle, from the trigger (idle → perceive) to idle or failed: a root span
 * `agent.cycle` and a child span per phase (and the approval wait, and retry waits), handed to
 * `export` as each ends. `traceIdOf` gives the running cycle's trace id for logs and records.
 */
export class CycleTracer {
  readonly #now: () => number;
  readonly #export: (span: SpanRecord) => void;
  readonly #open = new Map<string, OpenCycle>();
  /** The newest trace id per agent (the one running, or the one that just ended). */
  readonly #last = new Map<string, string>();

  readonly #full: () => boolean;

  /** `full` says the exporter would drop a span now (it counts the drop): the span is then not built. */
  constructor(options: { now: () => number; export: (span: SpanRecord) => void; full?: () => boolean }) {
    this.#now = options.now;
    this.#export = options.export;
    this.#full = options.full ?? (() => false);
  }

  /** The trace id of the agent's running cycle, or of the one that just ended. */
  traceIdOf(agentId: string): string | undefined {
    return this.#last.get(agentId);
  }

  /**
   * The W3C `traceparent` of where the agent is now — its running cycle's phase span (or root) — for the
   * messages it sends; undefined between cycles.
   */
  traceparentOf(agentId: string): string | undefined {
    const c = this.#open.get(agentId);
    return c === undefined ? undefined : formatTraceparent({ traceId: c.traceId, spanId: c.phase?.spanId ?? c.rootId });
  }

  /**
   * A span inside the agent's running cycle (a supervisor stage, a rail call), child of the phase
   * it happened in; dropped when no cycle of that agent is open.
   */
  span(agentId: string, s: ChildSpan): void {
    const c = this.#open.get(agentId);
    if (c === undefined || this.#full()) return;
    this.#export({
      traceId: c.traceId,
      spanId: hex(8),
      parentSpanId: c.phase?.spanId ?? c.rootId,
      name: s.name,
      startMs: s.startMs,
      endMs: s.endMs,
      attributes: { 'mandate.agent': agentId, ...s.attributes },
      error: s.error ?? false,
    });
  }

  /**
   * Follows one transition. A cycle starts on idle → perceive: in a trace of its own, or — when its trigger
   * came with a valid `traceparent` (a malformed one is ignored) — in the sender's trace, under its span.
   */
  onAgentTransition(
    agentId: string,
    { from, to }: { from: string; to: string },
    cycle?: { cycle: number; traceparent: string | undefined },
  ): void {
    const now = this.#now();
    let c = this.#open.get(agentId);
    if (from === 'idle' && to === 'perceive') {
      const remote = parseTraceparent(cycle?.traceparent);
      c = {
        traceId: remote?.traceId ?? hex(16),
        rootId: hex(8),
        remoteParent: remote?.spanId,
        startMs: now,
        phase: undefined,
        cycle: cycle?.cycle,
      };
      this.#open.set(agentId, c);
      this.#last.set(agentId, c.traceId);
    }
    if (c === undefined) return;
    if (c.phase !== undefined && c.phase.name === from) {
      if (!this.#full())
        this.#export({
          traceId: c.traceId,
          spanId: c.phase.spanId,
          parentSpanId: c.rootId,
          name: `agent.${from}`,
          startMs: c.phase.startMs,
          endMs: now,
          attributes: { 'mandate.agent': agentId, 'mandate.phase': from, 'mandate.next': to },
          error: to === 'failed' || to === 'retrying',
        });
      c.phase = undefined;
    }
    if (PHASES.has(to)) c.phase = { name: to, spanId: hex(8), startMs: now };
    else if (to === 'idle' || to === 'failed' || to === 'killed' || to === 'stopped') {
      if (!this.#full())
        this.#export({
          traceId: c.traceId,
          spanId: c.rootId,
          ...(c.remoteParent === undefined ? {} : { parentSpanId: c.remoteParent }),
          name: 'agent.cycle',
          startMs: c.startMs,
          endMs: now,
          attributes: {
            'mandate.agent': agentId,
            'mandate.outcome': to,
            ...(c.cycle === undefined ? {} : { 'mandate.cycle': c.cycle }),
          },
          error: to === 'failed',
        });
      this.#open.delete(agentId);
    }
  }
}

/** The span of one supervisor stage's evaluation (`supervisor.governance` …), its verdict as an attribute. */
export function stageSpan(st: { name: string; startMs: number; endMs: number; status: string }): ChildSpan {
  return {
    name: `supervisor.${st.name}`,
    startMs: st.startMs,
    endMs: st.endMs,
    attributes: { 'mandate.stage': st.name, 'mandate.verdict': st.status },
    error: st.status === 'error',
  };
}

/** Random ids from a refilled pool: one `randomBytes` call per 4 KiB of ids, not one per span. */
let pool = Buffer.alloc(0);
let at = 0;
function hex(bytes: number): string {
  if (at + bytes > pool.length) {
    pool = randomBytes(4_096);
    at = 0;
  }
  at += bytes;
  return pool.toString('hex', at - bytes, at);
}
