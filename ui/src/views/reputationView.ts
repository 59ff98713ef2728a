/**
 * One agent's trust at a glance, as an operator reads it: the six reputation dimensions and its
 * standing, the health score and its parts, the threat level of its newest zero-trust verdict, and
 * its stake. Pure: a page renders the label/value pairs; tests call it without a browser. The
 * inputs are what the gateway serves (`GET /api/agents/:id/reputation`, `GET /api/agents/:id`'s
 * `health`, and a decision record's `zero-trust` stage verdict).
 */

/** The fields read from `GET /api/agents/:id/reputation`. */
export interface ReputationLike {
  readonly overall: number;
  readonly reliability: number;
  readonly efficiency: number;
  readonly cooperation: number;
  readonly compliance: number;
  readonly financialResponsibility: number;
  readonly limitFactor: number;
  readonly standing: 'suspended' | 'warning' | 'normal' | 'bonus';
  readonly stake: {
    readonly asset: string;
    readonly posted: string;
    readonly slashed: string;
    readonly balance: string;
    readonly entries: ReadonlyArray<{ readonly kind: string; readonly amount: string; readonly reason: string }>;
  } | null;
}

/** The health score of `GET /api/agents/:id` (docs/health.md). */
export interface HealthLike {
  readonly score: number;
  readonly errors: number;
  readonly latency: number;
  readonly reputation: number;
  readonly sandbox: number;
}

/** One section of the view: a title and its label/value pairs. */
export interface TrustSection {
  readonly title: string;
  readonly rows: ReadonlyArray<readonly [string, string]>;
}

const STANDING: Record<ReputationLike['standing'], string> = {
  suspended: 'suspended: nothing with an amount is approved',
  warning: 'warning (below 50): limits tightened',
  normal: 'normal',
  bonus: 'bonus (above 90): limits loosened',
};

/** The threat level a zero-trust stage verdict's reason names (`threat medium: …`, `flagged, threat medium: …`), or null. */
export function threatOf(reason: string): { level: string; flagged: boolean; detail: string } | null {
  const m = /^(flagged, )?threat (low|medium|high|critical)(?:: (.*))?$/s.exec(reason);
  if (m === null) return null;
  return { level: m[2]!, flagged: m[1] !== undefined, detail: m[3] ?? '' };
}

const n2 = (x: number): string => x.toFixed(2);

/** The sections of the view; the threat section only with a verdict, the stake section only with a stake. */
export function trustSections(r: ReputationLike, health: HealthLike, zeroTrust?: { reason: string }): TrustSection[] {
  const sections: TrustSection[] = [
    {
      title: 'Reputation',
      rows: [
        ['overall', n2(r.overall)],
        ['standing', STANDING[r.standing]],
        ['limits granted', `${Math.round(r.limitFactor * 100)}% of the configured limits`],
        ['reliability', n2(r.reliability)],
        ['efficiency', n2(r.efficiency)],
        ['cooperation', n2(r.cooperation)],
        ['compliance', n2(r.compliance)],
        ['financial responsibility', n2(r.financialResponsibility)],
      ],
    },
    {
      title: 'Health',
      rows: [
        ['score', String(health.score)],
        ['errors', String(health.errors)],
        ['latency', String(health.latency)],
        ['reputation', String(health.reputation)],
        ['sandbox', String(health.sandbox)],
      ],
    },
  ];
  const threat = zeroTrust === undefined ? null : threatOf(zeroTrust.reason);
  if (zeroTrust !== undefined)
    sections.push({
      title: 'Threat',
      rows:
        threat === null
          ? [['verdict', zeroTrust.reason]]
          : [
              ['level', threat.flagged ? `${threat.level} (flagged)` : threat.level],
              ['reasons', threat.detail === '' ? 'none' : threat.detail],
            ],
    });
  if (r.stake !== null) {
    const last = r.stake.entries.find((e) => e.kind === 'slashed');
    sections.push({
      title: 'Stake',
      rows: [
        ['balance', `${r.stake.balance} ${r.stake.asset}`],
        ['posted', `${r.stake.posted} ${r.stake.asset}`],
        ['slashed', `${r.stake.slashed} ${r.stake.asset}`],
        ...(last === undefined ? [] : [['last slash', `${last.amount} ${r.stake.asset}: ${last.reason}`] as const]),
      ],
    });
  }
  return sections;
}
