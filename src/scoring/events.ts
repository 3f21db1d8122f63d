/**
 * The learning loop's events and the sink they go to. Bids are logged sampled (with the features they were
 * scored on); wins, losses, clicks and conversions always, keyed by auction id + imp id so the trainer can
 * join them to the sampled bids. Sampling is by a hash of the auction id, so a sampled bid's notices are
 * never missing for lack of a coin flip elsewhere.
 *
 * `EventSink.append` is synchronous, never throws and never blocks: implementations buffer and write
 * asynchronously, dropping (and counting) when their buffer is full. Implementations: `RotatingJsonlSink`
 * (files), a Redis Stream one by the store owner, `kNoopSink`.
 */
import type { FeatureRecord } from './features.js';
import { murmur3, toUnit } from './hash.js';

interface EventBase {
  /** Epoch ms. */
  readonly ts: number;
  readonly auction: string;
  readonly imp: string;
  readonly campaign: string;
}

export interface BidEvent extends EventBase {
  readonly t: 'bid';
  readonly bid: string;
  readonly creative: string;
  readonly channel: string;
  readonly priceMicros: number;
  readonly valueMicros: number;
  readonly pctr?: number;
  readonly pcvr?: number;
  /** `experimentId/armId` keys. */
  readonly arms?: readonly string[];
  readonly f: FeatureRecord;
}

export interface WinEvent extends EventBase {
  readonly t: 'win';
  readonly channel: string;
  readonly bidMicros: number;
  /** Clearing (charged) price, CPM micros. */
  readonly priceMicros: number;
  readonly minToWinMicros?: number;
}

export interface LossEvent extends EventBase {
  readonly t: 'loss';
  readonly channel: string;
  readonly bidMicros: number;
  readonly minToWinMicros?: number;
}

export interface ClickEvent extends EventBase {
  readonly t: 'click';
}

export interface ConversionEvent extends EventBase {
  readonly t: 'conv';
  readonly valueMicros?: number;
}

export type ScoringEvent = BidEvent | WinEvent | LossEvent | ClickEvent | ConversionEvent;

export interface SinkStats {
  written: number;
  dropped: number;
  errors: number;
}

export interface EventSink {
  append(e: ScoringEvent): void;
  /** Resolves once everything appended so far is written (or dropped). */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly stats: SinkStats;
}

export const kNoopSink: EventSink = Object.freeze({
  append: () => {},
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  stats: Object.freeze({ written: 0, dropped: 0, errors: 0 }),
});

/** Whether a bid in this auction is logged at `rate` (deterministic per auction id). */
export function sampledAuction(auctionId: string, rate: number): boolean {
  return rate >= 1 || (rate > 0 && toUnit(murmur3(auctionId, 0x10c)) < rate);
}
