/**
 * Page-wide banners that must not be missed: the gateway not answering (everything shown is
 * from before, and the controls are off), and an engaged kill switch (who, when, why, scope).
 */
import type { DashboardContext } from './dashboardStore.ts';
import { h } from './dom.ts';
import { relative, zoneLabel } from './timeZone.ts';
import { time } from './dom.ts';
import type { AuditEntry } from './types.ts';

/** Whether any scope of the kill switch is engaged. */
export function killSwitchEngaged(ctx: DashboardContext): boolean {
  const k = ctx.killSwitch;
  return k !== null && (k.all || k.agents.length + k.groups.length + k.capabilities.length > 0);
}

/** The stale-data banner, or null while the gateway answers and the live stream is open. */
export function staleBanner(ctx: DashboardContext): HTMLElement | null {
  const g = ctx.gateway;
  if (!g.ok)
    return h(
      'div',
      { class: 'banner stale', 'data-testid': 'stale-banner', role: 'alert' },
      h('strong', {}, 'The gateway is unreachable'),
      ` since ${time(g.since ?? Date.now())} ${zoneLabel()}`,
      g.lastOk === null
        ? '. Nothing shown has been confirmed by it.'
        : `. Everything shown is from ${time(g.lastOk)} (${relative(g.lastOk)}) or earlier; controls are off until it answers.`,
      g.error ? h('span', { class: 'muted' }, ` (${g.error})`) : null,
    );
  if (ctx.connection === 'closed')
    return h(
      'div',
      { class: 'banner stale', 'data-testid': 'stream-banner', role: 'status' },
      'The live stream is disconnected and reconnecting: states and the feed may be behind.',
    );
  return null;
}

/** The kill switch banner with the latest engage entry from the audit log (who, when, why), or null when released. */
export function killSwitchBanner(ctx: DashboardContext, engagedBy: AuditEntry | null): HTMLElement | null {
  if (!killSwitchEngaged(ctx)) return null;
  const k = ctx.killSwitch!;
  const scope = k.all
    ? 'every agent'
    : [
        ...k.agents.map((a) => `agent ${a}`),
        ...k.groups.map((g) => `group ${g}`),
        ...k.capabilities.map((c) => `capability ${c}`),
      ].join(', ');
  return h(
    'div',
    { class: 'banner kill', 'data-testid': 'killswitch-banner', role: 'alert' },
    h('strong', {}, 'KILL SWITCH ENGAGED'),
    ` for ${scope}: nothing in scope signs or pays until it is released.`,
    engagedBy === null
      ? null
      : h(
          'span',
          { 'data-testid': 'killswitch-who' },
          ` Engaged by ${engagedBy.who.kind}:${engagedBy.who.id} at ${time(engagedBy.at)} ${zoneLabel()} (${relative(engagedBy.at)}): “${engagedBy.why}”.`,
        ),
  );
}
