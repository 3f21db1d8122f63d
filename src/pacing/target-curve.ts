/**
 * Target spend curves: the fraction of a day's budget that should be spent by a point of the campaign's
 * local day. `even` is linear; `traffic` follows each channel's forecast traffic (spend where the
 * impressions are, rather than starving at night and overpaying at noon); `asap` has no curve (1 from the
 * start: the budget is the only limit).
 *
 * The forecast is requests per UTC hour of day per channel, learned from the bid requests actually seen:
 * each finished UTC day is folded into the forecast with weight `learnRate` (the first finished day
 * replaces the flat prior). Until a day has been seen, the traffic curve is linear.
 */

const kHourMs = 3_600_000;

export type PacingMode = 'even' | 'asap' | 'traffic';

export class TrafficForecast {
  readonly #learnRate: number;
  /** channel → requests per UTC hour (forecast), undefined until one day has been observed. */
  readonly #forecast = new Map<string, Float64Array>();
  /** channel → counts of the UTC day in progress, and which day that is. */
  readonly #today = new Map<string, { day: number; counts: Float64Array }>();
  /** channel → cumulative normalised forecast (25 entries), rebuilt when the forecast changes. */
  readonly #cumulative = new Map<string, Float64Array>();

  /** Bumped whenever the forecast (hence `fraction`) changes, so callers may cache fractions between. */
  version = 0;

  constructor(learnRate = 0.3) {
    this.#learnRate = learnRate;
  }

  /** One bid request seen on a channel. */
  record(channelId: string, nowMs: number): void {
    const day = Math.floor(nowMs / 86_400_000);
    let t = this.#today.get(channelId);
    if (t === undefined) {
      t = { day, counts: new Float64Array(24) };
      this.#today.set(channelId, t);
    } else if (t.day !== day) {
      // Only a whole observed day teaches the shape; a partial first day (start-up) is dropped.
      if (t.day === day - 1 && t.counts[0]! > 0) this.#fold(channelId, t.counts);
      t.day = day;
      t.counts.fill(0);
    }
    t.counts[Math.floor((nowMs % 86_400_000) / kHourMs)]! += 1;
  }

  /** Forecast requests per UTC hour (a copy), or undefined before the first full day. */
  hourly(channelId: string): Float64Array | undefined {
    const f = this.#forecast.get(channelId);
    return f === undefined ? undefined : Float64Array.from(f);
  }

  /** Seeds the forecast (from yesterday's counts in a report, or a simulation's warm-up). */
  seed(channelId: string, perUtcHour: ArrayLike<number>): void {
    this.#forecast.set(channelId, Float64Array.from(perUtcHour));
    this.#cumulative.delete(channelId);
    this.version++;
  }

  /**
   * Fraction of the traffic between local midnight (`dayStartMs`) and `atMs`, for a local day of
   * `dayLengthMs`; linear when there is no forecast yet.
   */
  fraction(channelId: string, dayStartMs: number, dayLengthMs: number, atMs: number): number {
    const x = (atMs - dayStartMs) / dayLengthMs;
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    const cum = this.#cumulativeFor(channelId);
    if (cum === undefined) return x;
    // Local hour h starts at UTC hour (startUtcHour + h); 24 hour buckets, interpolated within the hour.
    const startUtcHour = Math.floor((((dayStartMs % 86_400_000) + 86_400_000) % 86_400_000) / kHourMs);
    const hours = x * 24;
    const h = Math.floor(hours);
    const before = rotatedSum(cum, startUtcHour, h);
    const inHour = rotatedSum(cum, startUtcHour + h, 1) * (hours - h);
    return Math.min(1, before + inHour);
  }

  #fold(channelId: string, counts: Float64Array): void {
    const f = this.#forecast.get(channelId);
    if (f === undefined) this.#forecast.set(channelId, Float64Array.from(counts));
    else for (let h = 0; h < 24; h++) f[h] = f[h]! + this.#learnRate * (counts[h]! - f[h]!);
    this.#cumulative.delete(channelId);
    this.version++;
  }

  #cumulativeFor(channelId: string): Float64Array | undefined {
    let cum = this.#cumulative.get(channelId);
    if (cum !== undefined) return cum;
    const f = this.#forecast.get(channelId);
    if (f === undefined) return undefined;
    let total = 0;
    for (let h = 0; h < 24; h++) total += f[h]!;
    if (!(total > 0)) return undefined;
    cum = new Float64Array(25);
    for (let h = 0; h < 24; h++) cum[h + 1] = cum[h]! + f[h]! / total;
    this.#cumulative.set(channelId, cum);
    return cum;
  }
}

/** Sum of `n` hourly shares starting at UTC hour `from` (wrapping past midnight), from cumulative shares. */
function rotatedSum(cum: Float64Array, from: number, n: number): number {
  const a = ((from % 24) + 24) % 24;
  const b = a + n;
  if (b <= 24) return cum[b]! - cum[a]!;
  return cum[24]! - cum[a]! + cum[b - 24]!;
}

/** Target cumulative fraction of the day's budget at `atMs` for a pacing mode. */
export function targetFraction(
  mode: PacingMode,
  forecast: TrafficForecast,
  channelId: string,
  dayStartMs: number,
  dayEndMs: number,
  atMs: number,
): number {
  if (mode === 'asap') return 1;
  const len = dayEndMs - dayStartMs;
  if (mode === 'traffic') return forecast.fraction(channelId, dayStartMs, len, atMs);
  const x = (atMs - dayStartMs) / len;
  return x <= 0 ? 0 : Math.min(x, 1);
}
