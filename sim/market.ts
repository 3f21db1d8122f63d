/**
 * The synthetic market the simulator plays the bidder against: per-channel diurnal traffic with noise, a
 * lognormal distribution of the best competing bid (the clearing price), first- or second-price auctions,
 * and ground-truth click-through rates. Deterministic from a seed.
 */
import { prng } from './random.js';

export interface SimChannel {
  readonly id: string;
  /** Mean bid requests per simulated minute over the day (peak ≈ 1.6×, trough ≈ 0.4×). */
  readonly requestsPerMinute: number;
  /** ln of the median competing CPM, and its spread. */
  readonly clearingMu: number;
  readonly clearingSigma: number;
  readonly auctionType: 1 | 2;
  /** True click-through rate of an impression on this channel. */
  readonly ctr: number;
  /** Multiplies traffic between `fromMinute` and `toMinute` (e.g. 0.2 for an 80% traffic drop). */
  readonly step?: { readonly fromMinute: number; readonly toMinute: number; readonly factor: number };
}

export class Market {
  readonly #r: () => number;

  constructor(seed: number) {
    this.#r = prng(seed);
  }

  random(): number {
    return this.#r();
  }

  /** Requests on a channel in minute `m` of the day: the diurnal curve (trough at midnight) with ±10% noise. */
  requests(ch: SimChannel, minuteOfDay: number): number {
    const diurnal = 1 + 0.6 * Math.cos(2 * Math.PI * (minuteOfDay / 1440 + 0.5));
    const stepped =
      ch.step !== undefined && minuteOfDay >= ch.step.fromMinute && minuteOfDay < ch.step.toMinute ? ch.step.factor : 1;
    const noise = 0.9 + 0.2 * this.#r();
    return Math.round(ch.requestsPerMinute * diurnal * stepped * noise);
  }

  /** The best competing bid, CPM (Box-Muller over the seeded generator). */
  clearingCpm(ch: SimChannel): number {
    const z = Math.sqrt(-2 * Math.log(1 - this.#r())) * Math.cos(2 * Math.PI * this.#r());
    return Math.exp(ch.clearingMu + ch.clearingSigma * z);
  }

  /** Notice delay: most within seconds, some minutes late, a few never (undefined). */
  noticeDelayMs(): number | undefined {
    const u = this.#r();
    if (u < 0.01) return undefined;
    if (u < 0.06) return 60_000 + this.#r() * 540_000;
    return 200 + this.#r() * 4_800;
  }
}
