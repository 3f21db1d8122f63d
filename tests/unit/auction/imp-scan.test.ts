import { afterEach, describe, expect, it } from 'vitest';
import { noteReason, ProfileState, scanImp, type ImpSlots, type ScanContext } from '../../../src/auction/imp-scan.js';
import { RequestMemo } from '../../../src/campaigns/select.js';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import type { Imp } from '../../../src/openrtb/types.js';
import { banner, imp, request } from '../../helpers/requests.js';
import { auctionFixture, campaignCfg, type AuctionFixture } from './fixture.js';

describe('scanImp', () => {
  let f: AuctionFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  /** Scans one imp of a request with the given profile state; returns the slots, set-aside pairs and context. */
  function scan(the: Imp, profileState = ProfileState.Known, resolve?: (ctx: ScanContext) => void) {
    const fx = f!;
    const req = request({ imp: [the] });
    const ctx: ScanContext = {
      req,
      snap: fx.snap,
      channel: fx.snap.channels.get('ex')!,
      nowMs: fx.clock.now(),
      zones: new TimeZoneTable(),
      gate: fx.gate,
      memo: new RequestMemo(fx.snap.campaigns.length),
      profileState,
      profile: undefined,
      stage: undefined,
      furthest: 'no_campaign',
      ids: [],
      resolver: { resolveProfileState: resolve ?? (() => {}) },
    };
    ctx.memo.begin();
    const out: ImpSlots = { candidates: [], explore: undefined, fullSpeed: 0 };
    const pending: number[] = [];
    const bits = fx.snap.index.impBits(fx.snap.index.requestBits(req, 'ex'), the);
    scanImp(ctx, the, 0, bits, out, pending);
    return { out, pending, ctx };
  }
  const bannerImp = (more: Partial<Imp> = {}) => imp('1', { banner: banner(300, 250), ...more });

  it('collects at most six candidates, highest bound first', async () => {
    f = await auctionFixture([1, 2, 3, 4, 5, 6, 7, 8].map((cpm) => campaignCfg(`c${cpm}`, cpm)));
    const { out } = scan(bannerImp());
    expect(out.candidates.map((c) => c.campaign.id)).toEqual(['c8', 'c7', 'c6', 'c5', 'c4', 'c3']);
    expect(out.candidates.every((c) => !c.explore && c.pacing === 1)).toBe(true);
    expect(out.fullSpeed).toBe(6);
  });

  it('leaves out campaigns whose bound is under the floor, and says so', async () => {
    f = await auctionFixture([campaignCfg('low', 1), campaignCfg('high', 4)]);
    const { out, ctx } = scan(bannerImp({ bidfloor: 2 }));
    expect(out.candidates.map((c) => c.campaign.id)).toEqual(['high']);
    expect(out.candidates[0]!.floorMicros).toBe(2_000_000);
    expect(ctx.furthest).toBe('below_floor');
    expect(scan(bannerImp({ bidfloor: 9 })).out.candidates).toEqual([]);
  });

  it('matches placements on the imp tagid only (a dialect has put its placement there already)', async () => {
    f = await auctionFixture([campaignCfg('top', 2, { targeting: { placements: ['homepage-top'] } })]);
    expect(scan(bannerImp({ tagid: 'homepage-top' })).out.candidates).toHaveLength(1);
    const other = scan(bannerImp({ tagid: 'sidebar' }));
    expect(other.out.candidates).toEqual([]);
    expect(other.ctx.furthest).toBe('targeting');
  });

  it('sets a profile-needing campaign aside while the lookup is pending, asking the resolver once', async () => {
    f = await auctionFixture([
      campaignCfg('seg', 3, { targeting: { segments: { include: ['s1'] } } }),
      campaignCfg('seg2', 2, { targeting: { segments: { include: ['s2'] } } }),
      campaignCfg('plain', 1),
    ]);
    let asked = 0;
    const { out, pending } = scan(bannerImp(), ProfileState.Untouched, (ctx) => {
      asked++;
      ctx.profileState = ProfileState.Pending;
    });
    expect(asked).toBe(1);
    expect(out.candidates.map((c) => c.campaign.id)).toEqual(['plain']);
    const setAside = [];
    for (let i = 0; i < pending.length; i += 2) setAside.push(f.snap.campaigns[pending[i + 1]!]!.id);
    expect(setAside).toEqual(['seg', 'seg2']);
  });

  it('with the profile known to be absent, a segment campaign is out for segments', async () => {
    f = await auctionFixture([campaignCfg('seg', 3, { targeting: { segments: { include: ['s1'] } } })]);
    const { out, pending, ctx } = scan(bannerImp(), ProfileState.Known);
    expect(out.candidates).toEqual([]);
    expect(pending).toEqual([]);
    expect(ctx.furthest).toBe('segments');
  });
});

describe('noteReason', () => {
  it('keeps the furthest stage reached, whatever the order reasons come in', () => {
    const ctx = { furthest: 'no_campaign' } as ScanContext;
    noteReason(ctx, 'below_floor');
    noteReason(ctx, 'targeting');
    expect(ctx.furthest).toBe('below_floor');
    noteReason(ctx, 'pacing');
    expect(ctx.furthest).toBe('pacing');
  });
});
