export { BehaviourBaseline } from './BehaviourBaseline.ts';
export { factDrift } from './factDrift.ts';
export { ZeroTrustPolicy } from './ZeroTrustPolicy.ts';
export type { BehaviourSignals } from './BehaviourBaseline.ts';
export type { BehaviourFact, ThreatLevel, ZeroTrustOptions, ZeroTrustVerdict } from './ZeroTrustPolicy.ts';
