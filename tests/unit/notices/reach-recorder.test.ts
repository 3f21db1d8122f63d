import { describe, expect, it } from 'vitest';
import { ReachRecorder } from '../../../src/notices/reach-recorder.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { ReachEntry, ReachStore } from '../../../src/store/ports.js';

const entry = (personId: string): ReachEntry => ({ campaignId: 'c', channelId: 'ch', day: '2026-12-02', personId });
const reach = (s: ReachStore) => s.count('c', '2026-12-02', ['ch']).then((r) => r.union);

describe('ReachRecorder', () => {
  it('writes in batches: when a batch is full, and what is left on close', async () => {
    const store = createMemoryStore().reach;
    const r = new ReachRecorder(store, { maxBatch: 3, flushMs: 60_000 });
    r.record(entry('a'));
    r.record(entry('b'));
    expect(await reach(store)).toBe(0);
    r.record(entry('c'));
    await r.flush();
    expect(await reach(store)).toBe(3);
    r.record(entry('d'));
    await r.close();
    expect(await reach(store)).toBe(4);
  });

  it('writes on its timer when the batch never fills', async () => {
    const store = createMemoryStore().reach;
    const r = new ReachRecorder(store, { maxBatch: 100, flushMs: 20 });
    r.record(entry('a'));
    await expect.poll(() => reach(store), { timeout: 2_000 }).toBe(1);
    await r.close();
  });

  it('reports a failed batch and goes on with the next', async () => {
    const errors: unknown[] = [];
    const real = createMemoryStore().reach;
    let fail = true;
    const flaky: ReachStore = {
      add: (e) => (fail ? Promise.reject(new Error('store down')) : real.add(e)),
      count: (...a) => real.count(...a),
    };
    const r = new ReachRecorder(flaky, { maxBatch: 1, flushMs: 60_000, onError: (e) => errors.push(e) });
    r.record(entry('a'));
    await r.flush();
    expect(errors).toEqual([new Error('store down')]);
    fail = false;
    r.record(entry('b'));
    await r.close();
    expect(await reach(real)).toBe(1);
  });
});
