/**
 * Win, billing and loss notices and clicks: the only source of truth for spend. A notice is trusted only
 * through its signed token; the clearing price must be a real number, no higher than our bid on a win or
 * bill (a loss's price is the bid that beat us, so above ours). The channel's billable event debits the
 * campaign's budget for that channel and counts an impression against the person's frequency caps. A first
 * click is recorded under its click id (`click-id.ts`) for the attribution window, so conversions can find it.
 *
 * Exactly once: the billable notice's de-duplication IS its settlement (one atomic store step, see
 * `BudgetStore.settle`), so a settle that fails leaves no mark and the sender's retry bills. Notices that
 * move no money (a win or loss that is not the billable event, clicks) are de-duplicated by type and token.
 * A store failure answers 503 (`unavailable`) so the exchange retries, and is reported once per failure
 * through `onStoreError` (the app rate-limits the log), never as a 500 with a stack.
 */
import type { Clock } from '../clock.js';
import type { Channel, ConfigSnapshot } from '../config/snapshot.js';
import type { PacingGate } from '../pacing/gate.js';
import { kExploreSuffix, type ClickStore, type DedupStore, type ProfileStore, type Settled } from '../store/ports.js';
import { clickIdFor, withClickId } from './click-id.js';
import { verifyToken, type NoticeClaims } from '../tokens/token.js';

/** `imp`: the impression beacon in the markup of channels billed server to server (never billed). */
export type NoticeType = 'win' | 'bill' | 'loss' | 'click' | 'imp';

/**
 * What became of a notice (also the `outcome` label of `peregrine_notices_total`). `raised`: a notice settled
 * before came again at a higher price (the ledger keeps the highest); `unavailable`: the store failed, answered
 * 503 so the sender retries.
 */
export type NoticeOutcome =
  | 'ok'
  | 'duplicate'
  | 'raised'
  | 'bad_token'
  | 'expired'
  | 'bad_price'
  | 'unknown_campaign'
  | 'unavailable';

export interface NoticeQuery {
  readonly t: string | undefined;
  readonly p: string | undefined;
  readonly r: string | undefined;
}

export interface NoticeResult {
  readonly status: number;
  readonly outcome: NoticeOutcome;
  readonly channelId: string | undefined;
  /** For clicks: where to send the browser. */
  readonly location?: string;
}

export interface NoticeEvents {
  onNotice(type: NoticeType, channelId: string | undefined, outcome: NoticeOutcome): void;
  /**
   * Spend settled. `raised`: not a new impression but a higher price for one settled before (only the
   * difference is passed).
   */
  onSpend(claims: NoticeClaims, spentMicros: number, raised?: boolean): void;
  onLoss?(claims: NoticeClaims, lossCode: number | undefined, clearingCpmMicros: number | undefined): void;
  /** A win (the win notice, or the billable event when the channel sends no win notice). */
  onWin?(claims: NoticeClaims, clearingCpmMicros: number): void;
  onClick?(claims: NoticeClaims): void;
  /** Recording a click for attribution failed (the redirect still happens, with its click id). */
  onClickStoreError?(err: unknown): void;
  /** The store failed while de-duplicating or settling: the notice was answered 503 to be retried. */
  onStoreError?(err: unknown): void;
}

/** A price the exchange decrypts for us (per channel), see `price-crypto.ts`; plain numbers otherwise. */
export type PriceDecoder = (channelId: string, text: string) => number | undefined;

export interface NoticeDeps {
  readonly clock: Clock;
  readonly config: { readonly current: ConfigSnapshot };
  readonly gate: PacingGate;
  readonly dedup: DedupStore;
  readonly profiles: ProfileStore;
  /** Where first clicks are kept for conversion attribution; without it, landing URLs get no click id. */
  readonly clicks?: ClickStore;
  readonly events: NoticeEvents;
  readonly decodePrice?: PriceDecoder;
}

const kPlainPrice = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

export class NoticeHandler {
  readonly #d: NoticeDeps;

  constructor(deps: NoticeDeps) {
    this.#d = deps;
  }

