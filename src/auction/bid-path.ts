/**
 * The bid path for one decoded request: privacy → campaigns the index admits → (user lookup, only when a
 * surviving campaign needs it) → per imp: deal, creative, price, floor → pacing gate → response.
 *
 * It returns synchronously when no lookup is needed and a promise otherwise, so the common path never
 * awaits what it does not need. A no-bid is a value (`{ bid: false, reason }`), never an exception; the
 * reason reported is the furthest stage any campaign reached, which is what a buyer wants to know.
 */
import { collect, hasBit } from '../campaigns/bitset.js';
import { matchCreative, matchDeal } from '../campaigns/creative-match.js';
import type { Campaign, Creative } from '../campaigns/model.js';
import { checkProfile, checkRequest, Drop, needsProfile, ProfileCheck } from '../campaigns/residual.js';
import type { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Clock } from '../clock.js';
import type { Channel, ConfigSnapshot } from '../config/snapshot.js';
import type { LookupOutcome, NoBidReason } from '../metrics/labels.js';
import type { Bid, BidRequest, BidResponse, Deal, Imp } from '../openrtb/types.js';
import type { PacingGate } from '../pacing/gate.js';
import { priceFor } from '../scoring/strategies.js';
import type { IdKey, Profile } from '../store/ports.js';
import { buildLinks } from './bid-markup.js';
import { floorMicros, responseCurrency, toCurrencyMicros } from './currency.js';

export interface PrivacyVerdict {
  readonly personalData: boolean;
  readonly useIfa: boolean;
  readonly reason: string;
}

export interface LookupResult {
  readonly profile: Profile | undefined;
  readonly outcome: LookupOutcome;
}

export interface ProfileSource {
  lookup(ids: readonly IdKey[], deadlineMs: number): Promise<LookupResult>;
}

export interface BidPathDeps {
  readonly clock: Clock;
  readonly gate: PacingGate;
  readonly zones: TimeZoneTable;
  readonly instanceId: string;
  readonly privacy: (req: BidRequest) => PrivacyVerdict;
  readonly profiles: ProfileSource;
  readonly idKeys: (req: BidRequest, channelId: string, useIfa: boolean) => readonly IdKey[];
  readonly onLookup?: (outcome: LookupOutcome) => void;
  readonly onPrivacy?: (reason: string) => void;
}

/** A bid the auction chose, with what the notice path will need to settle it. */
export interface ChosenBid {
  readonly campaign: Campaign;
  readonly bid: Bid;
}

export type AuctionOutcome =
  | { readonly bid: true; readonly response: BidResponse; readonly chosen: readonly ChosenBid[] }
  | { readonly bid: false; readonly reason: NoBidReason };

/** Furthest stage reached, ordered: a later stage explains a no-bid better than an earlier one. */
const kStages: readonly NoBidReason[] = ['no_campaign', 'targeting', 'blocked', 'privacy', 'segments', 'frequency', 'no_creative', 'currency', 'below_floor', 'pacing', 'budget'];
const kStageRank = new Map(kStages.map((r, i) => [r, i]));

interface Candidate {
  readonly campaign: Campaign;
  readonly creative: Creative;
  readonly deal: Deal | null;
  readonly priceMicros: number;
}

export class BidPath {
  readonly #deps: BidPathDeps;
  #bidSeq = 0;

  constructor(deps: BidPathDeps) {
    this.#deps = deps;
  }

  run(req: BidRequest, snap: ConfigSnapshot, channel: Channel, deadlineMs: number): AuctionOutcome | Promise<AuctionOutcome> {
    const d = this.#deps;
    const now = d.clock.now();
    const bits = snap.index.requestBits(req, channel.id);
    const eligible: number[] = [];
    if (collect(bits, eligible) === 0) return { bid: false, reason: 'no_campaign' };
    let furthest: NoBidReason = 'targeting';
    let wantsProfile = false;
    const campaigns = snap.campaigns;
    for (let i = 0; i < eligible.length; i++) {
      const c = campaigns[eligible[i]!]!;
      const drop = checkRequest(c, req, now, d.zones.at(c.timezone, now).hourOfWeek);
      if (drop !== Drop.None) {
        if (drop === Drop.Blocked) furthest = later(furthest, 'blocked');
        bits[c.index >>> 5]! &= ~(1 << (c.index & 31));
        continue;
      }
      if (needsProfile(c)) wantsProfile = true;
    }
    if (collect(bits, eligible) === 0) return { bid: false, reason: furthest };

    if (!wantsProfile) return this.#auction(req, snap, channel, deadlineMs, eligible, undefined, furthest);
    const verdict = d.privacy(req);
    if (!verdict.personalData) {
      d.onPrivacy?.(verdict.reason);
      d.onLookup?.('no_consent');
      return this.#auction(req, snap, channel, deadlineMs, eligible, undefined, later(furthest, 'privacy'));
    }
    const ids = d.idKeys(req, channel.id, verdict.useIfa);
    if (ids.length === 0) {
      d.onLookup?.('no_ids');
      return this.#auction(req, snap, channel, deadlineMs, eligible, undefined, furthest);
    }
    return d.profiles.lookup(ids, deadlineMs).then((r) => {
      d.onLookup?.(r.outcome);
      if (d.clock.now() >= deadlineMs) return { bid: false, reason: 'deadline' } as const;
      return this.#auction(req, snap, channel, deadlineMs, eligible, r.profile, furthest);
    });
  }

