/**
 * Win, billing and loss notices and clicks: the only source of truth for spend. A notice is trusted only
 * through its signed token; the clearing price must be a real number, no higher than our bid on a win or
 * bill (a loss's price is the bid that beat us, so above ours); each notice
 * counts once (de-duplicated by type and token). The channel's billable event debits the campaign's
 * budget for that channel and counts an impression against the person's frequency caps. A first click is
 * recorded under its click id (`click-id.ts`) for the attribution window, so conversions can find it.
 */
import type { Clock } from '../clock.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { PacingGate } from '../pacing/gate.js';
import { kExploreSuffix, type ClickStore, type DedupStore, type ProfileStore } from '../store/ports.js';
import { clickIdFor, withClickId } from './click-id.js';
import { verifyToken, type NoticeClaims } from '../tokens/token.js';

export type NoticeType = 'win' | 'bill' | 'loss' | 'click';

/** What became of a notice (also the `outcome` label of `peregrine_notices_total`). */
export type NoticeOutcome = 'ok' | 'duplicate' | 'bad_token' | 'expired' | 'bad_price' | 'unknown_campaign';

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
  onSpend(claims: NoticeClaims, spentMicros: number): void;
  onLoss?(claims: NoticeClaims, lossCode: number | undefined, clearingCpmMicros: number | undefined): void;
  /** A win (the win notice, or the billable event when the channel sends no win notice). */
  onWin?(claims: NoticeClaims, clearingCpmMicros: number): void;
  onClick?(claims: NoticeClaims): void;
  /** Recording a click for attribution failed (the redirect still happens, with its click id). */
  onClickStoreError?(err: unknown): void;
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

  async handle(type: Exclude<NoticeType, 'click'>, q: NoticeQuery): Promise<NoticeResult> {
    const d = this.#d;
    const snap = d.config.current;
    const now = d.clock.now();
    const v = q.t === undefined ? undefined : verifyToken(q.t, snap.noticeKeys, now, snap.bidder.notices.tokenTtl);
    if (v === undefined || !v.ok) return this.#done(type, undefined, v?.ok === false ? v.reason : 'bad_token', 403);
    const c = v.claims;
    const priceMicros = this.#price(c, q.p);
    if (priceMicros === undefined && type !== 'loss') return this.#done(type, c.channelId, 'bad_price', 400);
    // A win or bill never clears above our bid; a loss's price is the one that beat us, so above it is normal.
    if (priceMicros !== undefined && type !== 'loss' && priceMicros > c.bidCpmMicros)
      return this.#done(type, c.channelId, 'bad_price', 400);
    if (!(await d.dedup.firstSeen(`${type}:${v.tokenId}`, snap.bidder.notices.dedupTtl, now)))
      return this.#done(type, c.channelId, 'duplicate', 200);

    if (type === 'loss') {
      d.events.onLoss?.(c, parseLossCode(q.r), priceMicros);
      return this.#done(type, c.channelId, 'ok', 200);
    }
    const channel = snap.channels.get(c.channelId);
    if (priceMicros !== undefined && (type === 'win' || channel?.winsImplied === true))
      d.events.onWin?.(c, priceMicros);
    const billable = (channel?.billableEvent ?? 'bill') === type;
    if (billable && priceMicros !== undefined) {
      const campaign = snap.campaignsById.get(c.campaignId);
      // Clearing CPM in the bid currency → account micros per impression, at the bid's exchange rate.
      const spent =
        c.bidCpmMicros === 0 ? 0 : Math.round((priceMicros * c.bidCpmAccountMicros) / c.bidCpmMicros / 1000);
      const reserved = c.bidCpmAccountMicros / 1000;
      const key = {
        campaignId: c.campaignId,
        channelId: c.explore === true ? c.channelId + kExploreSuffix : c.channelId,
        day: c.day,
      };
      const fresh = await d.gate.settle(campaign, key, c.instanceId, v.tokenId, c.issuedAtMs, reserved, spent);
      if (!fresh) return this.#done(type, c.channelId, 'duplicate', 200);
      d.events.onSpend(c, spent);
      if (c.personId !== undefined && campaign !== undefined && campaign.frequencyCaps.length > 0) {
        const windows = campaign.frequencyCaps.map((f) => ({
          campaignId: campaign.id,
          windowSeconds: f.windowSeconds,
        }));
        await d.profiles.recordImpression(c.personId, windows, now).catch(() => undefined);
      }
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
    const first = await d.dedup.firstSeen(`click:${v.tokenId}`, snap.bidder.notices.dedupTtl, now);
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

  /** Clearing CPM in micros of the bid currency, or undefined when missing, malformed or negative. */
  #price(c: NoticeClaims, text: string | undefined): number | undefined {
    if (text === undefined || text === '' || text.includes('AUCTION_PRICE')) return undefined;
    if (kPlainPrice.test(text)) {
      const v = Number(text);
      return Number.isFinite(v) ? Math.round(v * 1_000_000) : undefined;
    }
    return this.#d.decodePrice?.(c.channelId, text);
  }

  #done(type: NoticeType, channelId: string | undefined, outcome: NoticeOutcome, status: number): NoticeResult {
    this.#d.events.onNotice(type, channelId, outcome);
    return { status, outcome, channelId };
  }
}

function parseLossCode(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,4}$/.test(text)) return undefined;
  return Number(text);
}