  async handle(type: 'win' | 'bill' | 'loss', q: NoticeQuery): Promise<NoticeResult> {
    const d = this.#d;
    const snap = d.config.current;
    const now = d.clock.now();
    const v = q.t === undefined ? undefined : verifyToken(q.t, snap.noticeKeys, now, snap.bidder.notices.tokenTtl);
    if (v === undefined || !v.ok) return this.#done(type, undefined, v?.ok === false ? v.reason : 'bad_token', 403);
    const c = v.claims;
    // The markup's copy of the token (s2s billing): the page has it, so it may count an impression, never money.
    if (c.beacon === true) return this.#done(type, c.channelId, 'bad_token', 403);
    const channel = snap.channels.get(c.channelId);
    const priceMicros =
      type !== 'loss' && channel !== undefined && firstPricePrebidPixel(channel, q.p)
        ? c.bidCpmMicros
        : this.#price(c, q.p, channel?.priceKeys !== undefined, type !== 'loss');
    if (priceMicros === undefined && type !== 'loss') return this.#done(type, c.channelId, 'bad_price', 400);
    // A win or bill never clears above our bid; a loss's price is the one that beat us, so above it is normal.
    // Refused before any mark is written, so a page's out-of-range price cannot pre-empt the exchange's.
    if (priceMicros !== undefined && type !== 'loss' && priceMicros > c.bidCpmMicros)
      return this.#done(type, c.channelId, 'bad_price', 400);
    const billable = type !== 'loss' && (channel?.billableEvent ?? 'bill') === type;
    if (!billable) {
      // Moves no money: a mark first is safe (a failure after it loses a learning event, never spend).
      let first: boolean;
      try {
        first = await d.dedup.firstSeen(`${type}:${v.tokenId}`, snap.bidder.notices.dedupTtl, now);
      } catch (err) {
        return this.#unavailable(type, c.channelId, err);
      }
      if (!first) return this.#done(type, c.channelId, 'duplicate', 200);
      if (type === 'loss') d.events.onLoss?.(c, parseLossCode(q.r), priceMicros);
      else if (priceMicros !== undefined && (type === 'win' || channel?.winsImplied === true))
        d.events.onWin?.(c, priceMicros);
      return this.#done(type, c.channelId, 'ok', 200);
    }
    if (priceMicros === undefined) return this.#done(type, c.channelId, 'bad_price', 400); // (narrows the type)
    const campaign = snap.campaignsById.get(c.campaignId);
    // Clearing CPM in the bid currency → account micros per impression, at the bid's exchange rate.
    const spent = c.bidCpmMicros === 0 ? 0 : Math.round((priceMicros * c.bidCpmAccountMicros) / c.bidCpmMicros / 1000);
    const reserved = c.bidCpmAccountMicros / 1000;
    const key = {
      campaignId: c.campaignId,
      channelId: c.explore === true ? c.channelId + kExploreSuffix : c.channelId,
      day: c.day,
    };
    let settled: Settled;
    try {
      settled = await d.gate.settle(campaign, key, c.instanceId, v.tokenId, c.issuedAtMs, reserved, spent);
    } catch (err) {
      return this.#unavailable(type, c.channelId, err);
    }
    if (settled.outcome === 'duplicate') return this.#done(type, c.channelId, 'duplicate', 200);
    if (settled.outcome === 'raised') {
      d.events.onSpend(c, settled.addedMicros, true);
      return this.#done(type, c.channelId, 'raised', 200);
    }
    if (type === 'win' || channel?.winsImplied === true) d.events.onWin?.(c, priceMicros);
    d.events.onSpend(c, spent);
    if (c.personId !== undefined && campaign !== undefined && campaign.frequencyCaps.length > 0) {
      const windows = campaign.frequencyCaps.map((f) => ({
        campaignId: campaign.id,
        windowSeconds: f.windowSeconds,
      }));
      await d.profiles.recordImpression(c.personId, windows, now).catch(() => undefined);
    }
    return this.#done(type, c.channelId, 'ok', 200);
  }

