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

/**
 * One agent's newest cycle trace (open, or the one that just ended), reused from cycle to cycle. Ids are
 * drawn when first needed — a span exported, a trace id or `traceparent` asked for — so a cycle whose
 * spans the full exporter queue drops draws none it would not use.
 */
interface Track {
  open: boolean;
  traceId: string | undefined;
  rootId: string | undefined;
  /** The remote span this cycle continues (from its trigger's `traceparent`). */
  remoteParent: string | undefined;
  startMs: number;
  /** The phase in flight (a span of its own), if any. */
  phase: string | undefined;
  phaseId: string | undefined;
  phaseStart: number;
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
  readonly #tracks = new Map<string, Track>();

  readonly #full: () => boolean;

  /** `full` says the exporter would drop a span now (it counts the drop): the span is then not built. */
  constructor(options: { now: () => number; export: (span: SpanRecord) => void; full?: () => boolean }) {
    this.#now = options.now;
    this.#export = options.export;
    this.#full = options.full ?? (() => false);
  }

  /** The trace id of the agent's running cycle, or of the one that just ended. */
  traceIdOf(agentId: string): string | undefined {
    const t = this.#tracks.get(agentId);
    return t === undefined ? undefined : traceIdOf(t);
  }

  /**
   * The W3C `traceparent` of where the agent is now — its running cycle's phase span (or root) — for the
   * messages it sends; undefined between cycles.
   */
  traceparentOf(agentId: string): string | undefined {
    const t = this.#tracks.get(agentId);
    return t?.open !== true ? undefined : formatTraceparent({ traceId: traceIdOf(t), spanId: parentOf(t) });
  }

  /**
   * A span inside the agent's running cycle (a supervisor stage, a rail call), child of the phase
   * it happened in; dropped when no cycle of that agent is open.
   */
  span(agentId: string, s: ChildSpan): void {
    const t = this.#tracks.get(agentId);
    if (t?.open !== true || this.#full()) return;
    this.#export({
      traceId: traceIdOf(t),
      spanId: hex(8),
      parentSpanId: parentOf(t),
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
    let t = this.#tracks.get(agentId);
    if (from === 'idle' && to === 'perceive') {
      const remote = cycle?.traceparent === undefined ? undefined : parseTraceparent(cycle.traceparent);
      if (t === undefined) {
        t = {
          open: true,
          traceId: undefined,
          rootId: undefined,
          remoteParent: undefined,
          startMs: now,
          phase: undefined,
          phaseId: undefined,
          phaseStart: now,
          cycle: undefined,
        };
        this.#tracks.set(agentId, t);
      }
      t.open = true;
      t.traceId = remote?.traceId;
      t.rootId = undefined;
      t.remoteParent = remote?.spanId;
      t.startMs = now;
      t.phase = undefined;
      t.cycle = cycle?.cycle;
    }
    if (t?.open !== true) return;
    if (t.phase !== undefined && t.phase === from) {
      if (!this.#full())
        this.#export({
          traceId: traceIdOf(t),
          spanId: t.phaseId ?? hex(8),
          parentSpanId: (t.rootId ??= hex(8)),
          name: `agent.${from}`,
          startMs: t.phaseStart,
          endMs: now,
          attributes: { 'mandate.agent': agentId, 'mandate.phase': from, 'mandate.next': to },
          error: to === 'failed' || to === 'retrying',
        });
      t.phase = undefined;
    }
    if (PHASES.has(to)) {
      t.phase = to;
      t.phaseId = undefined;
      t.phaseStart = now;
    } else if (to === 'idle' || to === 'failed' || to === 'killed' || to === 'stopped') {
      if (!this.#full())
        this.#export({
          traceId: traceIdOf(t),
          spanId: (t.rootId ??= hex(8)),
          ...(t.remoteParent === undefined ? {} : { parentSpanId: t.remoteParent }),
          name: 'agent.cycle',
          startMs: t.startMs,
          endMs: now,
          attributes: {
            'mandate.agent': agentId,
            'mandate.outcome': to,
            ...(t.cycle === undefined ? {} : { 'mandate.cycle': t.cycle }),
          },
          error: to === 'failed',
        });
      t.open = false;
    }
  }
}

/** The track's trace id, drawn on first use. */
function traceIdOf(t: Track): string {
  return (t.traceId ??= hex(16));
}

/** The span a child of the track's running cycle hangs under: the phase in flight, or the root. */
function parentOf(t: Track): string {
  return t.phase === undefined ? (t.rootId ??= hex(8)) : (t.phaseId ??= hex(8));
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
