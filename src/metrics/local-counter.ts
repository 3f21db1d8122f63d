/**
 * Request-path counters that count in plain numbers and hand their counts to prom-client when the registry
 * is read (a scrape, or `get()`). prom-client hashes the label set into a string and validates it on every
 * `inc()`, even on a child from `labels()`: several times per bid request, that was a measurable share of
 * the bidder's CPU per request for bookkeeping alone. Children are found by label values through nested
 * maps (no key string built per call) and created once per label combination.
 */
import type { Counter } from 'prom-client';

export interface LocalCount {
  inc(value?: number): void;
}

class Child implements LocalCount {
  n = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(value = 1): void {
    this.n += value;
  }
}

type Node = Map<string, Node | Child>;

export class LocalCounter<N extends string> {
  readonly #counter: Counter<N>;
  readonly #names: readonly N[];
  readonly #root: Node = new Map();
  readonly #children: Child[] = [];

  constructor(counter: Counter<N>, labelNames: readonly N[]) {
    this.#counter = counter;
    this.#names = labelNames;
    // prom-client calls `collect` on the metric before every read of its values.
    (counter as unknown as { collect: () => void }).collect = () => this.flush();
  }

  /** The child for these label values, in `labelNames` order. */
  labels(...values: string[]): LocalCount {
    let node = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Node | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    let child = node.get(values[last]!) as Child | undefined;
    if (child === undefined) {
      const labels: Record<string, string> = {};
      for (let i = 0; i < this.#names.length; i++) labels[this.#names[i]!] = values[i]!;
      child = new Child(labels);
      node.set(values[last]!, child);
      this.#children.push(child);
      // Present (at 0) from the first use on, as prom-client's own children are.
      this.#counter.inc(labels as never, 0);
    }
    return child;
  }

  /** Moves the counts made since the last read into the prom-client counter. */
  flush(): void {
    for (const c of this.#children) {
      if (c.n === 0) continue;
      this.#counter.inc(c.labels as never, c.n);
      c.n = 0;
    }
  }
}
