/**
 * The bid path for one decoded request:
 *
 *   currency ─▶ index (request bits) ─▶ per imp: scan in price-bound order (imp-scan.ts)
 *                                         │ campaigns needing the user's profile set aside
 *                                         ▼
 *             privacy ─▶ one profile lookup (only when set-aside campaigns exist) ─▶ evaluate them
 *                                         ▼
 *             per imp: best candidate that the pacing gate lets reserve ─▶ bid with signed links
 *
 * It returns synchronously when no lookup is needed and a promise otherwise, so the common path never
 * awaits what it does not need. A no-bid is a value (`{ bid: false, reason }`), never an exception; the
 * reason is the furthest stage any campaign reached, which is what a buyer wants to know.
 */
import { isEmpty } from '../campaigns/bitset.js';
import { RequestMemo } from '../campaigns/select.js';
import type { TargetingIndex } from '../campaigns/targeting-index.js';
import type { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Clock } from '../clock.js';
import type { Channel, ConfigSnapshot } from '../config/snapshot.js';
import type { Bid, BidRequest, BidResponse, Imp } from '../openrtb/types.js';
import type { PacingGate } from '../pacing/gate.js';
import type { LookupOutcome } from '../segments/profile-lookup.js';
import type { IdKey, Profile } from '../store/ports.js';
import { tokenFloorMicros } from '../tokens/price-range.js';
import { buildLinks } from './bid-markup.js';
import { floorMicros, responseCurrency, toCurrencyMicros } from './currency.js';
import type { NoBidReason } from './nbr.js';
import {
  ScoreStatus,
  type BidExplanation,
  type NoScoreReason,
  type ScoreBatch,
  type ScoreOutcome,
  type ScoringService,
} from '../scoring/index.js';
import {
  evaluate,
  noteReason,
  ProfileState,
  scanImp,
  type Candidate,
  type ImpSlots,
  type ProfileResolver,
  type ScanContext,
} from './imp-scan.js';

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
  /** `channelId` lets the source count a person seen through several channels (duplicate reach). */
  lookup(ids: readonly IdKey[], deadlineMs: number, channelId?: string): Promise<LookupResult>;
}

export interface BidPathDeps {
  readonly clock: Clock;
  readonly gate: PacingGate;
  readonly zones: TimeZoneTable;
  readonly instanceId: string;
  readonly privacy: (req: BidRequest) => PrivacyVerdict;
  readonly profiles: ProfileSource;
  readonly idKeys: (req: BidRequest, channelId: string, useIfa: boolean) => readonly IdKey[];
  readonly onLookup?: (outcome: LookupOutcome, profile?: Profile) => void;
  readonly onPrivacy?: (reason: string) => void;
  /** Prices every candidate (models, strategies, multipliers, shading, experiments). */
  readonly scoring: ScoringService;
  readonly onNoScore?: (reason: NoScoreReason) => void;
}

/** A bid the auction chose, with the campaign behind it. */
export interface ChosenBid {
  readonly campaign: ConfigSnapshot['campaigns'][number];
  readonly bid: Bid;
}

export type AuctionOutcome =
  | {
      readonly bid: true;
      readonly response: BidResponse;
      readonly chosen: readonly ChosenBid[];
      readonly explanations?: readonly BidExplanation[];
    }
  | { readonly bid: false; readonly reason: NoBidReason; readonly explanations?: readonly BidExplanation[] };

interface RequestState {
  readonly ctx: ScanContext;
  readonly cur: string;
  readonly deadlineMs: number;
  readonly perImp: ImpSlots[];
  /** Pairs (imp index, campaign index) set aside for the profile. */
  readonly pending: number[];
  /** Replay with explanations: scored candidates are explained and nothing is reserved. */
  readonly debug: boolean;
}

const kNoIds: readonly IdKey[] = Object.freeze([]);

export class BidPath implements ProfileResolver {
  readonly #deps: BidPathDeps;
  readonly #memos = new WeakMap<TargetingIndex, RequestMemo>();
  #bidSeq = 0;

  constructor(deps: BidPathDeps) {
    this.#deps = deps;
  }

