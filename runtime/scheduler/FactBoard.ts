/** A threshold on a published fact: fires when the value crosses into the range. */
export interface Threshold {
  fact: string;
  above?: number | undefined;
  below?: number | undefined;
}

interface Watch {
  owner: string;
  threshold: Threshold;
  inside: boolean;
  fire: (value: number) => void;
}

function inside(t: Threshold, v: number): boolean {
  return (t.above === undefined || v > t.above) && (t.below === undefined || v < t.below);
}

/**
 * Event triggers on facts: perceivers publish facts (`gas.gwei`, `fx.EURUSD`),
 * and an agent watching a threshold is triggered when the value crosses into
 * its range (edge-triggered: not again until it leaves and re-enters).
 */
export class FactBoard {
  readonly #values = new Map<string, number>();
  readonly #watches = new Map<string, Watch[]>();

  watch(owner: string, threshold: Threshold, fire: (value: number) => void): void {
    const current = this.#values.get(threshold.fact);
    const w: Watch = { owner, threshold, inside: current !== undefined && inside(threshold, current), fire };
    const list = this.#watches.get(threshold.fact);
    if (list === undefined) this.#watches.set(threshold.fact, [w]);
    else list.push(w);
  }

  unwatch(owner: string): void {
    for (const [fact, list] of this.#watches) {
      const kept = list.filter((w) => w.owner !== owner);
      if (kept.length === 0) this.#watches.delete(fact);
      else this.#watches.set(fact, kept);
    }
  }

  /** Publishes numeric facts (non-numbers are ignored) and fires crossings. Free when nobody watches. */
  publish(facts: Record<string, unknown>, prefix = ''): void {
    if (this.#watches.size === 0) return;
    for (const [key, value] of Object.entries(facts)) {
      const name = prefix + key;
      if (typeof value === 'number' && Number.isFinite(value)) this.#set(name, value);
      else if (value !== null && typeof value === 'object' && !Array.isArray(value) && prefix.split('.').length < 4)
        this.publish(value as Record<string, unknown>, `${name}.`);
    }
  }

  /** The last published value of a watched fact. */
  value(fact: string): number | undefined {
    return this.#values.get(fact);
  }

  #set(fact: string, value: number): void {
    this.#values.set(fact, value);
    for (const w of this.#watches.get(fact) ?? []) {
      const now = inside(w.threshold, value);
      if (now && !w.inside) {
        w.inside = true;
        w.fire(value);
      } else if (!now) w.inside = false;
    }
  }
}
