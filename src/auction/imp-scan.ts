/**
 * The internal auction for one imp: walk the imp's candidate bitset in price-bound order, evaluate each
 * campaign (request checks, pacing pre-check, deal, creative, floor, price) and keep the best few, best
 * first. Stops when every campaign still ahead has a bound no higher than the worst candidate kept.
 * Campaigns that need the user's profile are set aside (`pending`) when the profile is not known yet.
 *
 * Exploration: a bid the strategy would not make here — the user is outside the campaign's targeted
 * segments, its pacing controller sat this auction out, or the controller is holding its bid down — may be
 * made on the campaign's exploration reserve instead, when the reserve has room at its point on the day's
 * curve (gate.checkExplore): one such candidate per imp, bidding the unpaced value. It competes on price
 * with the regular candidates like any bid; the reserve's own pacing bounds how much it takes.
 */
import type { Bitset } from '../campaigns/bitset.js';
import { matchCreative, matchDeal } from '../campaigns/creative-match.js';
import type { Campaign, Creative } from '../campaigns/model.js';
import { checkProfile, Drop, explorableProfile, needsProfile, ProfileCheck } from '../campaigns/residual.js';
import type { RequestMemo } from '../campaigns/select.js';
import type { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Channel, ConfigSnapshot } from '../config/snapshot.js';
import type { NoBidReason } from './nbr.js';
import type { BidRequest, Deal, Imp } from '../openrtb/types.js';
import type { PacingGate } from '../pacing/gate.js';
import type { IdKey, Profile } from '../store/ports.js';
import { floorMicros } from './currency.js';

/**
 * Candidates collected per imp for scoring, in price-bound order: the scorer prices them (model, strategy,
 * multipliers, shading) and the best one the pacing gate accepts wins. A campaign past the first few by
 * bound could only win if all of those scored far below their bounds; we accept that approximation for a
 * bounded scoring batch.
 */
const kCollect = 6;
/**
 * Past `kCollect`, the scan goes on (this far at most) looking for one campaign its controller lets bid in
 * full when every candidate collected so far is being held to its curve: the bid path chooses full-speed
 * campaigns first (bid-path.ts), and a low bidder that is behind would otherwise never be collected while
 * higher bidders ahead of their curves fill the slots.
 */
const kCollectMax = 12;

export interface Candidate {
  readonly campaign: Campaign;
  readonly creative: Creative;
  readonly deal: Deal | null;
  readonly floorMicros: number;
  /** The pacing controller's bid multiplier for this campaign on this channel now (> 0; 1 exploring). */
  readonly pacing: number;
  /** An exploration bid: charged to the exploration reserve, made only when no regular candidate bids. */
  readonly explore: boolean;
}

/** One imp's candidates: regular ones best-bounded first (at most `kCollect`), and one for exploration. */
export interface ImpSlots {
  readonly candidates: Candidate[];
  explore: Candidate | undefined;
  /** Candidates collected with a pacing factor of 1 (their controller lets them bid in full). */
  fullSpeed: number;
}

/** How the profile stands for this request while scanning. */
export const enum ProfileState {
  /** Not needed yet: nobody asked. */
  Untouched = 0,
  /** A lookup will run: set profile-needing campaigns aside. */
  Pending = 1,
  /** Known: either looked up, or impossible (no consent, no ids). */
  Known = 2,
}

export interface ScanContext {
  readonly req: BidRequest;
  readonly snap: ConfigSnapshot;
  readonly channel: Channel;
  nowMs: number;
  readonly zones: TimeZoneTable;
  readonly gate: PacingGate;
  readonly memo: RequestMemo;
  profileState: ProfileState;
  profile: Profile | undefined;
  stage: string | undefined;
  /** The furthest stage any campaign reached, for the no-bid reason. */
  furthest: NoBidReason;
  /** User ids for the lookup, set when the profile state is resolved. */
  ids: readonly IdKey[];
  /** Asked once, the first time a profile-needing campaign is met, to decide `Pending` or `Known`. */
  readonly resolver: ProfileResolver;
}

export interface ProfileResolver {
  resolveProfileState(ctx: ScanContext): void;
}

const kRank: Readonly<Record<NoBidReason, number>> = {
  no_campaign: 0,
  targeting: 1,
  blocked: 2,
  privacy: 3,
  segments: 4,
  frequency: 5,
  no_creative: 6,
  currency: 7,
  below_floor: 8,
  pacing: 9,
  budget: 10,
  holdout: 11,
  scoring: 12,
  deadline: 13,
  unknown_bidder: 14,
  error: 15,
};