  /**
   * `req` is plain OpenRTB: a dialect's placements are already in `imp.tagid` (see `dialects/`). `debug` (the
   * ops port's replay endpoint only): explain every scored candidate and reserve no budget.
   */
  run(
    req: BidRequest,
    snap: ConfigSnapshot,
    channel: Channel,
    deadlineMs: number,
    debug = false,
  ): AuctionOutcome | Promise<AuctionOutcome> {
    const d = this.#deps;
    if (!debug) d.gate.sawRequest(channel.id, d.clock.now());
    const index = snap.index;
    const reqBits = index.requestBits(req, channel.id);
    if (isEmpty(reqBits)) return { bid: false, reason: 'no_campaign' };
    const cur = responseCurrency(req.cur, snap.bidder.currency, snap.fx);
    if (cur === undefined) return { bid: false, reason: 'currency' };
    let memo = this.#memos.get(index);
    if (memo === undefined) {
      memo = new RequestMemo(index.campaigns.length);
      this.#memos.set(index, memo);
    }
    memo.begin();
    const ctx: ScanContext = {
      req,
      snap,
      channel,
      nowMs: d.clock.now(),
      zones: d.zones,
      gate: d.gate,
      memo,
      profileState: ProfileState.Untouched,
      profile: undefined,
      stage: undefined,
      furthest: 'no_campaign',
      ids: kNoIds,
      resolver: this,
    };
    const state: RequestState = { ctx, cur, deadlineMs, perImp: [], pending: [], debug };
    for (let k = 0; k < req.imp.length; k++) {
      const out: ImpSlots = { candidates: [], explore: undefined, fullSpeed: 0 };
      state.perImp.push(out);
      scanImp(ctx, req.imp[k]!, k, index.impBits(reqBits, req.imp[k]!), out, state.pending);
    }
    if (state.pending.length === 0) return this.#finish(state);
    return d.profiles.lookup(ctx.ids, deadlineMs, channel.id).then((r): AuctionOutcome | Promise<AuctionOutcome> => {
      d.onLookup?.(r.outcome, r.profile);
      if (d.clock.now() >= deadlineMs) return { bid: false, reason: 'deadline' };
      this.#evaluatePending(state, r.profile);
      return this.#finish(state);
    });
  }

  /** The first profile-needing campaign: may we look the user up at all, and by which ids? */
  resolveProfileState(ctx: ScanContext): void {
    const d = this.#deps;
    const verdict = d.privacy(ctx.req);
    if (!verdict.personalData) {
      d.onPrivacy?.(verdict.reason);
      d.onLookup?.('no_consent');
      noteReason(ctx, 'privacy');
      ctx.profileState = ProfileState.Known;
      return;
    }
    ctx.ids = d.idKeys(ctx.req, ctx.channel.id, verdict.useIfa);
    if (ctx.ids.length === 0) {
      d.onLookup?.('no_ids');
      ctx.profileState = ProfileState.Known;
      return;
    }
    ctx.profileState = ProfileState.Pending;
  }

