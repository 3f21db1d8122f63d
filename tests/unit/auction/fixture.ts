/**
 * A bid path over real parts (config snapshot, pacing gate on the memory store, inline scoring) in virtual
 * time, for the auction and endpoint unit tests. Campaigns bid a fixed CPM on channel `ex` (and `pb`, a
 * Prebid channel with bidder code `peregrine`), with no exploration reserve, unless a test overrides their config.
 */
import { BidPath, type BidPathDeps, type LookupResult } from '../../../src/auction/bid-path.js';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import { bidderSchema, campaignSchema, channelSchema } from '../../../src/config/schema.js';
import { buildSnapshot, type ConfigSnapshot } from '../../../src/config/snapshot.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { ScoringService } from '../../../src/scoring/index.js';
import { MemoryBudgetStore } from '../../../src/store/memory/budgets.js';
import type { IdKey, Profile } from '../../../src/store/ports.js';

export const T = Date.parse('2026-11-23T12:00:00Z');
const modelsDir = new URL('../../../config/models', import.meta.url).pathname;

export function campaignCfg(id: string, cpm: number, over: Record<string, unknown> = {}) {
  return campaignSchema.parse({
    id,
    advertiser: 'a',
    adomain: ['a.example'],
    budget: { daily: 100, channels: { ex: 0.5, pb: 0.5 }, pacing: 'asap', exploration: 0 },
    bid: { strategy: 'fixed_cpm', cpm },
    creatives: [{ id: `${id}-cr`, format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
    ...over,
  });
}

export interface AuctionFixture {
  readonly clock: VirtualClock;
  readonly snap: ConfigSnapshot;
  readonly gate: PacingGate;
  readonly bidPath: BidPath;
  /** Every profile lookup the bid path made (the ids it asked with). */
  readonly lookups: (readonly IdKey[])[];
  readonly close: () => Promise<void>;
}

export interface FixtureOptions {
  /** The profile the lookup finds (default: none). */
  readonly profile?: Profile;
  /** Runs inside the lookup, before it answers (e.g. to let virtual time pass). */
  readonly duringLookup?: () => void;
  readonly deps?: Partial<BidPathDeps>;
}

export async function auctionFixture(
  campaigns: ReturnType<typeof campaignCfg>[],
  opts: FixtureOptions = {},
): Promise<AuctionFixture> {
  const clock = new VirtualClock(T);
  const bidder = bidderSchema.parse({ notices: { keys: [{ id: 'k1', secret: 'test' }] } });
  const channels = [
    channelSchema.parse({ id: 'ex', name: 'ex' }),
    channelSchema.parse({ id: 'pb', name: 'pb', dialect: 'prebid', prebid: { bidderCodes: ['peregrine'] } }),
  ];
  const snap = buildSnapshot({ dir: '.', bidder, channels, campaigns, texts: new Map() }, 1, T, {});
  const zones = new TimeZoneTable();
  const gate = new PacingGate(new MemoryBudgetStore(), clock, zones, {
    instanceId: 'i1',
    leaseTtlMs: 60_000,
    noticeWindowMs: 300_000,
    minLeaseMicros: 1_000_000,
  });
  await gate.warm(snap.campaigns);
  const scoring = await ScoringService.create(
    { mode: 'inline', modelsDir, watchModels: false, pool: { threads: 0 } },
    { clock },
  );
  const lookups: (readonly IdKey[])[] = [];
  const bidPath = new BidPath({
    clock,
    gate,
    zones,
    instanceId: 'i1',
    scoring,
    privacy: () => ({ personalData: true, useIfa: true, reason: 'none' }),
    profiles: {
      lookup: async (ids): Promise<LookupResult> => {
        lookups.push(ids);
        opts.duringLookup?.();
        return { profile: opts.profile, outcome: opts.profile === undefined ? 'unknown' : 'hit' };
      },
    },
    idKeys: (req) => (req.user?.id === undefined ? [] : [`uid:${req.user.id}`]),
    ...opts.deps,
  });
  return { clock, snap, gate, bidPath, lookups, close: () => scoring.close() };
}