export function noteReason(ctx: ScanContext, r: NoBidReason): void {
  if (kRank[r] > kRank[ctx.furthest]) ctx.furthest = r;
}

export function scanImp(
  ctx: ScanContext,
  imp: Imp,
  impIndex: number,
  bits: Bitset,
  out: ImpSlots,
  pending: number[],
): void {
  const campaigns = ctx.snap.campaigns;
  const impFloor = floorMicros(imp.bidfloor, imp.bidfloorcur, ctx.snap.fx);
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const t = word & -word;
      word ^= t;
      const c = campaigns[(w << 5) + (31 - Math.clz32(t))]!;
      if (out.candidates.length >= kCollect && (out.fullSpeed > 0 || out.candidates.length >= kCollectMax)) return;
      const drop = ctx.memo.check(c, ctx.req, ctx.nowMs, ctx.zones);
      if (drop !== Drop.None) {
        noteReason(ctx, drop === Drop.Blocked ? 'blocked' : 'targeting');
        continue;
      }
      if (needsProfile(c)) {
        if (ctx.profileState === ProfileState.Untouched) ctx.resolver.resolveProfileState(ctx);
        if (ctx.profileState === ProfileState.Pending) {
          pending.push(impIndex, c.index);
          continue;
        }
      }
      evaluate(ctx, c, imp, impFloor, out);
    }
  }
}

/** Profile checks, then the imp-level evaluation; inserts a candidate into `out` (best first, capped). */
export function evaluate(ctx: ScanContext, c: Campaign, imp: Imp, impFloor: number | undefined, out: ImpSlots): void {
  let explore = false;
  if (needsProfile(c)) {
    const pc = checkProfile(c, ctx.profile);
    if (pc !== ProfileCheck.Ok) {
      noteReason(ctx, pc === ProfileCheck.Segments ? 'segments' : 'frequency');
      if (
        pc !== ProfileCheck.Segments ||
        out.explore !== undefined ||
        c.explorationShare <= 0 ||
        !explorableProfile(c, ctx.profile)
      )
        return;
      explore = true;
    }
  }
  const placements = c.targeting.placements;
  if (placements !== undefined) {
    if (imp.tagid === undefined || !placements.has(imp.tagid)) {
      noteReason(ctx, 'targeting');
      return;
    }
  }
  const deal = matchDeal(c, imp, ctx.channel.seat);
  if (deal === undefined) {
    noteReason(ctx, 'targeting');
    return;
  }
  const creative = matchCreative(c, imp, ctx.req, ctx.stage);
  if (creative === undefined) {
    noteReason(ctx, 'no_creative');
    return;
  }
  const floor = deal === null ? impFloor : floorMicros(deal.bidfloor, deal.bidfloorcur, ctx.snap.fx);
  if (floor === undefined) {
    noteReason(ctx, 'currency');
    return;
  }
  if (c.boundMicros < floor) {
    noteReason(ctx, 'below_floor');
    return;
  }
  // The least this bid can cost is the floor: a campaign that cannot afford even that is out now.
  const least = Math.max(floor, 1) / 1000;
  if (!explore) {
    const gate = ctx.gate.check(c, ctx.channel.id, least, ctx.nowMs);
    // Throttled campaigns drop out here, before collection, so they do not take a lower campaign's slot.
    const pacing = gate === 'ok' ? ctx.gate.factor(c, ctx.channel.id, ctx.nowMs) : 0;
    if (pacing > 0) {
      // Past kCollect only a full-speed campaign is worth a slot (see kCollectMax).
      if (pacing >= 1) out.fullSpeed++;
      if (pacing >= 1 || out.candidates.length < kCollect)
        out.candidates.push({ campaign: c, creative, deal, floorMicros: floor, pacing, explore: false });
      if (pacing >= 1 || out.explore !== undefined || c.explorationShare <= 0) return;
    } else {
      noteReason(ctx, gate === 'ok' ? 'pacing' : gate);
      if (out.explore !== undefined || c.explorationShare <= 0) return;
    }
  }
  if (ctx.gate.checkExplore(c, ctx.channel.id, least, ctx.nowMs) === 'ok')
    out.explore = { campaign: c, creative, deal, floorMicros: floor, pacing: 1, explore: true };
}