  /** `GET /click?t=…`: 302 to the creative's landing page from config, never to a URL from the request. */
  async click(q: NoticeQuery): Promise<NoticeResult> {
    const d = this.#d;
    const snap = d.config.current;
    const now = d.clock.now();
    const v = q.t === undefined ? undefined : verifyToken(q.t, snap.noticeKeys, now, snap.bidder.notices.tokenTtl);
    if (v === undefined || !v.ok) return this.#done('click', undefined, v?.ok === false ? v.reason : 'bad_token', 403);
    const creative = snap.campaignsById.get(v.claims.campaignId)?.creatives.find((cr) => cr.id === v.claims.creativeId);
    if (creative === undefined) return this.#done('click', v.claims.channelId, 'unknown_campaign', 404);
    let first: boolean;
    try {
      first = await d.dedup.firstSeen(`click:${v.tokenId}`, snap.bidder.notices.dedupTtl, now);
    } catch (err) {
      // The person still lands (a browser does not retry a click); the click is not counted.
      d.events.onStoreError?.(err);
      first = false;
    }
    let location = creative.landingUrl;
    const key = d.clicks === undefined ? undefined : snap.noticeKeys.find((k) => q.t?.startsWith(`${k.id}.`) === true);
    if (d.clicks !== undefined && key !== undefined) {
      // The key that verified the token derives the id, so a repeated click gets the same id across key rotation.
      const clickId = clickIdFor(v.tokenId, key.secret);
      location = withClickId(location, clickId);
      if (first) {
        const c = v.claims;
        const advertiserId = snap.advertisers.byCampaign.get(c.campaignId) ?? '';
        const click = {
          campaignId: c.campaignId,
          channelId: c.channelId,
          advertiserId,
          personId: c.personId,
          auctionId: c.auctionId,
          impId: c.impId,
          atMs: now,
        };
        const ttlMs = snap.bidder.conversions.attributionWindow * 1000;
        await d.clicks.record(clickId, click, ttlMs, now).catch((err: unknown) => d.events.onClickStoreError?.(err));
      }
    }
    if (first) d.events.onClick?.(v.claims);
    const r = this.#done('click', v.claims.channelId, first ? 'ok' : 'duplicate', 302);
    return { ...r, location };
  }

  /**
   * `GET /notice/imp?t=…`: the impression beacon in the markup of a channel billed server to server. Counted
   * once per token (`imp` notices in metrics); it never moves money, whatever it carries.
   */
  async impression(q: NoticeQuery): Promise<NoticeResult> {
    const d = this.#d;
    const snap = d.config.current;
    const now = d.clock.now();
    const v = q.t === undefined ? undefined : verifyToken(q.t, snap.noticeKeys, now, snap.bidder.notices.tokenTtl);
    if (v === undefined || !v.ok) return this.#done('imp', undefined, v?.ok === false ? v.reason : 'bad_token', 403);
    let first: boolean;
    try {
      first = await d.dedup.firstSeen(`imp:${v.tokenId}`, snap.bidder.notices.dedupTtl, now);
    } catch (err) {
      return this.#unavailable('imp', v.claims.channelId, err);
    }
    return this.#done('imp', v.claims.channelId, first ? 'ok' : 'duplicate', 200);
  }

  /**
   * Clearing CPM in micros of the bid currency, or undefined when missing, malformed or negative. On a
   * channel with encrypted prices a plain number is refused (anyone can write one); for a win or bill, a
   * plain price below the token's floor is refused (the page firing the billing URL, see price-range.ts).
   */
  #price(c: NoticeClaims, text: string | undefined, encrypted: boolean, billing: boolean): number | undefined {
    if (text === undefined || text === '' || text.includes('AUCTION_PRICE')) return undefined;
    if (kPlainPrice.test(text)) {
      if (encrypted) return undefined;
      const v = Number(text);
      if (!Number.isFinite(v)) return undefined;
      const micros = Math.round(v * 1_000_000);
      return billing && c.floorCpmMicros !== undefined && micros < c.floorCpmMicros ? undefined : micros;
    }
    return this.#d.decodePrice?.(c.channelId, text);
  }

  #unavailable(type: NoticeType, channelId: string, err: unknown): NoticeResult {
    this.#d.events.onStoreError?.(err);
    return this.#done(type, channelId, 'unavailable', 503);
  }

  #done(type: NoticeType, channelId: string | undefined, outcome: NoticeOutcome, status: number): NoticeResult {
    this.#d.events.onNotice(type, channelId, outcome);
    return { status, outcome, channelId };
  }
}

/**
 * A creative's own billing pixel on a first-price Prebid channel, fired with `${AUCTION_PRICE}` left as is:
 * Prebid.js fills the macro in `burl` and, depending on how the page renders (Prebid's `renderAd` does, a
 * creative rendered through an ad server often does not), in the markup. In a first-price auction the price
 * is our bid, so the pixel bills at the bid (a duplicate when Prebid's `burl` came first) instead of a 400.
 * The page could already fire the URL with `p=<bid>` (docs/notice-prices.md), so this opens nothing new.
 */
function firstPricePrebidPixel(channel: Channel, p: string | undefined): boolean {
  return (
    channel.dialect === 'prebid' && channel.auctionType === 1 && channel.priceKeys === undefined && p === kPriceMacro
  );
}

const kPriceMacro = '${AUCTION_PRICE}';

function parseLossCode(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,4}$/.test(text)) return undefined;
  return Number(text);
}
