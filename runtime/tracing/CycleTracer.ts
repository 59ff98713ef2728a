import { randomBytes } from 'node:crypto';
import { parseTraceparent } from '../../kernel/index.ts';
import { attribute, attributes, nanos, quote, spanJson, type AttributeValue } from './otlpJson.ts';
import { Sampler } from './sampler.ts';

/** A span the runtime reports inside a cycle: `supervisor.<stage>`, `rail.execute`, `rail.prepare`. */
export interface ChildSpan {
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  error?: boolean;
}

/** Where encoded spans go (an {@link OtlpHttpExporter}): `full` counts a drop and says not to build the span. */
export interface SpanSink {
  full(): boolean;
  enqueue(span: string): void;
}

/** The phases that are spans of their own, with their span names as JSON. */
const PHASES = new Map(
  ['perceive', 'decide', 'propose', 'awaitingApproval', 'act', 'learn', 'retrying'].map((p) => [
    p,
    JSON.stringify(`agent.${p}`),
  ]),
);
const ENDS = new Set(['idle', 'failed', 'killed', 'stopped']);
const CYCLE_NAME = JSON.stringify('agent.cycle');
/** `,{"key":"mandate.outcome",…}` per end state, built once per state seen. */
const OUTCOME = new Map<string, string>();
/** `,{"key":<name>,"value":{"stringValue":<value>}}`, from `map` (keyed by value) once built. */
function cachedAttr(map: Map<string, string>, name: string, value: string): string {
  let s = map.get(value);
  if (s === undefined) map.set(value, (s = `,${attribute(name, value)}`));
  return s;
}

/**
 * One agent's newest cycle trace (open, or the one that just ended), reused from cycle to cycle. Ids are
 * drawn when first needed — a span exported, a trace id or `traceparent` asked for — so a cycle whose
 * spans the full exporter queue drops (or the sampler leaves out) draws none it would not use.
 */
interface Track {
  /** `{"key":"mandate.agent",…}`, encoded once per agent. */
  readonly agentAttr: string;
  open: boolean;
  sampled: boolean;
  traceId: string | undefined;
  rootId: string | undefined;
  /** The remote span this cycle continues (from its trigger's `traceparent`). */
  remoteParent: string | undefined;
  startNs: string;
  /** The phase in flight (a span of its own), if any. */
  phase: string | undefined;
  phaseId: string | undefined;
  phaseStartNs: string;
  cycle: number | undefined;
}

/**
 * One trace per agent cycle, from the trigger (idle → perceive) to idle or failed: a root span
 * `agent.cycle` and a child span per phase (and the approval wait, and retry waits), encoded as
 * OTLP/JSON and handed to the sink as each ends — for the cycles the sampler samples. `traceIdOf`
 * gives a sampled running cycle's trace id for logs and records.
 */
export class CycleTracer {
  readonly #now: () => number;
  readonly #sink: SpanSink;
  readonly #sampler: Sampler;
  readonly #tracks = new Map<string, Track>();
  /** The last clock reading and its nanosecond string: many transitions share a millisecond. */
  #lastMs = Number.NaN;
  #lastNs = '';

  constructor(options: { now: () => number; sink: SpanSink; sampler?: Sampler }) {
    this.#now = options.now;
    this.#sink = options.sink;
    this.#sampler = options.sampler ?? new Sampler('parentbased_always_on');
  }

  /** The trace id of the agent's running cycle, or of the one that just ended, when it is sampled. */
  traceIdOf(agentId: string): string | undefined {
    const t = this.#tracks.get(agentId);
    return t?.sampled === true ? traceIdOf(t) : undefined;
  }

  /**
   * The W3C `traceparent` of where the agent is now — its running cycle's phase span (or root) — for the
   * messages it sends, flagged sampled or not (so a parent-based sampler downstream follows); undefined
   * between cycles.
   */
  traceparentOf(agentId: string): string | undefined {
    const t = this.#tracks.get(agentId);
    return t?.open !== true ? undefined : `00-${traceIdOf(t)}-${parentOf(t)}-${t.sampled ? '01' : '00'}`;
  }

