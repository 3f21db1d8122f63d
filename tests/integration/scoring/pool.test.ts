import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { ScoreStatus } from '../../../src/scoring/index.js';
import { ScoringService, type ScoringOptions } from '../../../src/scoring/service.js';
import type { ScoreOutcome } from '../../../src/scoring/pool.js';
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

async function setup(mode: ScoringOptions['mode'], pool: ScoringOptions['pool'] = { threads: 1 }) {
  const dir = tempDir();
  dirs.push(dir);
  writeModel(dir, domainModel('news.example', 1, { bias: -6 }));
  writeModel(dir, { name: 'pcvr', target: 'cvr', bias: -2 });
  // The real clock: the pool's deadlines are wall time.
  const s = await ScoringService.create({ mode, modelsDir: dir, watchModels: false, pool }, { clock: systemClock });
  services.push(s);
  return { s, dir };
}

const req = request({ id: 'auction-1', inventory: site('news.example') });
const input = () => ({ req, channelId: 'ssp-alpha', nowMs: systemClock.now(), profile: undefined, stage: undefined });
const cpc = campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 } });
const cpa = campaign('cpa', { bid: { strategy: 'target_cpa', cpa: 20, maxCpm: 50 } });
const fixed = campaign('fixed');

/** Scores one batch of three candidates; the first candidate's floor can trigger the crashy worker. */
async function score(
  s: ScoringService,
  firstFloor = 100_000,
  budgetMs = 2_000,
): Promise<{ outcome: ScoreOutcome; prices: number[] }> {
  const b = s.begin(input());
  b.add(candidate(cpc, { floorMicros: firstFloor, firstPrice: true }));
  b.add(candidate(cpa));
  b.add(candidate(fixed, { impIndex: 1 }));
  const outcome = await s.run(b, systemClock.now() + budgetMs);
  const prices = outcome.ok ? [0, 1, 2].map((i) => b.priceMicros(i)) : [];
  s.release(b);
  return { outcome, prices };
}

