/**
 * Minute-level anomaly detection per campaign × channel × signal (spend rate, bid rate, win rate, clearing
 * price, CTR, conversion rate). Each minute's value is compared with a robust running baseline: the median
 * of the last `window` minutes, with a band of `k` scaled median absolute deviations (never narrower than
 * `minRelativeBand` of the median, so a perfectly flat series does not alert on noise, nor narrower than `k`
 * binomial standard errors for a proportion measured over `trials` events: windows that overlap minute to
 * minute move slowly, so their MAD understates how much chance alone moves them). A signal outside its
 * band for `raiseAfter` consecutive minutes raises an alert; `clearAfter` consecutive minutes back inside
 * clear it. Minutes without a value (no bids to divide by) neither raise nor clear.
 *
 * Pure and driven by the caller's minute timestamps, so it runs the same in virtual time. Every value joins
 * the baseline, alerting or not: the median shrugs off a short fault, and a lasting shift becomes the new
 * normal after about half a window instead of alerting forever. Same-minute-of-previous-days baselines
 * (the first choice) are not built: the rolling baseline is the fallback the issue allows.
 */

export const kSignals = ['spend_rate', 'bid_rate', 'win_rate', 'clearing_price', 'ctr', 'conversion_rate'] as const;
export type Signal = (typeof kSignals)[number];

export interface AnomalyOptions {
  /** Minutes of history in the baseline. */
  readonly window: number;
  /** Minutes of history before a series may alert at all. */
  readonly minHistory: number;
  /** Band half-width in scaled MADs (1.4826 × MAD ≈ one standard deviation for normal data). */
  readonly k: number;
  /** Band half-width at least this fraction of the median. */
  readonly minRelativeBand: number;
  readonly raiseAfter: number;
  readonly clearAfter: number;
}

export const kDefaultAnomalyOptions: AnomalyOptions = {
  window: 60,
  minHistory: 15,
  k: 4,
  minRelativeBand: 0.25,
  raiseAfter: 3,
  clearAfter: 3,
};

export interface AnomalyEvent {
  readonly kind: 'raised' | 'cleared';
  readonly campaignId: string;
  readonly channelId: string;
  readonly signal: Signal;
  readonly atMs: number;
  readonly value: number;
  readonly expected: number;
  readonly low: number;
  readonly high: number;
}

interface Series {
  readonly campaignId: string;
  readonly channelId: string;
  readonly signal: Signal;
  readonly history: number[];
  out: number;
  back: number;
  alerting: boolean;
  sinceMs: number;
}

export interface ActiveAlert {
  readonly campaignId: string;
  readonly channelId: string;
  readonly signal: Signal;
  readonly sinceMs: number;
}

export class AnomalyDetector {
  readonly #opts: AnomalyOptions;
  readonly #series = new Map<string, Series>();
  readonly #feed: AnomalyEvent[] = [];
  readonly #feedSize: number;

  constructor(opts: Partial<AnomalyOptions> = {}, feedSize = 200) {
    this.#opts = { ...kDefaultAnomalyOptions, ...opts };
    this.#feedSize = feedSize;
  }

  /** One minute's value of one signal; returns the alert raised or cleared by it, if any. */
  observe(
    campaignId: string,
    channelId: string,
    signal: Signal,
    minuteMs: number,
    value: number | undefined,
    trials?: number,
  ): AnomalyEvent | undefined {
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const key = `${campaignId}\u0000${channelId}\u0000${signal}`;
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { campaignId, channelId, signal, history: [], out: 0, back: 0, alerting: false, sinceMs: 0 };
      this.#series.set(key, s);
    }
    let event: AnomalyEvent | undefined;
    if (s.history.length >= this.#opts.minHistory) {
      const b = band(s.history, this.#opts, trials);
      const outside = value < b.low || value > b.high;
      if (outside) {
        s.out++;
        s.back = 0;
      } else {
        s.back++;
        s.out = 0;
      }
      const base = { campaignId, channelId, signal, atMs: minuteMs, value, ...b };
      if (!s.alerting && s.out >= this.#opts.raiseAfter) {
        s.alerting = true;
        s.sinceMs = minuteMs;
        event = { kind: 'raised', ...base };
      } else if (s.alerting && s.back >= this.#opts.clearAfter) {
        s.alerting = false;
        event = { kind: 'cleared', ...base };
      }
    }
    s.history.push(value);
    if (s.history.length > this.#opts.window) s.history.shift();
    if (event !== undefined) {
      this.#feed.push(event);
      if (this.#feed.length > this.#feedSize) this.#feed.shift();
    }
    return event;
  }

  /** Alerts in force now. */
  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const s of this.#series.values())
      if (s.alerting)
        out.push({ campaignId: s.campaignId, channelId: s.channelId, signal: s.signal, sinceMs: s.sinceMs });
    return out;
  }

  /** Raised and cleared alerts, newest last. */
  feed(): readonly AnomalyEvent[] {
    return this.#feed;
  }

  /** Every series seen, 1 while alerting (the `peregrine_anomaly` gauge). */
  *gauges(): Generator<{ campaignId: string; channelId: string; signal: Signal; value: number }> {
    for (const s of this.#series.values())
      yield { campaignId: s.campaignId, channelId: s.channelId, signal: s.signal, value: s.alerting ? 1 : 0 };
  }

  /** Forgets campaigns no longer configured. */
  retain(campaignIds: ReadonlySet<string>): void {
    for (const [k, s] of this.#series) if (!campaignIds.has(s.campaignId)) this.#series.delete(k);
  }
}

/** The expected value and band for the next minute, from the history. */
export function band(
  history: readonly number[],
  o: AnomalyOptions,
  trials?: number,
): { expected: number; low: number; high: number } {
  const m = median(history);
  const mad = median(history.map((v) => Math.abs(v - m)));
  const p = Math.min(1, Math.max(0, m));
  const counting = trials !== undefined && trials > 0 ? o.k * Math.sqrt((p * (1 - p)) / trials) : 0;
  const half = Math.max(o.k * 1.4826 * mad, o.minRelativeBand * Math.abs(m), counting);
  // A series that has been exactly zero (no clicks yet) has no width at all: any positive value is news, but
  // not an anomaly worth paging for; only a non-zero baseline can be left.
  if (half === 0) return { expected: m, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  return { expected: m, low: m - half, high: m + half };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}
