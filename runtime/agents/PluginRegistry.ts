import type { Actuator, Learner, Perceiver } from '../../actors/index.ts';
import { AgentDefinitionError, DuplicateIdError } from '../errors.ts';

/**
 * Named perceivers, actuators and learners that configuration-only (YAML)
 * agents refer to. Each actuator declares the capabilities it serves, which
 * also makes up the runtime's capability catalog.
 */
export class PluginRegistry {
  readonly #perceivers = new Map<string, Perceiver>();
  readonly #actuators = new Map<string, { actuator: Actuator; capabilities: readonly string[]; description: string }>();
  readonly #learners = new Map<string, Learner>();

  perceiver(name: string, fn: Perceiver): this {
    if (this.#perceivers.has(name)) throw new DuplicateIdError('perceiver', name);
    this.#perceivers.set(name, fn);
    return this;
  }

  actuator(actuator: Actuator, capabilities: readonly string[], description = ''): this {
    if (this.#actuators.has(actuator.name)) throw new DuplicateIdError('actuator', actuator.name);
    this.#actuators.set(actuator.name, { actuator, capabilities, description });
    return this;
  }

  learner(name: string, fn: Learner): this {
    if (this.#learners.has(name)) throw new DuplicateIdError('learner', name);
    this.#learners.set(name, fn);
    return this;
  }

  getPerceiver(name: string, source: string): Perceiver {
    const fn = this.#perceivers.get(name);
    if (fn === undefined)
      throw new AgentDefinitionError(
        `${source}: unknown perceiver "${name}". Known: ${[...this.#perceivers.keys()].join(', ') || '(none)'}.`,
        { field: 'perceive', name },
      );
    return fn;
  }

  getActuator(name: string, source: string): Actuator {
    const entry = this.#actuators.get(name);
    if (entry === undefined)
      throw new AgentDefinitionError(
        `${source}: unknown actuator "${name}". Known: ${[...this.#actuators.keys()].join(', ') || '(none)'}.`,
        { field: 'act', name },
      );
    return entry.actuator;
  }

  getLearner(name: string, source: string): Learner {
    const fn = this.#learners.get(name);
    if (fn === undefined)
      throw new AgentDefinitionError(
        `${source}: unknown learner "${name}". Known: ${[...this.#learners.keys()].join(', ') || '(none)'}.`,
        { field: 'learn', name },
      );
    return fn;
  }

  /** Every capability some actuator serves, with a description. */
  capabilities(): Map<string, string> {
    const out = new Map<string, string>();
    for (const { capabilities, description } of this.#actuators.values())
      for (const c of capabilities) out.set(c, description);
    return out;
  }
}
