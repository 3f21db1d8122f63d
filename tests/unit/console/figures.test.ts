/**
 * The console's minute sampler in virtual time, on the memory store and a real pacing gate: the fleet's
 * spend per channel, the series kept bounded over a day, and a reallocation step noted with its ROI.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import { AnomalyDetector } from '../../../src/console/anomaly.js';
import { ConsoleFigures } from '../../../src/console/figures.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { RoiTracker } from '../../../src/roi/roi-tracker.js';
import { ExperimentStats } from '../../../src/scoring/index.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { sampleSnapshot } from '../../helpers/snapshot.js';

async function setup(
  shared?: { clock: VirtualClock; store: ReturnType<typeof createMemoryStore> },
  configDir?: string,
) {
  const snap = await sampleSnapshot(configDir);
  // Midnight in New York (acme-prospecting's zone), so the whole day is one budget day.
  const clock = shared?.clock ?? new VirtualClock(Date.UTC(2026, 2, 2, 5, 0));
  const store = shared?.store ?? createMemoryStore();
  const gate = new PacingGate(store.budgets, clock, new TimeZoneTable(), {
    instanceId: 'i1',
    leaseTtlMs: 60_000,
    noticeWindowMs: 300_000,
    minLeaseMicros: 100_000,
  });
  await gate.warm(snap.campaigns);
  const metrics = createMetrics({ defaultMetrics: false });
  const roi = new RoiTracker({ clickValueMicros: () => 0 });
  const experiments = new ExperimentStats();
  const figures = new ConsoleFigures({
    clock,
    config: { current: snap },
    budgets: store.budgets,
    fleet: store.fleet,
    reach: store.reach,
    gate,
    roi,
    metrics,
    anomalies: new AnomalyDetector(),
    experiments,
  });
  return { snap, clock, store, gate, figures, metrics, roi, experiments };
}

type View = {
  channels: { id: string; spent: number; series: { t: number[] }; roi: { day: number | null } }[];
  steps: { from: Record<string, number>; to: Record<string, number>; roi: Record<string, { events: number }> }[];
  asOf: { at: string | null; ageSeconds: number | null };
};

type Overview = { channels: { id: string; bids: number[]; wins: number[]; winRate: (number | null)[] }[] };
type RoiView = { channels: { id: string; roi: { h1: number | null; h24: number | null } }[] };

/** The sample config with an A/B experiment on acme-prospecting (a copy in a temporary directory). */
function configWithExperiment(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-figures-'));
  cpSync(new URL('../../../config', import.meta.url).pathname, dir, { recursive: true });
  const file = join(dir, 'campaigns', 'acme-prospecting.yaml');
  writeFileSync(
    file,
    `${readFileSync(file, 'utf8')}\nexperiments:\n  - id: bid-test\n    arms:\n      - { id: a, weight: 1 }\n      - { id: b, weight: 1 }\n`,
  );
  return dir;
}

