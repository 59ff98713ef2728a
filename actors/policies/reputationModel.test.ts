import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvidence,
  decay,
  HALF_LIFE_MS,
  limitFactor,
  NEUTRAL,
  neutralScore,
  REPUTATION_DIMENSIONS,
  slash,
  type Evidence,
  type ReputationScore,
  type Severity,
  type ViolationType,
} from './reputationModel.ts';

const statuses = [
  'succeeded',
  'would-have-sent',
  'no-action',
  'failed',
  'denied',
  'rejected',
  'expired',
  'refused',
] as const;
const evidence = fc.record(
  {
    status: fc.constantFrom(...statuses),
    financial: fc.boolean(),
    multiAgent: fc.boolean(),
    costRatio: fc.double({ min: 0, max: 10, noNaN: true }),
  },
  { requiredKeys: ['status'] },
) as fc.Arbitrary<Evidence>;
const severity = fc.constantFrom<Severity>('minor', 'major', 'critical');
const type = fc.constantFrom<ViolationType>('missed-deadline', 'compliance-violation', 'financial-misconduct');
type Step =
  { kind: 'evidence'; e: Evidence } | { kind: 'slash'; s: Severity; t: ViolationType } | { kind: 'decay'; ms: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  evidence.map((e) => ({ kind: 'evidence' as const, e })),
  fc.record({ kind: fc.constant('slash' as const), s: severity, t: type }),
  fc.record({ kind: fc.constant('decay' as const), ms: fc.integer({ min: 0, max: 60 * HALF_LIFE_MS }) }),
);
const history = fc.array(step, { maxLength: 60 });

function run(steps: readonly Step[], from = neutralScore()): ReputationScore {
  return steps.reduce(
    (s, x) =>
      x.kind === 'evidence' ? applyEvidence(s, x.e) : x.kind === 'slash' ? slash(s, x.s, x.t) : decay(s, x.ms),
    from,
  );
}
const inRange = (s: ReputationScore): boolean =>
  [s.overall, ...REPUTATION_DIMENSIONS.map((d) => s[d])].every((v) => v >= 0 && v <= 100 && Number.isFinite(v));

describe('reputation model', () => {
  it('reputation - every dimension and the overall score stay in [0, 100] over any history', () => {
    fc.assert(fc.property(history, (h) => inRange(run(h))));
  });

  it('reputation - slashing is monotone in severity, on the overall score and on every dimension', () => {
    const order: Severity[] = ['minor', 'major', 'critical'];
    fc.assert(
      fc.property(history, type, (h, t) => {
        const base = run(h);
        const after = order.map((s) => slash(base, s, t));
        for (let i = 1; i < after.length; i++) {
          if (after[i]!.overall > after[i - 1]!.overall) return false;
          if (REPUTATION_DIMENSIONS.some((d) => after[i]![d] > after[i - 1]![d])) return false;
        }
        return after[0]!.overall <= base.overall;
      }),
    );
  });

  it('reputation - decay converges to neutral: the distance never grows, and after 20 half-lives it is under 0.01', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 10 * HALF_LIFE_MS }), (h, ms) => {
        const s = run(h);
        const d = decay(s, ms);
        const far = decay(s, 20 * HALF_LIFE_MS);
        return (
          REPUTATION_DIMENSIONS.every((k) => Math.abs(d[k] - NEUTRAL) <= Math.abs(s[k] - NEUTRAL) + 1e-9) &&
          REPUTATION_DIMENSIONS.every((k) => Math.abs(far[k] - NEUTRAL) < 0.01) &&
          Math.abs(far.overall - NEUTRAL) < 0.01
        );
      }),
    );
  });

  it('reputation - the limit a score grants is monotone in the score', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) =>
        a <= b ? limitFactor(a) <= limitFactor(b) : limitFactor(a) >= limitFactor(b),
      ),
    );
    expect([0, 27, 50, 90, 95, 100].map(limitFactor)).toEqual([0.1, 0.1, 3 / 7, 1, 1.125, 1.25]);
  });

  it('reputation - a fixed history produces the numbers in docs/reputation.md', () => {
    // 10 settled payments, 2 failures, 1 policy denial, a major compliance violation, then 7 quiet days.
    const h: Step[] = [
      ...Array.from({ length: 10 }, () => ({
        kind: 'evidence' as const,
        e: { status: 'succeeded' as const, financial: true, costRatio: 1.2 },
      })),
      { kind: 'evidence', e: { status: 'failed' } },
      { kind: 'evidence', e: { status: 'failed' } },
      { kind: 'evidence', e: { status: 'denied' } },
      { kind: 'slash', s: 'major', t: 'compliance-violation' },
    ];
    const s = run(h);
    const r = (x: number) => Math.round(x * 100) / 100;
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, r(v)]))).toEqual({
      overall: 59.53,
      penalty: 15,
      reliability: 73.94,
      efficiency: 78.26,
      cooperation: 75,
      compliance: 55.5,
      financialResponsibility: 91.28,
    });
    const week = decay(s, HALF_LIFE_MS);
    expect(r(week.overall)).toBe(67.26);
    expect(r(week.compliance)).toBe(65.25);
  });
});
