import { createHash } from 'node:crypto';
import { canonicalJson } from '../../kernel/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { AgentSource, AgentVersionRow, VersionCandidate } from './AgentVersion.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The data of a definition as JSON: functions and live connections left out, the actuator named. */
export function definitionData(def: AgentDefinition): Record<string, unknown> {
  const {
    perceive: _p,
    decide: _d,
    act,
    learn: _l,
    machine: _m,
    mcpClients: _c,
    source: _s,
    reload: _r,
    ...data
  } = def;
  return JSON.parse(JSON.stringify({ ...data, act: act?.name ?? null })) as Record<string, unknown>;
}

/**
 * What a version of `def` is: its data and, for a YAML agent, the files it was built from; for a
 * TypeScript agent, fingerprints of its phase code's text (so a code change is a new version; a
 * decider's own configuration, such as the rules given to a `RulesDecider`, is not code text:
 * change `version:` with it), and the content hash over both.
 */
export function versionContent(def: AgentDefinition): Omit<AgentVersionRow, 'agentId' | 'number' | 'createdAt'> {
  const data = definitionData(def);
  const source: AgentSource | null = def.source ?? null;
  const definition =
    source !== null
      ? data
      : {
          ...data,
          code: {
            perceive: sha256(String(def.perceive)),
            decide: sha256(`${def.decide.constructor.name}:${String(Reflect.get(def.decide, 'decide'))}`),
            learn: def.learn === undefined ? null : sha256(String(def.learn)),
            machine: def.machine?.id ?? null,
          },
        };
  return { hash: `sha256:${sha256(canonicalJson({ definition, source }))}`, label: def.version, definition, source };
}

/** `def` offered as a version at `createdAt`: hashed now, its data rebuilt from `def` when asked. */
export class DefinitionVersion implements VersionCandidate {
  readonly hash: string;
  readonly createdAt: number;
  readonly #def: AgentDefinition;

  constructor(def: AgentDefinition, createdAt: number) {
    this.#def = def;
    this.hash = versionContent(def).hash;
    this.createdAt = createdAt;
  }

  get agentId(): string {
    return this.#def.id;
  }

  get label(): string {
    return this.#def.version;
  }

  content(): Pick<AgentVersionRow, 'definition' | 'source'> {
    const { definition, source } = versionContent(this.#def);
    return { definition, source };
  }
}
