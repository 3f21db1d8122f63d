/**
 * Exploration through the real bid path: a campaign whose segments the user is outside of, or whose
 * pacing controller sits the auction out, bids on its exploration reserve — competing on price with the
 * regular bids, never past a frequency cap or an excluded segment.
 */
import { describe, expect, it } from 'vitest';
import type { ChosenBid } from '../../../src/auction/bid-path.js';
import { createBidder } from '../../../src/bidder/create-bidder.js';
import { VirtualClock } from '../../../src/clock.js';
import { bidderSchema, channelSchema, campaignSchema } from '../../../src/config/schema.js';
import { buildSnapshot } from '../../../src/config/snapshot.js';
import { verifyToken } from '../../../src/tokens/token.js';
import { ScoringService } from '../../../src/scoring/index.js';
import type { Profile } from '../../../src/store/ports.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { imp, request, banner, user } from '../../helpers/requests.js';

const T = Date.parse('2026-11-23T12:00:00Z');
const modelsDir = new URL('../../../config/models', import.meta.url).pathname;

function campaignCfg(id: string, cpm: number, over: Record<string, unknown> = {}) {
  return campaignSchema.parse({
    id,
    advertiser: 'a',
    adomain: ['a.example'],
    budget: { daily: 100, channels: { ex: 1 }, pacing: 'asap', exploration: 0.1 },
    bid: { strategy: 'fixed_cpm', cpm },
    creatives: [{ id: `${id}-cr`, format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
    ...over,
  });
}

async function setup(campaigns: ReturnType<typeof campaignCfg>[], profile: Profile | undefined) {
  const clock = new VirtualClock(T);
  const bidder = bidderSchema.parse({
    notices: { keys: [{ id: 'k1', secret: 'test' }] },
    pacing: { leaseTtl: '60s', noticeWindow: '5m', minLeaseMicros: 1_000_000 },
  });
  const snap = buildSnapshot(
    { dir: '.', bidder, channels: [channelSchema.parse({ id: 'ex', name: 'ex' })], campaigns, texts: new Map() },
    1,
    T,
    {},
  );
  const scoring = await ScoringService.create(
    { mode: 'inline', modelsDir, watchModels: false, pool: { threads: 0 } },
    { clock },
  );
  // The whole instance, with the profile store standing in for the user lookup.
  const { gate, bidPath } = await createBidder({
    config: { current: snap },
    store: createMemoryStore(),
    clock,
    instanceId: 'i1',
    scoring,
    users: {
      profiles: { lookup: async () => ({ profile, outcome: profile === undefined ? 'unknown' : 'hit' }) },
      idKeys: () => ['uid:u1'],
    },
  });
  const run = async (): Promise<readonly ChosenBid[]> => {
    const out = await bidPath.run(
      request({ id: 'r1', imp: [imp('1', { banner: banner(300, 250), bidfloor: 0.1 })], user: user('u1') }),
      snap,
      snap.channels.get('ex')!,
      clock.now() + 80,
    );
    return out.bid ? out.chosen : [];
  };
  const explored = (b: ChosenBid) =>
    verifyToken(new URL(b.bid.nurl!).searchParams.get('t')!, snap.noticeKeys, clock.now(), 3600);
  return { run, explored, gate, scoring, clock, snap };
}

const person = (segments: string[], frequency: Record<string, number> = {}): Profile =>
  ({ personId: 'p1', segments: new Set(segments), frequency: new Map(Object.entries(frequency)) }) as Profile;

describe('exploration bids', () => {
  it('a user outside the targeted segments gets an exploration bid, marked in the token', async () => {
    const s = await setup(
      [campaignCfg('seg', 2, { targeting: { segments: { include: ['auto-intender'] } } })],
      person(['sports']),
    );
    const chosen = await s.run();
    expect(chosen).toHaveLength(1);
    const v = s.explored(chosen[0]!);
    expect(v.ok && v.claims.explore).toBe(true);
    expect([...s.gate.remaining()].find((r) => r.pool === 'exploration')!.reservedMicros).toBeGreaterThan(0);
    expect([...s.gate.remaining()].find((r) => r.pool === 'regular')!.reservedMicros).toBe(0);
    await s.scoring.close();
  });
  it('exploration competes on price with held-back bids, but never goes before a campaign at full speed', async () => {
    const alone = await setup(
      [campaignCfg('seg', 5, { targeting: { segments: { include: ['auto-intender'] } } })],
      person(['sports']),
    );
    expect((await alone.run()).map((b) => b.campaign.id)).toEqual(['seg']);
    // An asap campaign bids in full: it goes first, even at a fifth of the exploration bid.
    const asap = await setup(
      [campaignCfg('seg', 5, { targeting: { segments: { include: ['auto-intender'] } } }), campaignCfg('plain', 1)],
      person(['sports']),
    );
    const chosen = await asap.run();
    expect(chosen.map((b) => b.campaign.id)).toEqual(['plain']);
    const v = asap.explored(chosen[0]!);
    expect(v.ok && v.claims.explore).toBeUndefined();
    for (const s of [alone, asap]) await s.scoring.close();
  });
  it('never explores past a frequency cap, into an excluded segment, or without a reserve', async () => {
    const capped = await setup(
      [
        campaignCfg('seg', 2, {
          targeting: { segments: { include: ['auto-intender'] } },
          frequencyCaps: [{ count: 1, window: 3600 }],
        }),
      ],
      person(['sports'], { 'seg:3600': 1 }),
    );
    expect(await capped.run()).toHaveLength(0);
    const excluded = await setup(
      [campaignCfg('seg', 2, { targeting: { segments: { include: ['auto-intender'], exclude: ['customers'] } } })],
      person(['customers']),
    );
    expect(await excluded.run()).toHaveLength(0);
    const none = await setup(
      [
        campaignCfg('seg', 2, {
          targeting: { segments: { include: ['auto-intender'] } },
          budget: { daily: 100, channels: { ex: 1 }, pacing: 'asap', exploration: 0 },
        }),
      ],
      person(['sports']),
    );
    expect(await none.run()).toHaveLength(0);
    for (const s of [capped, excluded, none]) await s.scoring.close();
  });
  it('a campaign its controller holds back bids its unpaced value on the reserve, while the reserve has room', async () => {
    const s = await setup(
      [campaignCfg('paced', 2, { budget: { daily: 100, channels: { ex: 1 }, pacing: 'even', exploration: 0.1 } })],
      undefined,
    );
    const c = s.snap.campaignsById.get('paced')!;
    // Half the day's budget spent by noon plus a bit: ahead of the curve, the controller pulls the signal down.
    await s.gate.settle(
      c,
      { campaignId: 'paced', channelId: 'ex', day: '2026-11-23' },
      'other',
      'n1',
      T,
      0,
      60_000_000,
    );
    for (let i = 0; i < 120; i++) {
      s.clock.advance(5_000);
      s.gate.factor(c, 'ex', s.clock.now());
    }
    const signal = [...s.gate.signals()][0]!.signal;
    expect(signal).toBeLessThan(0.5);
    // Ten minutes without a bid: the leases expired; the first request refills them in the background.
    await s.run();
    await new Promise((r) => setImmediate(r));
    const chosen = await s.run();
    expect(chosen).toHaveLength(1);
    const v = s.explored(chosen[0]!);
    expect(v.ok && v.claims.explore).toBe(true);
    // Unpaced: the fixed CPM itself, not the multiplied bid.
    expect(chosen[0]!.bid.price).toBe(2);
    await s.scoring.close();
  });
});

describe('our own internal auction', () => {
  it('a campaign at full speed goes before a dearer one its controller is holding to its curve', async () => {
    const s = await setup(
      [
        campaignCfg('ahead', 5, { budget: { daily: 100, channels: { ex: 1 }, pacing: 'even', exploration: 0 } }),
        campaignCfg('behind', 2, { budget: { daily: 100, channels: { ex: 1 }, pacing: 'even', exploration: 0 } }),
      ],
      undefined,
    );
    const ahead = s.snap.campaignsById.get('ahead')!;
    const behind = s.snap.campaignsById.get('behind')!;
    // 'ahead' is on its curve but spending far too fast (0.5% of its day every 5 s): its controller multiplies
    // its bid down, not out; 'behind' has spent nothing.
    const key = { campaignId: 'ahead', channelId: 'ex', day: '2026-11-23' };
    await s.gate.settle(ahead, key, 'other', 'n0', T, 0, 40_000_000);
    for (let i = 0; i < 12; i++) {
      s.clock.advance(5_000);
      await s.gate.settle(ahead, key, 'other', `n${i + 1}`, s.clock.now(), 0, 500_000);
      s.gate.factor(ahead, 'ex', s.clock.now());
      s.gate.factor(behind, 'ex', s.clock.now());
    }
    const signals = Object.fromEntries([...s.gate.signals()].map((p) => [p.campaignId, p.signal]));
    expect(signals.ahead).toBeLessThan(1);
    expect(signals.ahead).toBeGreaterThan(0.3);
    expect(signals.behind).toBe(1);
    await s.run();
    await new Promise((r) => setImmediate(r));
    const chosen = await s.run();
    expect(chosen.map((b) => b.campaign.id)).toEqual(['behind']);
    await s.scoring.close();
  });
  it('keeps scanning past the usual six candidates for one at full speed when all six are held back', async () => {
    const budget = { daily: 100, channels: { ex: 1 }, pacing: 'even', exploration: 0 };
    const held = Array.from({ length: 7 }, (_, i) => campaignCfg(`held-${i}`, 5 + i * 0.1, { budget }));
    const s = await setup([...held, campaignCfg('behind', 2, { budget })], undefined);
    for (const cfg of held) {
      const c = s.snap.campaignsById.get(cfg.id)!;
      await s.gate.settle(c, { campaignId: c.id, channelId: 'ex', day: '2026-11-23' }, 'other', 'n0', T, 0, 40_000_000);
    }
    for (let i = 0; i < 12; i++) {
      s.clock.advance(5_000);
      for (const c of s.snap.campaigns) {
        if (c.id !== 'behind')
          await s.gate.settle(
            c,
            { campaignId: c.id, channelId: 'ex', day: '2026-11-23' },
            'other',
            `n${i + 1}`,
            s.clock.now(),
            0,
            500_000,
          );
        s.gate.factor(c, 'ex', s.clock.now());
      }
    }
    const signals = [...s.gate.signals()];
    expect(signals.filter((p) => p.campaignId !== 'behind').every((p) => p.signal < 1 && p.signal > 0.3)).toBe(true);
    await s.run();
    await new Promise((r) => setImmediate(r));
    expect((await s.run()).map((b) => b.campaign.id)).toEqual(['behind']);
    await s.scoring.close();
  });
});
