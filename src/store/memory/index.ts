/** The embedded store: every port in process memory, for a single instance (the default without Redis). */
import type { Store } from '../ports.js';
import { MemoryBudgetStore } from './budgets.js';
import { MemoryClickStore } from './clicks.js';
import { MemoryDedupStore } from './dedup.js';
import { MemoryFleetCounterStore } from './fleet-counters.js';
import { MemoryReachStore } from './reach.js';
import { MemoryProfileStore } from './profiles.js';

export function createMemoryStore(): Store {
  return {
    kind: 'memory',
    profiles: new MemoryProfileStore(),
    budgets: new MemoryBudgetStore(),
    dedup: new MemoryDedupStore(),
    clicks: new MemoryClickStore(),
    fleet: new MemoryFleetCounterStore(),
    reach: new MemoryReachStore(),
    ping: async () => true,
    close: async () => {},
  };
}
