import type { AgentDescriptor, Requirements } from '../transport/index.ts';

function parseVersion(v: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = v.split('.').map(Number);
  return [a, b, c];
}

/** True when `have` has the same major version as `min` and is not lower. */
export function versionSatisfies(have: string, min: string): boolean {
  const h = parseVersion(have);
  const m = parseVersion(min);
  if (h[0] !== m[0]) return false;
  return h[1] > m[1] || (h[1] === m[1] && h[2] >= m[2]);
}

/** Compares two decimal strings without floating point. */
export function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const ia = ai.replace(/^0+(?=\d)/, '');
  const ib = bi.replace(/^0+(?=\d)/, '');
  if (ia.length !== ib.length) return ia.length < ib.length ? -1 : 1;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const fa = af.padEnd(width, '0');
  const fb = bf.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/**
 * Filters descriptors by capability and requirements and sorts them best first:
 * higher reputation, then lower price, then the most recent heartbeat, then did (a stable tie-break).
 */
export function rankCandidates(
  descriptors: Iterable<AgentDescriptor>,
  capability: string,
  req: Requirements = {},
): AgentDescriptor[] {
  const exclude = new Set(req.exclude ?? []);
  const out = [...descriptors].filter((d) => {
    if (d.status !== 'active' || exclude.has(d.did)) return false;
    const cap = d.capabilities.find((c) => c.name === capability);
    if (cap === undefined) return false;
    if (req.minVersion !== undefined && !versionSatisfies(cap.version, req.minVersion)) return false;
    if (req.minReputation !== undefined && d.reputation < req.minReputation) return false;
    if (req.node !== undefined && d.node !== req.node) return false;
    if (req.group !== undefined && d.group !== req.group) return false;
    if (req.maxPrice !== undefined) {
      const price = d.terms.price;
      if (
        price !== undefined &&
        (price.asset !== req.maxPrice.asset || compareDecimal(price.amount, req.maxPrice.amount) > 0)
      )
        return false;
    }
    return true;
  });
  out.sort(
    (a, b) =>
      b.reputation - a.reputation ||
      compareDecimal(a.terms.price?.amount ?? '0', b.terms.price?.amount ?? '0') ||
      b.heartbeatAt - a.heartbeatAt ||
      (a.did < b.did ? -1 : a.did > b.did ? 1 : 0),
  );
  return req.limit === undefined ? out : out.slice(0, req.limit);
}
