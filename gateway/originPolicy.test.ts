/**
 * The remembering checker of the `/api/*` guard answers exactly what the uncached policy functions
 * answer, for every combination, repeatedly, and past its memo bound.
 */
import { describe, expect, it } from 'vitest';
import { hostAllowed, OriginChecker, originAllowed, type OriginPolicy } from './originPolicy.ts';

const HOSTS = ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'evil.example', 'console.example.com', 'LOCALHOST'];
const ADDRESSES = ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.5', undefined];
const ORIGINS = [
  'http://127.0.0.1:8080',
  'https://127.0.0.1:8080',
  'http://localhost:8080',
  'http://evil.example',
  'https://console.example.com',
  'null',
  'not a url',
  'HTTP://LOCALHOST:8080',
];
const POLICIES: OriginPolicy[] = [
  {},
  { allowedOrigins: ['https://console.example.com'] },
  { allowedHosts: ['console.example.com'] },
];

describe('gateway - remembered Origin and Host answers', () => {
  it('gateway - every Host, address and Origin gets the uncached answer, the first time and the next', () => {
    for (const policy of POLICIES) {
      const check = new OriginChecker(policy);
      for (let round = 0; round < 2; round++)
        for (const host of HOSTS) {
          for (const address of ADDRESSES)
            expect(check.hostAllowed(host, address), `${host} on ${address}`).toBe(hostAllowed(host, address, policy));
          for (const origin of ORIGINS)
            expect(check.originAllowed(origin, host), `${origin} for ${host}`).toBe(
              originAllowed(origin, host, policy),
            );
        }
    }
  });

  it('gateway - a rebound name is refused on loopback even after the same name was allowed from outside', () => {
    const check = new OriginChecker({});
    expect(check.hostAllowed('evil.example', '10.0.0.5')).toBe(true);
    expect(check.hostAllowed('evil.example', '127.0.0.1')).toBe(false);
    expect(check.hostAllowed('evil.example', '10.0.0.5')).toBe(true);
  });

  it('gateway - past its bound the memo starts over and still answers right', () => {
    const check = new OriginChecker({}, 4);
    for (let i = 0; i < 20; i++) {
      const host = `127.0.0.1:${8000 + i}`;
      expect(check.originAllowed(`http://${host}`, host)).toBe(true);
      expect(check.originAllowed('http://evil.example', host)).toBe(false);
    }
  });
});
