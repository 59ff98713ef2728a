/**
 * One tuning step of a bounded rule parameter from stored outcomes: a bounded hill climb on the
 * mean reward (docs/decisions.md, "Learning"). Pure: the caller supplies the evidence.
 */

/** Bounds of a tunable parameter. */
export interface TunableBounds {
  min: number;
  max: number;
  step: number;
}

/** One stored outcome of a decision taken with the parameter at `value`. */
export interface TuningObservation {
  value: number;
  succeeded: boolean;
  /** Fees paid, in the action's fee asset (0 when none). */
  fees?: number;
  slippageBps?: number;
}

/** Weights of the objective: `reward = success − fees × fees − slippageBps × slippageBps`. */
export interface TuningObjective {
  /** Per unit of fee (default 0.01). */
  fees?: number;
  /** Per basis point of slippage (default 0.01). */
  slippageBps?: number;
}

/** What one arm (a value on the grid) has shown so far. */
export interface ArmEvidence {
  value: number;
  samples: number;
  meanReward: number | null;
}

/** The result of a step: the new value (maybe the same), why, and the evidence it rests on. */
export interface TuningStep {
  before: number;
  after: number;
  reason: 'gathering' | 'improve' | 'probe' | 'optimum';
  arms: ArmEvidence[];
}

/** The reward of one outcome under `objective`. */
export function rewardOf(o: TuningObservation, objective: TuningObjective = {}): number {
  return (
    (o.succeeded ? 1 : 0) -
    (objective.fees ?? 0.01) * (o.fees ?? 0) -
    (objective.slippageBps ?? 0.01) * (o.slippageBps ?? 0)
  );
}

const clamp = (v: number, b: TunableBounds) => Math.min(b.max, Math.max(b.min, v));
const onGrid = (v: number, b: TunableBounds) => Number(clamp(v, b).toFixed(10));

/**
 * One step: the arms are the current value and its neighbours one `step` away, within
 * [min, max]; an observation counts for the arm within half a step of its value.
 * 1. fewer than `minSamples` at the current value: stay (`gathering`);
 * 2. a sampled neighbour's mean reward beats the current one's by more than `minImprovement`:
 *    move to the best such neighbour (`improve`);
 * 3. else an unsampled neighbour: probe it, the upper one first (`probe`);
 * 4. else stay (`optimum`).
 * The result never leaves [min, max] and moves at most one step.
 */
export function tuneParameter(
  current: number,
  bounds: TunableBounds,
  evidence: {
    observations: readonly TuningObservation[];
    objective?: TuningObjective;
    minSamples?: number;
    minImprovement?: number;
  },
): TuningStep {
  const minSamples = evidence.minSamples ?? 5;
  const here = onGrid(current, bounds);
  const values = [...new Set([here, onGrid(here + bounds.step, bounds), onGrid(here - bounds.step, bounds)])];
  const arms: ArmEvidence[] = values.map((value) => {
    const rewards = evidence.observations
      .filter((o) => Math.abs(o.value - value) < bounds.step / 2)
      .map((o) => rewardOf(o, evidence.objective));
    return {
      value,
      samples: rewards.length,
      meanReward:
        rewards.length === 0 ? null : Number((rewards.reduce((a, b) => a + b, 0) / rewards.length).toFixed(6)),
    };
  });
  const [self, ...neighbours] = arms as [ArmEvidence, ...ArmEvidence[]];
  const step = (after: number, reason: TuningStep['reason']): TuningStep => ({ before: current, after, reason, arms });
  if (self.samples < minSamples) return step(here, 'gathering');
  const better = neighbours
    .filter((a) => a.samples >= minSamples && a.meanReward! > self.meanReward! + (evidence.minImprovement ?? 0))
    .sort((a, b) => b.meanReward! - a.meanReward!);
  if (better.length > 0) return step(better[0]!.value, 'improve');
  const unsampled = neighbours.find((a) => a.samples < minSamples);
  return unsampled === undefined ? step(here, 'optimum') : step(unsampled.value, 'probe');
}
