/** Per agent: the largest single payment, the rolling 24 h total, and above what a human must approve. */
export const SIM_LIMITS = { perTransaction: 1_000, daily: 4_000, approvalAbove: 600 } as const;
