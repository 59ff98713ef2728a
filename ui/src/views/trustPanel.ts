/**
 * The agent page's trust panel: the reputation's six dimensions, standing and limits, the health
 * score's parts, the threat level of the newest zero-trust verdict and the stake, as
 * {@link trustSections} lays them out.
 */
import type { AgentTrust } from '../dashboardStore.ts';
import { h } from '../dom.ts';
import { paymentHref } from '../router.ts';
import type { AgentDetail } from '../types.ts';
import { trustSections } from './reputationView.ts';
import { facts } from './storyParts.ts';

/** The trust panel of `agent`; `trust` null while it loads. */
export function trustPanel(agent: AgentDetail, trust: AgentTrust | null): HTMLElement {
  const body: HTMLElement[] = [];
  if (trust === null) body.push(h('p', { class: 'muted' }, 'Loading reputation…'));
  else if ('error' in trust)
    body.push(h('p', { class: 'error', 'data-testid': 'trust-error' }, `Reputation unavailable: ${trust.error}`));
  else {
    const zeroTrust = trust.zeroTrust ?? undefined;
    for (const section of trustSections(trust.reputation, agent.health, zeroTrust)) {
      const key = section.title.toLowerCase();
      body.push(
        h('h4', {}, section.title),
        facts(
          `trust-${key}`,
          section.rows.map(([k, v]) => [k, v]),
        ),
      );
      if (key === 'threat' && zeroTrust !== undefined)
        body.push(
          h(
            'p',
            { class: 'muted' },
            'from its newest decision, ',
            h('a', { href: paymentHref(zeroTrust.decisionId), 'data-testid': 'trust-threat-decision' }, 'its story'),
          ),
        );
    }
    if (zeroTrust === undefined)
      body.push(
        h(
          'p',
          { class: 'muted', 'data-testid': 'trust-no-threat' },
          'Threat: no decision of this agent with a zero-trust verdict yet (the level is read from its newest decision).',
        ),
      );
    if (trust.reputation.stake === null)
      body.push(h('p', { class: 'muted', 'data-testid': 'trust-no-stake' }, 'Stake: none posted.'));
  }
  return h('div', { class: 'trust', 'data-testid': 'trust' }, h('h3', {}, 'Trust'), ...body);
}
