import { describe, expect, it } from 'vitest';
import { AgentIdentity, publicKeyFromDid } from './index.ts';

describe('identity', () => {
  it('identity - did:key round-trips and signatures verify', () => {
    const id = AgentIdentity.generate();
    expect(id.did).toMatch(/^did:key:z6Mk/);
    expect(publicKeyFromDid(id.did)).toEqual(id.publicKey);
    const data = new TextEncoder().encode('pay 10 USDC');
    const sig = id.sign(data);
    expect(AgentIdentity.verify(id.did, data, sig)).toBe(true);
    sig[0] = sig[0]! ^ 1;
    expect(AgentIdentity.verify(id.did, data, sig)).toBe(false);
  });

  it('identity - a seed gives the same did (the W3C did:key test key)', () => {
    // did:key spec test vector: seed of 32 zero bytes.
    const id = AgentIdentity.fromSeed(new Uint8Array(32));
    expect(id.did).toBe('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
    expect(AgentIdentity.fromJSON(id.toJSON()).did).toBe(id.did);
  });

  it('identity - malformed did is rejected with a code', () => {
    expect(() => publicKeyFromDid('did:web:example')).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_IDENTITY_DID' }),
    );
    expect(() => publicKeyFromDid('did:key:z0OIl')).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_IDENTITY_DID' }),
    );
  });
});