  #auction(req: BidRequest, snap: ConfigSnapshot, channel: Channel, deadlineMs: number, eligible: number[], profile: Profile | undefined, furthestIn: NoBidReason): AuctionOutcome {
    const d = this.#deps;
    let furthest = furthestIn;
    const campaigns = snap.campaigns;
    // Profile checks once per campaign, not per imp.
    let kept = 0;
    for (let i = 0; i < eligible.length; i++) {
      const c = campaigns[eligible[i]!]!;
      const pc = checkProfile(c, profile);
      if (pc === ProfileCheck.Ok) eligible[kept++] = c.index;
      else furthest = later(furthest, pc === ProfileCheck.Segments ? 'segments' : 'frequency');
    }
    eligible.length = kept;
    if (kept === 0) return { bid: false, reason: furthest };

    const cur = responseCurrency(req.cur, snap.bidder.currency, snap.fx);
    if (cur === undefined) return { bid: false, reason: later(furthest, 'currency') };
    const stage = stageOf(profile);
    // The index's scratch bits may have been reused by another request during the lookup: rebuild them.
    const requestBits = snap.index.bitsOf(eligible);

    const bids: Bid[] = [];
    const chosen: ChosenBid[] = [];
    const now = d.clock.now();
    const key = snap.noticeKeys[0]!;
    const candidates: Candidate[] = [];
    for (const imp of req.imp) {
      const impBits = snap.index.impBits(requestBits, imp);
      candidates.length = 0;
      const impFloor = floorMicros(imp.bidfloor, imp.bidfloorcur, snap.fx);
      for (const i of eligible) {
        if (!hasBit(impBits, i)) continue;
        const c = campaigns[i]!;
        const deal = matchDeal(c, imp, channel.seat);
        if (deal === undefined) continue;
        const creative = matchCreative(c, imp, req, stage);
        if (creative === undefined) {
          furthest = later(furthest, 'no_creative');
          continue;
        }
        const floor = deal === null ? impFloor : floorMicros(deal.bidfloor, deal.bidfloorcur, snap.fx);
        if (floor === undefined) {
          furthest = later(furthest, 'currency');
          continue;
        }
        const price = priceFor(c.bid, floor);
        if (price === undefined) {
          furthest = later(furthest, 'below_floor');
          continue;
        }
        candidates.push({ campaign: c, creative, deal, priceMicros: price });
      }
      if (candidates.length === 0) continue;
      if (candidates.length > 1) candidates.sort(byPriceDesc);
      for (const cand of candidates) {
        const gate = d.gate.tryReserve(cand.campaign, channel.id, cand.priceMicros / 1000, now);
        if (gate !== 'ok') {
          furthest = later(furthest, gate);
          continue;
        }
        const bid = this.#makeBid(req, imp, snap, channel, cand, cur, key, now, profile);
        bids.push(bid);
        chosen.push({ campaign: cand.campaign, bid });
        break;
      }
    }
    if (bids.length === 0) return { bid: false, reason: furthest };
    if (d.clock.now() >= deadlineMs) return { bid: false, reason: 'deadline' };
    return { bid: true, response: { id: req.id, bidid: undefined, cur, seatbid: [{ seat: channel.seat, bid: bids }], nbr: undefined }, chosen };
  }

  #makeBid(req: BidRequest, imp: Imp, snap: ConfigSnapshot, channel: Channel, cand: Candidate, cur: string, key: ConfigSnapshot['noticeKeys'][number], now: number, profile: Profile | undefined): Bid {
    const { campaign: c, creative: cr, deal } = cand;
    const priceCur = toCurrencyMicros(cand.priceMicros, cur, snap.fx);
    const links = buildLinks(
      snap.bidder.publicUrl,
      {
        auctionId: req.id,
        impId: imp.id,
        campaignId: c.id,
        creativeId: cr.id,
        channelId: channel.id,
        bidCpmMicros: priceCur,
        bidCpmAccountMicros: cand.priceMicros,
        currency: cur,
        issuedAtMs: now,
        instanceId: this.#deps.instanceId,
        day: this.#deps.zones.at(c.timezone, now).day,
        personId: profile?.personId,
        dealId: deal?.id,
      },
      key,
      cr.markup,
    );
    return {
      id: `${this.#deps.instanceId}-${(++this.#bidSeq).toString(36)}`,
      impid: imp.id,
      price: priceCur / 1_000_000,
      adm: links.adm,
      nurl: links.nurl,
      burl: links.burl,
      lurl: links.lurl,
      adomain: c.adomain,
      cid: c.id,
      crid: cr.id,
      cat: cr.categories.length > 0 ? cr.categories : undefined,
      dealid: deal?.id,
      w: cr.format === 'native' ? undefined : cr.w,
      h: cr.format === 'native' ? undefined : cr.h,
      mtype: cr.mtype,
      exp: undefined,
    };
  }
}

function byPriceDesc(a: Candidate, b: Candidate): number {
  return b.priceMicros - a.priceMicros;
}

function later(a: NoBidReason, b: NoBidReason): NoBidReason {
  return (kStageRank.get(b) ?? 0) > (kStageRank.get(a) ?? 0) ? b : a;
}

const kStagePrefix = 'stage:';

/** The person's journey stage: their `stage:*` segment (awareness, consideration, decision, loyal). */
function stageOf(profile: Profile | undefined): string | undefined {
  if (profile === undefined) return undefined;
  for (const s of profile.segments) if (s.startsWith(kStagePrefix)) return s;
  return undefined;
}
