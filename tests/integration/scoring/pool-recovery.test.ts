/**
 * Issue 15, item 3: after an overload the pool must not latch into refusing everything. A real piscina pool
 * with the crashy worker (floor 555 µ → the task busy-waits 60 ms) makes round trips of ~60 ms; afterwards
 * normal traffic with 40 ms left must be scored again within one second — the old estimate (an average fed
 * only by tasks it admitted) stayed above 40 ms for good and refused every request as "deadline".
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import type { ScoreOutcome } from '../../../src/scoring/pool.js';
import { ScoringService, type ScoringOptions } from '../../../src/scoring/service.js';
import { resolveWorkerEntry } from '../../../src/scoring/worker-entry.js';
import { request, site } from '../../helpers/requests.js';
import { campaign, candidate, domainModel, tempDir, writeModel } from '../../unit/scoring/fixtures.js';

const dirs: string[] = [];
const services: ScoringService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const crashy = resolveWorkerEntry(new URL('./crashy-worker.ts', import.meta.url).href, 'crashy-worker');

async function setup(mode: ScoringOptions['mode'], now?: () => number): Promise<ScoringService> {
  const dir = tempDir();
  dirs.push(dir);
  writeModel(dir, domainModel('news.example', 1, { bias: -6 }));
  writeModel(dir, { name: 'pcvr', target: 'cvr', bias: -2 });
  const s = await ScoringService.create(
    {
      mode,
      modelsDir: dir,
      watchModels: false,
      pool: { threads: 2, worker: crashy, taskDeadlineMs: 100, ...(now === undefined ? {} : { now }) },
    },
    { clock: systemClock },
  );
  services.push(s);
  return s;
}

const req = request({ id: 'auction-1', inventory: site('news.example') });
const cpc = campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 } });

/** One batch of `n` candidates; floor 555 µ on the first makes the crashy worker take 60 ms. */
function score(s: ScoringService, budgetMs: number, slow = false, n = 3): Promise<ScoreOutcome> {
  const b = s.begin({ req, channelId: 'ssp-alpha', nowMs: systemClock.now(), profile: undefined, stage: undefined });
  for (let i = 0; i < n; i++) b.add(candidate(cpc, { floorMicros: i === 0 && slow ? 555 : 100_000 + i }));
  return Promise.resolve(s.run(b, systemClock.now() + budgetMs)).finally(() => s.release(b));
}

/** Two lanes (one per worker) of back-to-back 60 ms tasks: every round trip ~60 ms, none late. */
async function overload(s: ScoringService, rounds: number): Promise<void> {
  await Promise.all(
    [0, 1].map(async () => {
      for (let i = 0; i < rounds; i++) await score(s, 1_000, true);
    }),
  );
}

/** Normal traffic (40 ms left, fast tasks) every 10 ms for up to `forMs`: when the first is scored. */
async function firstScoredAfter(s: ScoringService, forMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < forMs) {
    if ((await score(s, 40)).ok) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Number.POSITIVE_INFINITY;
}

describe('pool scoring after an overload', () => {
  it('pool mode: normal traffic is scored again within one second, and stays scored', async () => {
    const s = await setup('pool');
    await overload(s, 25);
    const after = await firstScoredAfter(s, 1_000);
    expect(after).toBeLessThan(1_000);
    // Recovered for good, not one lucky probe: ten requests in a row are scored.
    await new Promise((r) => setTimeout(r, 300));
    const next: ScoreOutcome[] = [];
    for (let i = 0; i < 10; i++) next.push(await score(s, 40));
    expect(next.filter((o) => o.ok).length).toBe(10);
  });

  it('auto mode: a request the pool cannot take in time is scored inline, not refused', async () => {
    // The pool's clock runs `skew` ms ahead of the wall: jumping it while a task is in flight makes that
    // round trip look as slow as an overloaded pool's, without needing a slow machine.
    let skew = 0;
    const s = await setup('auto', () => performance.now() + skew);
    // Big batches, so that auto prefers the pool once it has measured the inline kernel.
    for (let i = 0; i < 100 && s.stats().runs.pool < 5; i++) await score(s, 1_000, false, 10_000);
    expect(s.stats().runs.pool).toBeGreaterThan(0);
    // Overload: round trips of ~500 ms by the pool's clock.
    for (let i = 0; i < 10 && s.stats().pool!.rttMs < 100; i++) {
      const p = score(s, 1_000, false, 10_000);
      skew += 500;
      await p;
    }
    expect(s.stats().pool!.rttMs).toBeGreaterThan(100);
    // No request is refused untried: each is scored inline while the pool looks too slow for 40 ms, and
    // the only misses are tasks the pool did take (once the estimate has decayed) and a loaded machine ran late.
    const tasksBefore = s.stats().pool!.tasks;
    const next: ScoreOutcome[] = [];
    for (let i = 0; i < 10; i++) next.push(await score(s, 40, false, 10_000));
    expect(next[0]).toEqual({ ok: true });
    expect(next.filter((o) => !o.ok).length).toBeLessThanOrEqual(s.stats().pool!.tasks - tasksBefore);
    expect(s.stats().runs.fallback).toBeGreaterThan(0);
    // And the pool is used again within a second of (the pool's) time: the estimate decays, probes measure.
    const poolRuns = s.stats().runs.pool;
    skew += 1_000;
    for (let i = 0; i < 20; i++) await score(s, 40, false, 10_000);
    expect(s.stats().runs.pool).toBeGreaterThan(poolRuns);
  });

  it('reports a scoring path that refuses everything as not ready, and ready again once it scores', async () => {
    const s = await setup('pool');
    expect(s.notReadyReason()).toBeUndefined();
    // Every task crashes its worker (floor 666 µ → throw): the pool scores nothing.
    const crash = () => {
      const b = s.begin({
        req,
        channelId: 'ssp-alpha',
        nowMs: systemClock.now(),
        profile: undefined,
        stage: undefined,
      });
      b.add(candidate(cpc, { floorMicros: 666 }));
      return Promise.resolve(s.run(b, systemClock.now() + 1_000)).finally(() => s.release(b));
    };
    for (let i = 0; i < 30; i++) expect((await crash()).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s.notReadyReason()).toMatch(/scoring refused all of the last 30 requests \(worker_error: 30\)/);
    for (let i = 0; i < 30; i++) expect((await score(s, 1_000)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s.notReadyReason()).toBeUndefined();
  });
});