describe('console figures', () => {
  it("shows each experiment's arms summed over the fleet, with the sequential verdict", async () => {
    const dir = configWithExperiment();
    try {
      const one = await setup(undefined, dir);
      const two = await setup({ clock: one.clock, store: one.store }, dir);
      const arms = one.snap.campaignsById.get('acme-prospecting')!.scoring.experiments[0]!.arms;
      // Each instance saw part of the traffic: 1,000 wins per arm and instance at $2 CPM; arm b clicks twice as often.
      for (const inst of [one, two])
        for (const [arm, clicks] of [
          [arms[0]!, 10],
          [arms[1]!, 20],
        ] as const) {
          const c = inst.experiments.counters(arm);
          c.bids += 1_500;
          c.wins += 1_000;
          c.spendMicros += 1_000 * 2_000;
          c.spendSq += 1_000 * 0.002 ** 2;
          c.clicks += clicks;
        }
      await one.figures.tick();
      await two.figures.tick();
      await one.figures.tick();
      const view = one.figures.campaign('acme-prospecting') as {
        experiments: {
          id: string;
          report: {
            control: string;
            arms: Record<string, { wins: number; clicks: number; spend: number; test?: { verdict: string } | null }>;
          };
        }[];
      };
      const e = view.experiments[0]!;
      expect(e.id).toBe('bid-test');
      expect(e.report.control).toBe('a');
      expect(e.report.arms.a).toMatchObject({ wins: 2_000, clicks: 20, spend: 4 });
      expect(e.report.arms.b).toMatchObject({ wins: 2_000, clicks: 40, spend: 4 });
      expect(e.report.arms.b!.test).not.toBeNull();
      // Nothing new counted: a second sample adds nothing twice.
      await one.figures.tick();
      expect((one.figures.campaign('acme-prospecting') as typeof view).experiments[0]!.report.arms.a!.wins).toBe(2_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("shows the fleet's bids, wins and ROI: what every instance counted, summed through the store", async () => {
    const a = await setup();
    const b = await setup({ clock: a.clock, store: a.store });
    const [id, ch] = ['acme-prospecting', 'ssp-beta'];
    for (let i = 0; i < 3; i++) a.metrics.bid(ch, id);
    a.metrics.impressions.inc({ campaign: id, channel: ch });
    for (let i = 0; i < 2; i++) b.metrics.bid(ch, id);
    b.metrics.impressions.inc({ campaign: id, channel: ch }, 2);
    // A paid for the impressions; the conversion's postback reached B.
    a.roi.spend(id, ch, 1_000_000, a.clock.now());
    b.roi.conversion(id, ch, 3_000_000, a.clock.now());
    await a.figures.tick();
    await b.figures.tick();
    a.clock.advance(60_000);
    await a.figures.tick();
    await b.figures.tick();
    for (const f of [a.figures, b.figures]) {
      const beta = (f.overview() as Overview).channels.find((c) => c.id === ch)!;
      expect([beta.bids, beta.wins, beta.winRate]).toEqual([[5], [3], [0.6]]);
      const r = (f.campaign(id) as RoiView).channels.find((c) => c.id === ch)!.roi;
      expect([r.h1, r.h24]).toEqual([3, 3]);
    }
    // Nothing new counted: the next minutes add nothing, and the hour still holds the first one.
    a.clock.advance(60_000);
    await a.figures.tick();
    expect((a.figures.overview() as Overview).channels.find((c) => c.id === ch)!.bids).toEqual([5]);
    // An hour later the minute is out of the 1 h ROI but still in the 24 h one.
    a.clock.advance(60 * 60_000);
    await a.figures.tick();
    const r = (a.figures.campaign(id) as RoiView).channels.find((c) => c.id === ch)!.roi;
    expect([r.h1, r.h24]).toEqual([null, 3]);
  }, 30_000);

  it("reads the fleet's spend per channel from the store, and says how old it is", async () => {
    const { clock, store, figures } = await setup();
    const key = { campaignId: 'acme-prospecting', channelId: 'ssp-beta', day: '2026-03-02' };
    // Another instance settled this spend: only the store knows it.
    await store.budgets.settle(key, 'other', 'n1', 1_234_000, clock.now());
    expect((figures.campaign('acme-prospecting') as View).asOf.at).toBeNull();
    await figures.tick();
    clock.advance(20_000);
    const view = figures.campaign('acme-prospecting') as View;
    expect(view.channels.find((c) => c.id === 'ssp-beta')!.spent).toBe(1.234);
    expect(view.channels.find((c) => c.id === 'ssp-alpha')!.spent).toBe(0);
    expect(view.asOf.ageSeconds).toBe(20);
  }, 30_000);

  it("shows the fleet's audience: people per channel, unique across channels, and those on more than one", async () => {
    const { store, figures } = await setup();
    const add = (channelId: string, from: number, to: number) =>
      store.reach.add(
        Array.from({ length: to - from }, (_, i) => ({
          campaignId: 'acme-prospecting',
          channelId,
          day: '2026-03-02',
          personId: `p${from + i}`,
        })),
      );
    await add('ssp-alpha', 0, 100);
    await add('ssp-beta', 50, 150);
    await figures.tick();
    const view = figures.campaign('acme-prospecting') as {
      channels: { id: string; reach: number }[];
      reach: { unique: number; duplicated: number; duplicatedShare: number };
    };
    expect(Object.fromEntries(view.channels.map((c) => [c.id, c.reach]))).toMatchObject({
      'ssp-alpha': 100,
      'ssp-beta': 100,
    });
    // Sketch estimates (linear counting at this size): within a person or two.
    expect(Math.abs(view.reach.unique - 150)).toBeLessThanOrEqual(2);
    expect(Math.abs(view.reach.duplicated - 50)).toBeLessThanOrEqual(2);
    expect(view.reach.duplicatedShare).toBeCloseTo(view.reach.duplicated / view.reach.unique, 9);
  }, 30_000);

  it('keeps the last hour by the minute and the rest of the day by the quarter hour', async () => {
    const { clock, figures } = await setup();
    for (let m = 0; m < 200; m++) {
      await figures.tick();
      clock.advance(60_000);
    }
    const t = (figures.campaign('acme-prospecting') as View).channels[0]!.series.t;
    expect(t.length).toBeLessThanOrEqual(61 + 10);
    expect(t.length).toBeGreaterThan(61);
    const last = t.at(-1)!;
    expect(t.slice(-61).every((x, i, a) => i === 0 || x - a[i - 1]! === 60)).toBe(true);
    expect(t.filter((x) => x < last - 61 * 60).every((x) => x % 900 === 0)).toBe(true);
  }, 30_000);

  it('notes a change of the floating split as a reallocation step, with the ROI it stood on', async () => {
    const { clock, store, figures } = await setup();
    const day = '2026-03-02';
    // Any campaign: the step is read from the store, whichever instance decided it.
    const id = 'acme-prospecting';
    await store.budgets.proposeAllocation(id, day, {
      period: 1,
      weights: { 'ssp-alpha': 0.4, 'ssp-beta': 0.4, 'ssp-gamma': 0.2 },
    });
    await figures.tick();
    await store.budgets.addResults({ campaignId: id, channelId: 'ssp-alpha', day }, 7, 0, 0);
    await store.budgets.proposeAllocation(id, day, {
      period: 2,
      weights: { 'ssp-alpha': 0.5, 'ssp-beta': 0.3, 'ssp-gamma': 0.2 },
    });
    clock.advance(60_000);
    await figures.tick();
    const steps = (figures.campaign(id) as View).steps;
    expect(steps).toHaveLength(1);
    expect(steps[0]!.from['ssp-alpha']).toBe(0.4);
    expect(steps[0]!.to['ssp-alpha']).toBe(0.5);
    expect(steps[0]!.roi['ssp-alpha']!.events).toBe(7);
  }, 30_000);
});
