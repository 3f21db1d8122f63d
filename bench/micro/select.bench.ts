/**
 * Candidate selection and the whole in-process bid path at 1,000 and 10,000 campaigns, on a 1 KB-style
 * banner request: the index's bitsets, the price-bound scan with residual checks and pacing pre-checks,
 * and (for the bid path) choosing, reserving and signing the bid.
 * Run: npm run bench:micro:select
 */
import { BidPath } from '../../src/auction/bid-path.js';
import { ProfileState, scanImp, type ImpSlots, type ScanContext } from '../../src/auction/imp-scan.js';
import { RequestMemo } from '../../src/campaigns/select.js';
import { TimeZoneTable } from '../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../src/clock.js';
import { bidderSchema, campaignSchema, channelSchema } from '../../src/config/schema.js';
import { buildSnapshot } from '../../src/config/snapshot.js';
import type { BidRequest } from '../../src/openrtb/types.js';
import { PacingGate } from '../../src/pacing/gate.js';
import { ScoringService } from '../../src/scoring/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { prng, runMicro } from './harness.js';

const kSizes = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
  [300, 600],
  [970, 250],
] as const;
const kCountries = ['USA', 'CAN', 'GBR', 'DEU', 'FRA', 'ESP', 'ITA', 'BRA', 'MEX', 'JPN'];
const kChannels = ['ssp-alpha', 'ssp-beta', 'ssp-gamma'];

function pick<T>(r: () => number, xs: readonly T[], n: number): T[] {
  const out = new Set<T>();
  while (out.size < n) out.add(xs[Math.floor(r() * xs.length)]!);
  return [...out];
}

export function syntheticCampaigns(n: number, seed = 1) {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const targeting: Record<string, unknown> = {};
    if (r() < 0.7) targeting.countries = pick(r, kCountries, 1 + Math.floor(r() * 3));
    if (r() < 0.5) targeting.deviceTypes = pick(r, [1, 2, 4, 5], 1 + Math.floor(r() * 2));
    if (r() < 0.1)
      targeting.domains = { allow: Array.from({ length: 5 }, () => `site${Math.floor(r() * 500)}.example`) };
    if (r() < 0.2) targeting.dayparts = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: [6, 22] }];
    if (r() < 0.1) targeting.segments = { include: [`seg${Math.floor(r() * 50)}`] };
    if (r() < 0.3) targeting.categories = { block: ['IAB25', 'IAB26'] };
    const sizes = pick(r, kSizes, 1 + Math.floor(r() * 3));
    const creatives = sizes.map(([w, h], j) => ({
      id: `cr${j}`,
      format: 'banner',
      w,
      h,
      markup: '<a href="{{CLICK_URL}}">x</a>',
      landingUrl: 'https://adv.example/',
    }));
    const share = pick(r, kChannels, 1 + Math.floor(r() * 3));
    return campaignSchema.parse({
      id: `c${i}`,
      advertiser: `adv${i % 97}`,
      adomain: [`adv${i % 97}.example`],
      budget: { daily: 1000, channels: Object.fromEntries(share.map((c) => [c, 1 / share.length])), pacing: 'asap' },
      bid: { strategy: 'fixed_cpm', cpm: 1 + r() * 4 },
      targeting,
      creatives,
    });
  });
}

const req: BidRequest = {
  id: 'bench-1',
  imp: [
    {
      id: '1',
      banner: {
        formats: [
          { w: 300, h: 250 },
          { w: 300, h: 600 },
        ],
        w: 300,
        h: 250,
        battr: undefined,
        pos: 1,
      },
      video: undefined,
      audio: undefined,
      native: undefined,
      pmp: undefined,
      tagid: 'tag-1',
      bidfloor: 0.5,
      bidfloorcur: 'USD',
      secure: true,
      instl: false,
      ext: undefined,
    },
  ],
  inventory: {
    kind: 'site',
    id: 's1',
    name: 'News',
    domain: 'site42.example',
    page: 'https://site42.example/a',
    bundle: undefined,
    cat: ['IAB12'],
    publisher: { id: 'p1', name: undefined, domain: undefined },
  },
  device: {
    ua: 'Mozilla/5.0',
    ip: '203.0.113.7',
    ipv6: undefined,
    geo: { country: 'USA', region: 'CA', city: undefined, lat: undefined, lon: undefined, utcoffset: undefined },
    devicetype: 2,
    os: 'Windows',
    osv: undefined,
    make: undefined,
    model: undefined,
    ifa: undefined,
    lmt: false,
    dnt: false,
    language: 'en',
  },
  user: undefined,
  regs: { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined },
  source: undefined,
  at: 1,
  tmax: 120,
  cur: ['USD'],
  bcat: ['IAB25'],
  badv: ['blocked.example'],
  bapp: undefined,
  battr: undefined,
  wseat: undefined,
  bseat: undefined,
  test: false,
  ext: undefined,
};

