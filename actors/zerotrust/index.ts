export { BehaviourBaseline } from './BehaviourBaseline.ts';
export { ZeroTrustPolicy } from './ZeroTrustPolicy.ts';
export type { BehaviourSignals } from './BehaviourBaseline.ts';
export type { ThreatLevel, ZeroTrustOptions, ZeroTrustVerdict } from './ZeroTrustPolicy.ts';
