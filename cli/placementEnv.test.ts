import { describe, expect, it } from 'vitest';
import { placementFromEnv } from './placementEnv.ts';

const base = { NATS_URL: 'nats://127.0.0.1:4222,nats://127.0.0.1:4223', DATABASE_URL: 'postgresql://x@127.0.0.1/db' };

describe('placement env', () => {
  it('placement env - off unless MANDATE_PLACEMENT=on; on, it reads the TTL, region, labels and replicas', () => {
    expect(placementFromEnv({ ...base })).toBeUndefined();
    expect(placementFromEnv({ ...base, MANDATE_PLACEMENT: 'off' })).toBeUndefined();
    expect(
      placementFromEnv({
        ...base,
        MANDATE_PLACEMENT: 'on',
        MANDATE_LEASE_TTL_MS: '5000',
        MANDATE_REGION: 'eu-west',
        MANDATE_NODE_LABELS: 'signer=hsm-1,tier=gold',
        MANDATE_PLACEMENT_REPLICAS: '3',
      }),
    ).toEqual({
      natsUrl: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'],
      labels: { signer: 'hsm-1', tier: 'gold' },
      ttlMs: 5000,
      replicas: 3,
      region: 'eu-west',
    });
  });

  it('placement env - bad values are refused with MANDATE_ERR_USAGE naming the variable', () => {
    const on = { ...base, MANDATE_PLACEMENT: 'on' };
    expect(() => placementFromEnv({ ...base, MANDATE_PLACEMENT: 'yes' })).toThrow(/MANDATE_PLACEMENT="yes"/);
    expect(() => placementFromEnv({ MANDATE_PLACEMENT: 'on' })).toThrow(/needs NATS_URL/);
    expect(() => placementFromEnv({ ...on, MANDATE_LEASE_TTL_MS: '2.5s' })).toThrow(/MANDATE_LEASE_TTL_MS="2.5s"/);
    expect(() => placementFromEnv({ ...on, MANDATE_NODE_LABELS: 'signer' })).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_USAGE', message: expect.stringContaining('"signer"') }),
    );
  });
});