describe('scoring pool', () => {
  it('scores in a worker exactly as inline does (the worker loads from TypeScript under vitest)', async () => {
    const pool = await setup('pool');
    const inline = await setup('inline');
    // Bids at $3 against a needed price of $1.00–$4.60: half lose, with their clearing price.
    for (const s of [pool.s, inline.s]) {
      for (let i = 0; i < 300; i++) {
        const need = 1_000_000 + (i % 10) * 400_000;
        s.shading.observe('ssp-alpha', 3_000_000, 3_000_000 >= need, 3_000_000 >= need ? undefined : need);
      }
    }
    expect(pool.s.shading.state('ssp-alpha')!.confidence).toBeGreaterThan(0);
    const a = await score(pool.s);
    const b = await score(inline.s);
    expect(a.outcome).toEqual({ ok: true });
    expect(a.prices).toEqual(b.prices);
    expect(a.prices[0]).toBeGreaterThan(0);
    expect(pool.s.stats().runs).toEqual({ inline: 0, pool: 1, fallback: 0 });
  });

  it('hot-reloads models into the workers without dropping tasks', async () => {
    // A generous task deadline: this is about the swap, not the deadline (20 tasks queue on 2 workers while
    // they load the new model; on a busy machine that can take longer than the default budget).
    const { s, dir } = await setup('pool', { threads: 2, taskDeadlineMs: 5_000 });
    const before = await score(s);
    const inFlight = Array.from({ length: 20 }, () => score(s));
    writeModel(dir, domainModel('news.example', 2, { version: 2, bias: -6 }));
    await s.registry.reload();
    const during = await Promise.all(inFlight);
    expect(during.every((r) => r.outcome.ok)).toBe(true);
    const after = await score(s);
    expect(after.prices[0]).toBeGreaterThan(before.prices[0]!);
    expect(s.stats().modelGen).toBe(2);
    expect(s.stats().pool!.staleRetries).toBe(0); // live workers swapped through the broadcast
  });

  it('answers "no score" for a task whose worker throws or exits; the worker is replaced and the rest carry on', async () => {
    // A generous task deadline: under vitest a replacement worker boots through tsx (~0.3 s).
    const { s } = await setup('pool', { threads: 2, worker: crashy, taskDeadlineMs: 5_000 });
    const good = await score(s);
    const [threw, ...others] = await Promise.all([score(s, 666), score(s), score(s)]);
    expect(threw!.outcome).toEqual({ ok: false, reason: 'worker_error' });
    expect(others.every((r) => r.outcome.ok)).toBe(true);
    const [exited, ...rest] = await Promise.all([score(s, 777), score(s), score(s), score(s)]);
    expect(exited!.outcome).toEqual({ ok: false, reason: 'worker_error' });
    expect(rest.every((r) => r.outcome.ok)).toBe(true);
    const after = await Promise.all(Array.from({ length: 10 }, () => score(s)));
    for (const r of after) expect(r.prices).toEqual(good.prices);
    expect(s.stats().noScore.worker_error).toBe(2);
  });

  it('brings a replacement worker up to the current models (it starts with the table of pool start)', async () => {
    const { s, dir } = await setup('pool', { threads: 1, worker: crashy, taskDeadlineMs: 5_000 });
    writeModel(dir, domainModel('news.example', 2, { version: 2, bias: -6 }));
    await s.registry.reload();
    const v2 = await score(s);
    expect((await score(s, 777)).outcome).toEqual({ ok: false, reason: 'worker_error' });
    expect(await score(s)).toEqual(v2);
    expect(s.stats().pool!.staleRetries).toBe(1);
  });

  it('answers "no score" by the deadline, never late, and drops the late result', async () => {
    const { s } = await setup('pool', { threads: 1, worker: crashy, taskDeadlineMs: 1_000 });
    // The task busy-waits 60 ms; a timer set for 30 ms fires after the 15 ms deadline timer and before the
    // worker can answer, whatever the machine's load (timers fire in order), so it tells "at the deadline"
    // from "when the worker finished".
    const order: string[] = [];
    const marker = new Promise<void>((resolve) => setTimeout(resolve, 30)).then(() => order.push('30 ms timer'));
    const slow = await score(s, 555, 15);
    order.push('answer');
    await marker;
    expect(slow.outcome).toEqual({ ok: false, reason: 'deadline' });
    expect(order).toEqual(['answer', '30 ms timer']);
    expect((await score(s)).outcome.ok).toBe(true); // the late buffer was dropped; the batch is reusable
    // With less time left than a round trip, it refuses at once.
    expect((await score(s, 100_000, 0.001)).outcome).toEqual({ ok: false, reason: 'deadline' });
  });

  it('answers "no score" when the queue is full', async () => {
    const { s } = await setup('pool', { threads: 1, maxQueue: 2, worker: crashy, taskDeadlineMs: 1_000 });
    const results = await Promise.all([score(s, 555), ...Array.from({ length: 8 }, () => score(s))]);
    const full = results.filter((r) => !r.outcome.ok && r.outcome.reason === 'queue_full').length;
    expect(full).toBeGreaterThanOrEqual(5);
    expect(results.filter((r) => r.outcome.ok).length).toBeGreaterThanOrEqual(2);
    expect(s.stats().noScore.queue_full).toBe(full);
  });

  it('auto mode calibrates the pool overhead and scores inline when that is cheaper', async () => {
    const { s } = await setup('auto');
    const st = s.stats();
    expect(st.poolOverheadUs).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) expect((await score(s)).outcome.ok).toBe(true);
    const after = s.stats();
    expect(after.inlineUsPerCandidate).toBeGreaterThan(0);
    // Three cheap candidates cost far less inline than a round trip's main-thread work.
    expect(after.runs.inline).toBe(50);
    expect(ScoreStatus.Ok).toBe(0);
  });
});