const zones = new TimeZoneTable();
const scoring = await ScoringService.create(
  {
    mode: 'inline',
    modelsDir: new URL('../../config/models', import.meta.url).pathname,
    watchModels: false,
    pool: { threads: 0 },
  },
  { clock: new VirtualClock() },
);
const clock = new VirtualClock(Date.parse('2026-11-23T15:00:00Z'));
const cases = [];
for (const n of [1_000, 10_000]) {
  const snap = buildSnapshot(
    {
      dir: '.',
      bidder: bidderSchema.parse({ notices: { keys: [{ id: 'k1', secret: 'bench' }] } }),
      channels: kChannels.map((id) => channelSchema.parse({ id, name: id })),
      campaigns: syntheticCampaigns(n),
      texts: new Map(),
    },
    1,
    clock.now(),
    {},
  );
  const store = createMemoryStore();
  const gate = new PacingGate(store.budgets, clock, zones, {
    instanceId: 'bench',
    leaseTtlMs: 3_600_000,
    noticeWindowMs: 300_000,
    minLeaseMicros: 10_000_000_000,
  });
  await gate.warm(snap.campaigns);
  const memo = new RequestMemo(n);
  const out: ImpSlots = { candidates: [], explore: undefined, fullSpeed: 0 };
  const pending: number[] = [];
  const ctx: ScanContext = {
    req,
    snap,
    channel: snap.channels.get('ssp-alpha')!,
    nowMs: clock.now(),
    zones,
    gate,
    memo,
    profileState: ProfileState.Known,
    profile: undefined,
    stage: undefined,
    furthest: 'targeting',
    ids: [],
    resolver: { resolveProfileState: () => {} },
  };
  const select = () => {
    memo.begin();
    out.candidates.length = 0;
    out.explore = undefined;
    out.fullSpeed = 0;
    pending.length = 0;
    const bits = snap.index.requestBits(req, 'ssp-alpha');
    scanImp(ctx, req.imp[0]!, 0, snap.index.impBits(bits, req.imp[0]!), out, pending);
  };
  select();
  console.log(
    `${n} campaigns: collected ${out.candidates.map((c) => `${c.campaign.id}(bound ${c.campaign.boundMicros / 1e6})`).join(', ')}`,
  );
  const bidPath = new BidPath({
    clock,
    gate,
    zones,
    instanceId: 'bench',
    scoring,
    privacy: () => ({ personalData: true, useIfa: true, reason: 'none' }),
    profiles: { lookup: async () => ({ profile: undefined, outcome: 'unknown' }) },
    idKeys: () => [],
  });
  const channel = snap.channels.get('ssp-alpha')!;
  const first = bidPath.run(req, snap, channel, Infinity);
  if (first instanceof Promise || !first.bid) throw new Error(`the bench request must bid: ${JSON.stringify(first)}`);
  cases.push({
    name: `select ${n} campaigns`,
    batch: 20,
    fn: () => {
      for (let k = 0; k < 20; k++) select();
    },
  });
  cases.push({
    name: `bid path ${n} campaigns`,
    batch: 20,
    fn: () => {
      for (let k = 0; k < 20; k++) bidPath.run(req, snap, channel, Infinity);
    },
  });
}

await runMicro('candidate selection and in-process bid path', cases);
await scoring.close();
