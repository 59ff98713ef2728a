import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../index.ts';
import { CycleTracer } from './CycleTracer.ts';
import { Sampler, SAMPLER_NAMES, samplerFromEnv } from './sampler.ts';

/** A trace id whose 13 low hex digits (the ratio sampler's randomness) are `low`. */
const traceWith = (low: string) => `${'1'.repeat(19)}${low}`;
const coded = (variable: string, text: string) =>
  expect.objectContaining({
    code: 'MANDATE_ERR_TRACING_CONFIG',
    details: { variable },
    message: expect.stringContaining(text),
  });

describe('OTEL_TRACES_SAMPLER', () => {
  it('sampler - every spec value is read (case and spaces aside); unset or empty is parentbased_always_on', () => {
    for (const name of SAMPLER_NAMES) {
      expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: name }).name).toBe(name);
      expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: ` ${name.toUpperCase()} ` }).name).toBe(name);
    }
    expect(samplerFromEnv({}).describe()).toBe('parentbased_always_on');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: '' }).name).toBe('parentbased_always_on');
  });

  it("sampler - OTEL_TRACES_SAMPLER_ARG is the ratio samplers' probability (default 1), ignored by the others", () => {
    const env = (s: string, a?: string) => samplerFromEnv({ OTEL_TRACES_SAMPLER: s, OTEL_TRACES_SAMPLER_ARG: a });
    expect(env('traceidratio', '0.25').ratio).toBe(0.25);
    expect(env('parentbased_traceidratio', '1e-1').describe()).toBe('parentbased_traceidratio (0.1)');
    expect(env('traceidratio', '.5').ratio).toBe(0.5);
    expect(env('traceidratio', '0').ratio).toBe(0);
    expect(env('traceidratio').ratio).toBe(1);
    expect(env('traceidratio', ' ').ratio).toBe(1);
    expect(env('always_on', 'anything').ratio).toBe(1);
    expect(env('parentbased_always_off', '0.5').ratio).toBe(0);
  });

  it('sampler - an unknown sampler or a ratio that is not a probability refuses with MANDATE_ERR_TRACING_CONFIG naming the variable', () => {
    for (const bad of ['jaeger_remote', 'xray', 'always', 'traceidratio0.1', 'on'])
      expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: bad })).toThrow(coded('OTEL_TRACES_SAMPLER', `"${bad}"`));
    for (const bad of ['1.5', '-0.1', 'half', '0x1', 'NaN', 'Infinity', '10%', '0.1.2'])
      for (const s of ['traceidratio', 'parentbased_traceidratio'])
        expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: s, OTEL_TRACES_SAMPLER_ARG: bad })).toThrow(
          coded('OTEL_TRACES_SAMPLER_ARG', `"${bad}"`),
        );
  });

  it('sampler - traceidratio decides by the trace id alone (the same on every node); parentbased_* follow a remote parent', () => {
    const ratio = new Sampler('traceidratio', 0.5);
    expect(ratio.sample(() => traceWith('0000000000000'), undefined)).toBe(true);
    expect(ratio.sample(() => traceWith('7ffffffffffff'), undefined)).toBe(true);
    expect(ratio.sample(() => traceWith('8000000000000'), undefined)).toBe(false);
    // Not parent-based: the parent's flag does not matter, the (shared) trace id does.
    expect(ratio.sample(() => traceWith('8000000000000'), true)).toBe(false);
    expect(new Sampler('traceidratio', 0).sample(() => traceWith('0000000000000'), undefined)).toBe(false);
    expect(new Sampler('traceidratio', 1).sample(() => traceWith('fffffffffffff'), undefined)).toBe(true);
    const pbRatio = new Sampler('parentbased_traceidratio', 0.5);
    expect(pbRatio.sample(() => traceWith('8000000000000'), true)).toBe(true);
    expect(pbRatio.sample(() => traceWith('0000000000000'), false)).toBe(false);
    expect(pbRatio.sample(() => traceWith('0000000000000'), undefined)).toBe(true);
    const pbOff = new Sampler('parentbased_always_off');
    expect([pbOff.sample(() => '', undefined), pbOff.sample(() => '', true)]).toEqual([false, true]);
    const pbOn = new Sampler('parentbased_always_on');
    expect([pbOn.sample(() => '', undefined), pbOn.sample(() => '', false)]).toEqual([true, false]);
    expect([
      new Sampler('always_on').sample(() => '', false),
      new Sampler('always_off').sample(() => '', true),
    ]).toEqual([true, false]);
  });

  it('sampler - the tracer exports only sampled cycles; an unsampled one has no trace id for logs and sends traceparent flagged 00', () => {
    const names = (sampler: Sampler, traceparent?: string) => {
      const spans: string[] = [];
      const tracer = new CycleTracer({
        now: () => 5,
        sink: { full: () => false, enqueue: (s) => spans.push(s) },
        sampler,
      });
      tracer.onAgentTransition('a', { from: 'idle', to: 'perceive' }, { cycle: 1, traceparent });
      const tp = tracer.traceparentOf('a');
      tracer.span('a', { name: 'rail.prepare', startMs: 5, endMs: 5, attributes: { 'mandate.rail': 'x', ok: true } });
      tracer.onAgentTransition('a', { from: 'perceive', to: 'idle' });
      return { spans: spans.map((s) => (JSON.parse(s) as { name: string }).name), tp, traceId: tracer.traceIdOf('a') };
    };
    const off = names(new Sampler('always_off'));
    expect(off.spans).toEqual([]);
    expect(off.traceId).toBeUndefined();
    expect(off.tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const sampledParent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const unsampledParent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    const followed = names(new Sampler('parentbased_always_off'), sampledParent);
    expect(followed.spans).toEqual(['rail.prepare', 'agent.perceive', 'agent.cycle']);
    expect(followed.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(followed.tp).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    const notFollowed = names(new Sampler('parentbased_always_on'), unsampledParent);
    expect(notFollowed.spans).toEqual([]);
    expect(notFollowed.tp).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(names(new Sampler('always_on'), unsampledParent).spans).toHaveLength(3);
  });
});

describe('OTEL_TRACES_SAMPLER at start', () => {
  const saved = { s: process.env.OTEL_TRACES_SAMPLER, a: process.env.OTEL_TRACES_SAMPLER_ARG };
  afterEach(() => {
    for (const [k, v] of [
      ['OTEL_TRACES_SAMPLER', saved.s],
      ['OTEL_TRACES_SAMPLER_ARG', saved.a],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it('sampler - a runtime with tracing refuses to start on a bad sampler value; without tracing the variables are not read', async () => {
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '2';
    await expect(createRuntime({ tracing: { endpoint: 'http://127.0.0.1:4318' } })).rejects.toThrow(
      coded('OTEL_TRACES_SAMPLER_ARG', '"2"'),
    );
    process.env.OTEL_TRACES_SAMPLER = 'sometimes';
    await expect(createRuntime({ tracing: { endpoint: 'http://127.0.0.1:4318' } })).rejects.toThrow(
      coded('OTEL_TRACES_SAMPLER', '"sometimes"'),
    );
    const untraced = await createRuntime({});
    await untraced.shutdown();
  });
});
