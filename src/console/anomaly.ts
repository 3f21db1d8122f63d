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
 * For the volume signals (spend rate, bid rate) and the clearing price, which follow the day's traffic, the
 * expected value is seasonal where history exists: the median, over the previous days (up to a week),
 * of the signal's mean in the same quarter hour of the day, shifted by the median of the last `window`
 * minutes' differences from it (today running 10% above last week moves the expectation, not an alert); the
 * band is then `k` scaled MADs of those differences, with the same floors. That follows a diurnal curve that a
 * rolling median lags behind at every ramp. With fewer than `minDays` previous days in that quarter hour (a new
 * campaign, a restarted instance: the profile lives in memory, about 4 KB per campaign × channel × signal) the
 * rolling median stands in. The ratios (win rate, CTR, conversion rate) keep the rolling baseline: they have
 * no daily shape to learn, and a seasonal expectation built from a few noisy quarter hours of sparse events
 * only adds noise (3 seeds of the fault scenario: 8 false alerts on clean days instead of 3).
 *
 * Pure and driven by the caller's minute timestamps, so it runs the same in virtual time. Every value joins
 * the baseline, alerting or not: the median shrugs off a short fault, and a lasting shift becomes the new
 * normal after about half a window instead of alerting forever.
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
  /** Previous days with a value in the same quarter hour before the seasonal baseline is used. */
  readonly minDays: number;
}

export const kDefaultAnomalyOptions: AnomalyOptions = {
  window: 60,
  minHistory: 15,
  k: 4,
  minRelativeBand: 0.25,
  raiseAfter: 3,
  clearAfter: 3,
  minDays: 2,
};

/** Signals with a daily shape, judged against the same quarter hour of previous days. */
const kSeasonal: ReadonlySet<Signal> = new Set<Signal>(['spend_rate', 'bid_rate', 'clearing_price']);
const kDayMs = 86_400_000;
const kSlotMs = 15 * 60_000;
const kSlots = kDayMs / kSlotMs;
/** Days of quarter-hour profile kept per series: today and the week before. */
const kProfileDays = 8;

/** One day of one series: the sum and count of its minute values per quarter hour (~0.5 KB). */
interface DayProfile {
  readonly day: number;
  readonly sum: Float32Array;
  readonly n: Uint8Array;
}

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
  /** value − seasonal expectation, for the minutes that had one (the last `window` of them). */
  readonly residuals: number[];
  /** Quarter-hour profiles, oldest first, today last. */
  readonly profiles: DayProfile[];
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
      s = {
        campaignId,
        channelId,
        signal,
        history: [],
        residuals: [],
        profiles: [],
        out: 0,
        back: 0,
        alerting: false,
        sinceMs: 0,
      };
      this.#series.set(key, s);
    }
    let event: AnomalyEvent | undefined;
    const seasonal = kSeasonal.has(signal) ? seasonalValue(s.profiles, minuteMs, this.#opts.minDays) : undefined;
    const useSeasonal = seasonal !== undefined && s.residuals.length >= this.#opts.minHistory;
    if (useSeasonal || s.history.length >= this.#opts.minHistory) {
      const b = useSeasonal
        ? seasonalBand(seasonal, s.residuals, this.#opts, trials)
        : band(s.history, this.#opts, trials);
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
    if (seasonal !== undefined) {
      s.residuals.push(value - seasonal);
      if (s.residuals.length > this.#opts.window) s.residuals.shift();
    }
    if (kSeasonal.has(signal)) addToProfile(s.profiles, minuteMs, value);
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

/**
 * The seasonal expectation and band: `seasonal` shifted by the residuals' median, `k` scaled MADs of the
 * residuals wide, with the rolling band's floors (relative width, counting noise of a proportion).
 */
function seasonalBand(
  seasonal: number,
  residuals: readonly number[],
  o: AnomalyOptions,
  trials?: number,
): { expected: number; low: number; high: number } {
  const shift = median(residuals);
  const expected = seasonal + shift;
  const mad = median(residuals.map((r) => Math.abs(r - shift)));
  const p = Math.min(1, Math.max(0, expected));
  const counting = trials !== undefined && trials > 0 ? o.k * Math.sqrt((p * (1 - p)) / trials) : 0;
  const half = Math.max(o.k * 1.4826 * mad, o.minRelativeBand * Math.abs(expected), counting);
  if (half === 0) return { expected, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  return { expected, low: expected - half, high: expected + half };
}

/** Median over the previous days' means in this quarter hour, when at least `minDays` have one. */
function seasonalValue(profiles: readonly DayProfile[], minuteMs: number, minDays: number): number | undefined {
  const day = Math.floor(minuteMs / kDayMs);
  const slot = Math.floor((minuteMs - day * kDayMs) / kSlotMs);
  const values: number[] = [];
  for (const p of profiles)
    if (p.day < day && p.day >= day - (kProfileDays - 1) && p.n[slot]! > 0) values.push(p.sum[slot]! / p.n[slot]!);
  return values.length >= minDays ? median(values) : undefined;
}

function addToProfile(profiles: DayProfile[], minuteMs: number, value: number): void {
  const day = Math.floor(minuteMs / kDayMs);
  let p = profiles.at(-1);
  if (p === undefined || p.day !== day) {
    profiles.push((p = { day, sum: new Float32Array(kSlots), n: new Uint8Array(kSlots) }));
    while (profiles.length > kProfileDays) profiles.shift();
  }
  const slot = Math.floor((minuteMs - day * kDayMs) / kSlotMs);
  p.sum[slot]! += value;
  p.n[slot]!++;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}