  /**
   * A span inside the agent's running cycle (a supervisor stage, a rail call), child of the phase
   * it happened in; dropped when no sampled cycle of that agent is open.
   */
  span(agentId: string, s: ChildSpan): void {
    const t = this.#tracks.get(agentId);
    if (t?.open !== true || !t.sampled || this.#sink.full()) return;
    const attrs = attributes(s.attributes);
    this.#sink.enqueue(
      spanJson({
        traceId: traceIdOf(t),
        spanId: hex(16),
        parentSpanId: parentOf(t),
        name: quote(s.name),
        start: nanos(s.startMs),
        end: nanos(s.endMs),
        attrs: attrs === '' ? t.agentAttr : `${t.agentAttr},${attrs}`,
        error: s.error ?? false,
      }),
    );
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
    let t = this.#tracks.get(agentId);
    if (from === 'idle' && to === 'perceive') {
      if (t === undefined) this.#tracks.set(agentId, (t = newTrack(agentId)));
      this.#open(t, cycle);
    }
    if (t?.open !== true) return;
    const phase = PHASES.get(to);
    const closes = t.phase !== undefined && t.phase === from;
    if (!closes && phase === undefined && !ENDS.has(to)) return;
    const now = this.#nowNs();
    const sampled = t.sampled;
    if (closes) {
      if (sampled && !this.#sink.full()) {
        this.#sink.enqueue(
          spanJson({
            traceId: traceIdOf(t),
            spanId: t.phaseId ?? hex(16),
            parentSpanId: (t.rootId ??= hex(16)),
            name: PHASES.get(from)!,
            start: t.phaseStartNs,
            end: now,
            attrs: t.agentAttr,
            error: to === 'failed' || to === 'retrying',
          }),
        );
      }
      t.phase = undefined;
    }
    if (phase !== undefined) {
      t.phase = to;
      t.phaseId = undefined;
      t.phaseStartNs = now;
      return;
    }
    if (!ENDS.has(to)) return;
    if (sampled && !this.#sink.full())
      this.#sink.enqueue(
        spanJson({
          traceId: traceIdOf(t),
          spanId: (t.rootId ??= hex(16)),
          parentSpanId: t.remoteParent,
          name: CYCLE_NAME,
          start: t.startNs,
          end: now,
          attrs: `${t.agentAttr}${cachedAttr(OUTCOME, 'mandate.outcome', to)}${t.cycle === undefined ? '' : `,{"key":"mandate.cycle","value":{"intValue":"${t.cycle}"}}`}`,
          error: to === 'failed',
        }),
      );
    t.open = false;
  }

  #nowNs(): string {
    const ms = this.#now();
    if (ms !== this.#lastMs) {
      this.#lastMs = ms;
      this.#lastNs = nanos(ms);
    }
    return this.#lastNs;
  }

  #open(t: Track, cycle: { cycle: number; traceparent: string | undefined } | undefined): void {
    const header = cycle?.traceparent;
    const remote = header === undefined ? undefined : parseTraceparent(header);
    t.open = true;
    t.traceId = remote?.traceId;
    t.rootId = undefined;
    t.remoteParent = remote?.spanId;
    // The flags byte follows `00-<32 hex>-<16 hex>-`; bit 0 is `sampled`.
    const parentSampled = remote === undefined ? undefined : (Number.parseInt(header!.slice(53, 55), 16) & 1) === 1;
    t.sampled = this.#sampler.sample(() => traceIdOf(t), parentSampled);
    t.startNs = this.#nowNs();
    t.phase = undefined;
    t.cycle = cycle?.cycle;
  }
}

function newTrack(agentId: string): Track {
  return {
    agentAttr: attribute('mandate.agent', agentId),
    open: false,
    sampled: false,
    traceId: undefined,
    rootId: undefined,
    remoteParent: undefined,
    startNs: '',
    phase: undefined,
    phaseId: undefined,
    phaseStartNs: '',
    cycle: undefined,
  };
}

/** The track's trace id, drawn on first use. */
function traceIdOf(t: Track): string {
  return (t.traceId ??= hex(32));
}

/** The span a child of the track's running cycle hangs under: the phase in flight, or the root. */
function parentOf(t: Track): string {
  return t.phase === undefined ? (t.rootId ??= hex(16)) : (t.phaseId ??= hex(16));
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

/**
 * Random ids (`digits` hex digits) cut from one hex string of 16 KiB of random bytes, refilled when
 * used up: one `randomBytes` and one hex conversion per ~600 cycles, not one per span.
 */
let pool = '';
let at = 0;
function hex(digits: number): string {
  if (at + digits > pool.length) {
    pool = randomBytes(16_384).toString('hex');
    at = 0;
  }
  at += digits;
  return pool.slice(at - digits, at);
}