  #evaluatePending(state: RequestState, profile: Profile | undefined): void {
    const { ctx, pending } = state;
    ctx.profile = profile;
    ctx.stage = stageOf(profile);
    ctx.profileState = ProfileState.Known;
    ctx.nowMs = this.#deps.clock.now();
    const campaigns = ctx.snap.campaigns;
    for (let i = 0; i < pending.length; i += 2) {
      const imp = ctx.req.imp[pending[i]!]!;
      evaluate(
        ctx,
        campaigns[pending[i + 1]!]!,
        imp,
        floorMicros(imp.bidfloor, imp.bidfloorcur, ctx.snap.fx),
        state.perImp[pending[i]!]!,
      );
    }
  }

  /**
   * Scores every collected candidate in one batch (inline or in the worker pool, never past the deadline),
   * then per imp takes the best-priced candidate the pacing gate lets reserve.
   */
  #finish(state: RequestState): AuctionOutcome | Promise<AuctionOutcome> {
    const d = this.#deps;
    const { ctx } = state;
    let any = false;
    for (const slots of state.perImp) if (slots.candidates.length > 0 || slots.explore !== undefined) any = true;
    if (!any) return { bid: false, reason: ctx.furthest };
    const batch = d.scoring.begin({
      req: ctx.req,
      channelId: ctx.channel.id,
      nowMs: ctx.nowMs,
      profile: ctx.profile,
      stage: ctx.stage,
      debug: state.debug,
    });
    const added: Candidate[] = [];
    for (let k = 0; k < state.perImp.length; k++) {
      const imp = ctx.req.imp[k]!;
      const slots = state.perImp[k]!;
      const n = slots.candidates.length;
      for (let j = 0; j <= n; j++) {
        const cand = j < n ? slots.candidates[j]! : slots.explore;
        if (cand === undefined) break;
        batch.add({
          impIndex: k,
          placement: imp.tagid,
          campaign: cand.campaign.scoring,
          creative: cand.creative,
          floorMicros: cand.floorMicros,
          firstPrice: (cand.deal?.at ?? ctx.req.at) === 1,
          hourOfWeek: d.zones.at(cand.campaign.timezone, ctx.nowMs).hourOfWeek,
          pacingMultiplier: cand.pacing,
        });
        added.push(cand);
      }
    }
    const outcome = d.scoring.run(batch, state.deadlineMs);
    if (outcome instanceof Promise) return outcome.then((o) => this.#choose(state, batch, added, o));
    return this.#choose(state, batch, added, outcome);
  }

  #choose(state: RequestState, batch: ScoreBatch, added: readonly Candidate[], outcome: ScoreOutcome): AuctionOutcome {
    const d = this.#deps;
    const { ctx, cur } = state;
    try {
      if (!outcome.ok) {
        d.onNoScore?.(outcome.reason);
        return { bid: false, reason: outcome.reason === 'deadline' ? 'deadline' : 'scoring' };
      }
      const bids: Bid[] = [];
      const chosen: ChosenBid[] = [];
      const explanations = state.debug ? explain(batch, added.length) : undefined;
      // Per imp: indices into `added` of scored candidates, best price first.
      const order: number[] = [];
      for (let k = 0; k < state.perImp.length; k++) {
        order.length = 0;
        for (let i = 0; i < added.length; i++) {
          if (batch.impIndex(i) !== k) continue;
          const status = batch.status(i);
          if (status === ScoreStatus.Ok) order.push(i);
          else
            noteReason(
              ctx,
              status === ScoreStatus.BelowFloor
                ? 'below_floor'
                : status === ScoreStatus.Holdout
                  ? 'holdout'
                  : 'scoring',
            );
        }
        // Campaigns their controller lets bid in full (behind their curve, or asap) first, then by price; the
        // exploration candidate is ranked by price among the rest. Why: by price alone, a low-bidding campaign
        // that is behind never wins our own internal auction while higher bidders are merely being held to
        // their curves — after a budget raise it missed its day (sim/RESULTS.md, budget raised at noon).
        rank(order, added, batch);
        for (const i of order) {
          const cand = added[i]!;
          const price = batch.priceMicros(i);
          const gate = cand.explore
            ? state.debug
              ? d.gate.checkExplore(cand.campaign, ctx.channel.id, price / 1000, ctx.nowMs)
              : d.gate.tryReserveExplore(cand.campaign, ctx.channel.id, price / 1000, ctx.nowMs)
            : state.debug
              ? d.gate.check(cand.campaign, ctx.channel.id, price / 1000, ctx.nowMs)
              : d.gate.tryReserve(cand.campaign, ctx.channel.id, price / 1000, ctx.nowMs);
          if (gate !== 'ok') {
            noteReason(ctx, gate);
            continue;
          }
          const bid = this.#makeBid(ctx, ctx.req.imp[k]!, cand, price, cur, batch.expectedActions(i));
          if (!state.debug) d.scoring.recordBid(batch, i, ctx.req.id, bid.impid, bid.id);
          bids.push(bid);
          chosen.push({ campaign: cand.campaign, bid });
          break;
        }
      }
      if (bids.length === 0) return { bid: false, reason: ctx.furthest, explanations };
      if (d.clock.now() >= state.deadlineMs) return { bid: false, reason: 'deadline', explanations };
      return {
        bid: true,
        response: {
          id: ctx.req.id,
          bidid: undefined,
          cur,
          seatbid: [{ seat: ctx.channel.seat, bid: bids }],
          nbr: undefined,
        },
        chosen,
        explanations,
      };
    } finally {
      d.scoring.release(batch);
    }
  }

  #makeBid(
    ctx: ScanContext,
    imp: Imp,
    cand: Candidate,
    priceMicros: number,
    cur: string,
    expected: number | undefined,
  ): Bid {
    const { campaign: c, creative: cr, deal } = cand;
    const snap = ctx.snap;
    const priceCur = toCurrencyMicros(priceMicros, cur, snap.fx);
    const ch = ctx.channel;
    // Only a plain price the page can see needs a floor: encrypted prices and s2s notices come from the exchange.
    const floorCpmMicros =
      ch.priceKeys === undefined && ch.notices.billing === 'markup'
        ? tokenFloorMicros({
            minPrice: ch.notices.minPrice,
            firstPrice: (deal?.at ?? ctx.req.at) === 1,
            bidMicros: priceCur,
            floorMicros: toCurrencyMicros(cand.floorMicros, cur, snap.fx),
            sameCurrency: (deal?.bidfloorcur ?? imp.bidfloorcur) === cur,
          })
        : 0;
    const links = buildLinks(
      snap.publicUrl,
      {
        auctionId: ctx.req.id,
        impId: imp.id,
        campaignId: c.id,
        creativeId: cr.id,
        channelId: ctx.channel.id,
        bidCpmMicros: priceCur,
        bidCpmAccountMicros: priceMicros,
        currency: cur,
        issuedAtMs: ctx.nowMs,
        instanceId: this.#deps.instanceId,
        day: this.#deps.zones.at(c.timezone, ctx.nowMs).day,
        personId: ctx.profile?.personId,
        dealId: deal?.id,
        explore: cand.explore,
        ...(expected === undefined ? {} : { expected }),
        ...(floorCpmMicros > 0 ? { floorCpmMicros } : {}),
      },
      snap.noticeKeys[0]!,
      cr.markup,
      cr.markupJson,
      ch.notices.billing === 's2s',
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
      admJson: snap.publicUrlSafe ? links.admJson : undefined,
      urlsSafe: snap.publicUrlSafe,
    };
  }
}

function fullSpeed(c: Candidate): boolean {
  return !c.explore && c.pacing >= 1;
}

/**
 * Sorts `order` (indices into `added`): full-speed candidates first, then by price, highest first; ties keep
 * their order. A stable insertion sort, so the same order `Array.prototype.sort` gives with that comparator:
 * for the handful of candidates of one imp it does without the sort's work array and comparator closure,
 * allocated on every request.
 */
function rank(order: number[], added: readonly Candidate[], batch: ScoreBatch): void {
  for (let i = 1; i < order.length; i++) {
    const x = order[i]!;
    const fx = fullSpeed(added[x]!);
    const px = batch.priceMicros(x);
    let j = i - 1;
    for (; j >= 0; j--) {
      const y = order[j]!;
      const fy = fullSpeed(added[y]!);
      // x goes before y: full speed ahead of held back, else a strictly higher price.
      if (!((fx && !fy) || (fx === fy && px > batch.priceMicros(y)))) break;
      order[j + 1] = y;
    }
    order[j + 1] = x;
  }
}

function explain(batch: ScoreBatch, n: number): BidExplanation[] {
  const out: BidExplanation[] = [];
  for (let i = 0; i < n; i++) {
    const e = batch.explain(i);
    if (e !== undefined) out.push(e);
  }
  return out;
}

const kStagePrefix = 'stage:';

/** The person's journey stage: their `stage:*` segment (awareness, consideration, decision, loyal). */
function stageOf(profile: Profile | undefined): string | undefined {
  if (profile === undefined) return undefined;
  for (const s of profile.segments) if (s.startsWith(kStagePrefix)) return s;
  return undefined;
}
