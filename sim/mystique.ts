/**
 * The external pacing anchor: the default scenario of Yahoo's open-source budget-pacing simulator (the
 * "Mystique" work, see sim/scenarios/mystique-default.md) re-created so that our controller can be compared
 * with the figures its baselines reach. 7 days × 1,440 minutes, Poisson traffic with a diurnal curve,
 * users (gender × location) drawn from a softmax over time-varying weights, 100 campaigns from the CSV
 * each bidding an independent capped lognormal draw, 2 × (matching campaigns) outside lognormal bids,
 * first price, one slot, no reserve.
 *
 * The controllers are ours, unchanged (controller.ts: `AdaptivePacer`, `StepThrottle`, `pacingFactor`),
 * updated every `intervalMs` of simulated time from each campaign's spend against the linear target, aimed
 * with the gate's own lead/horizon arithmetic (aim.ts);
 * the budget rule is the pacing gate's — a bid is made only when spend + bid fits in the day's budget, so
 * nothing is ever overspent. The auction loop itself is written for speed (30M auctions): bids come from a
 * 65,536-entry normal quantile table indexed by a fast PRNG, and the best of 2k outside bids is one draw
 * from the distribution of a maximum (Φ⁻¹(U^{1/2k})).
 */
import { aim } from '../src/pacing/aim.js';
import { AdaptivePacer, pacingFactor, StepThrottle, type Pacer } from '../src/pacing/controller.js';

export interface MystiqueCampaign {
  readonly id: string;
  readonly dailyBudget: number;
  readonly mu: number;
  readonly sigma: number;
  readonly maxBid: number;
  /** Allowed genders / locations (undefined = any). */
  readonly genders: readonly number[] | undefined;
  readonly locations: readonly number[] | undefined;
}

export type MystiquePacing =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'adaptive';
      readonly minMultiplier: number;
      readonly intervalMs: number;
      readonly leadMs?: number;
      readonly controlTauMs?: number;
      readonly horizonMs?: number;
    }
  | { readonly kind: 'step'; readonly intervalMs: number };

export interface MystiqueOptions {
  readonly campaigns: readonly MystiqueCampaign[];
  readonly days: number;
  readonly seed: number;
  readonly pacing: MystiquePacing;
  /** Mean auctions per minute (3,000 in the scenario). */
  readonly meanAuctionsPerMinute?: number;
}

export interface MystiqueResult {
  /** [campaign][day] spend, impressions, minutes alive, 24 hourly spends. */
  readonly spend: Float64Array[];
  readonly impressions: Float64Array[];
  readonly minutesAlive: Float64Array[];
  readonly hourly: Float64Array[][];
  readonly auctions: number;
  readonly wallMs: number;
}

export function parseMystiqueCsv(text: string): MystiqueCampaign[] {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`mystique csv: missing column ${name}`);
    return i;
  };
  const [id, budget, mu, sigma, max, g, l] = [
    'id',
    'daily_budget',
    'bid_lognorm_mu',
    'bid_lognorm_sigma',
    'max_bid',
    'target_gender',
    'target_location',
  ].map(col) as [number, number, number, number, number, number, number];
  const set = (s: string) => (s === '*' ? undefined : s.split('|').map(Number));
  return lines.slice(1).map((line, n) => {
    const f = line.split(',');
    const c = {
      id: f[id]!,
      dailyBudget: Number(f[budget]),
      mu: Number(f[mu]),
      sigma: Number(f[sigma]),
      maxBid: Number(f[max]),
      genders: set(f[g]!),
      locations: set(f[l]!),
    };
    if (![c.dailyBudget, c.mu, c.sigma, c.maxBid].every(Number.isFinite))
      throw new Error(`mystique csv line ${n + 2}: not a number`);
    return c;
  });
}

/** sfc32: a small fast PRNG with 128 bits of state; returns uint32. */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** Φ⁻¹ (Acklam's rational approximation, relative error < 1.2e-9). */
export function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - 0.02425) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

const kTable = (() => {
  const t = new Float64Array(65_536);
  for (let i = 0; i < t.length; i++) t[i] = inverseNormal((i + 0.5) / t.length);
  return t;
})();

const kCompMu = -8.19;
const kCompSigma = 2.14;

export function simulateMystique(o: MystiqueOptions): MystiqueResult {
  const t0 = performance.now();
  const rnd = sfc32(o.seed);
  const uniform = () => (rnd() + 0.5) / 4_294_967_296;
  const n = o.campaigns.length;
  const days = o.days;
  const mean = o.meanAuctionsPerMinute ?? 3000;
  const budgets = Float64Array.from(o.campaigns, (c) => c.dailyBudget);
  const mu = Float64Array.from(o.campaigns, (c) => c.mu);
  const sigma = Float64Array.from(o.campaigns, (c) => c.sigma);
  const maxBid = Float64Array.from(o.campaigns, (c) => c.maxBid);
  // Matching campaigns per user type (gender × location).
  const matching: Int32Array[] = [];
  for (let g = 0; g < 2; g++) {
    for (let l = 0; l < 3; l++) {
      const ids: number[] = [];
      o.campaigns.forEach((c, i) => {
        if (
          (c.genders === undefined || c.genders.includes(g)) &&
          (c.locations === undefined || c.locations.includes(l))
        )
          ids.push(i);
      });
      matching.push(Int32Array.from(ids));
    }
  }
  const pacers: Pacer[] = o.campaigns.map(() =>
    o.pacing.kind === 'step'
      ? new StepThrottle({ intervalMs: o.pacing.intervalMs })
      : new AdaptivePacer(
          o.pacing.kind === 'adaptive'
            ? {
                intervalMs: o.pacing.intervalMs,
                horizonMs: o.pacing.horizonMs ?? 1_800_000,
                ...(o.pacing.controlTauMs !== undefined ? { controlTauMs: o.pacing.controlTauMs } : {}),
              }
            : {},
        ),
  );
  const minMultiplier = o.pacing.kind === 'adaptive' ? o.pacing.minMultiplier : 1;
  const intervalMs = o.pacing.kind === 'none' ? Infinity : o.pacing.intervalMs;
  // The gate's defaults: aim 10 minutes ahead of the curve, catch up over 30 minutes.
  const leadMs = o.pacing.kind === 'adaptive' ? (o.pacing.leadMs ?? 600_000) : 600_000;
  const horizonMs = o.pacing.kind === 'adaptive' ? (o.pacing.horizonMs ?? 1_800_000) : 0;
  const factor = new Float64Array(n).fill(1);
  const spent = new Float64Array(n);
  const spend = Array.from({ length: n }, () => new Float64Array(days));
  const impressions = Array.from({ length: n }, () => new Float64Array(days));
  const minutesAlive = Array.from({ length: n }, () => new Float64Array(days));
  const hourly = Array.from({ length: n }, () => Array.from({ length: days }, () => new Float64Array(24)));
  let auctions = 0;
  const dayMs = 86_400_000;

  for (let day = 0; day < days; day++) {
    spent.fill(0);
    for (const p of pacers) p.newDay(day * dayMs);
    for (let m = 0; m < 1440; m++) {
      const t = m / 1440;
      const lambda = mean * (1 + 0.6 * Math.cos(2 * Math.PI * (t + 0.5)));
      const z = kTable[rnd() >>> 16]!;
      const count = Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
      const gw0 = Math.exp(1 + 0.5 * Math.cos(2 * Math.PI * (t + 0.2)));
      const gw1 = Math.exp(1 + 0.5 * Math.cos(2 * Math.PI * (t + 0.8)));
      const pg0 = gw0 / (gw0 + gw1);
      const lw0 = Math.exp(5 * (1 + 0.4 * Math.cos(2 * Math.PI * t)));
      const lw1 = Math.exp(5 * (1 + 0.2 * Math.cos(2 * Math.PI * (t + 0.5))));
      const lw2 = Math.exp(6 * (1 + 0.5 * Math.cos(2 * Math.PI * (t + 0.4))));
      const pl0 = lw0 / (lw0 + lw1 + lw2);
      const pl1 = lw1 / (lw0 + lw1 + lw2);
      const minuteStartMs = day * dayMs + m * 60_000;
      let nextControlMs = minuteStartMs;
      for (let a = 0; a < count; a++) {
        const nowMs = minuteStartMs + Math.floor((a * 60_000) / count);
        if (nowMs >= nextControlMs && intervalMs !== Infinity) {
          nextControlMs = nowMs + intervalMs;
          // The gate's aim (aim.ts) on the scenario's linear target.
          const at = aim(nowMs, (day + 1) * dayMs, leadMs, horizonMs);
          const targetNow = (at.leadAt - day * dayMs) / dayMs;
          const targetAhead = (at.aheadAt - day * dayMs) / dayMs;
          for (let i = 0; i < n; i++) {
            const p = pacers[i]!;
            p.update({
              nowMs,
              spentMicros: spent[i]! * 1e6,
              capMicros: budgets[i]! * 1e6,
              targetNow,
              targetAhead,
              aheadMs: at.aheadMs,
            });
            factor[i] = p.signal;
          }
        }
        auctions++;
        const g = uniform() < pg0 ? 0 : 1;
        const u = uniform();
        const l = u < pl0 ? 0 : u < pl0 + pl1 ? 1 : 2;
        const list = matching[g * 3 + l]!;
        let best = 0;
        let winner = -1;
        for (let k = 0; k < list.length; k++) {
          const i = list[k]!;
          const left = budgets[i]! - spent[i]!;
          if (left <= 0) continue;
          const f = intervalMs === Infinity ? 1 : pacingFactor(factor[i]!, minMultiplier, uniform);
          if (f === 0) continue;
          let bid = Math.exp(mu[i]! + sigma[i]! * kTable[rnd() >>> 16]!);
          if (bid > maxBid[i]!) bid = maxBid[i]!;
          bid *= f;
          // The gate's budget rule: a bid that does not fit in what is left is not made.
          if (bid > left) continue;
          if (bid > best) {
            best = bid;
            winner = i;
          }
        }
        if (winner < 0) continue;
        // Best of 2k outside bids: one draw from the maximum's distribution.
        const outside = Math.exp(kCompMu + kCompSigma * inverseNormal(uniform() ** (1 / (2 * list.length))));
        if (best <= outside) continue;
        spent[winner]! += best;
        spend[winner]![day]! += best;
        impressions[winner]![day]! += 1;
        hourly[winner]![day]![Math.floor(m / 60)]! += best;
      }
      // "Alive": a campaign with at least 0.1% of its budget left (the gate never lets spend reach it exactly).
      for (let i = 0; i < n; i++) if (spent[i]! < budgets[i]! * 0.999) minutesAlive[i]![day]! += 1;
    }
  }
  return { spend, impressions, minutesAlive, hourly, auctions, wallMs: performance.now() - t0 };
}

export interface MystiqueMetrics {
  readonly label: string;
  readonly alive: number;
  readonly utilisation: number;
  readonly rmse: number;
  readonly hourlyCv: number;
  readonly cpm: number;
  readonly overspend: number;
  readonly impressionsM: number;
  readonly wallSeconds: number;
}

/** Campaigns that exhaust their budget (≥ 99.9%) on at least 4 of 7 days (pro rata) of a run without pacing. */
export function constrainedCampaigns(noPacing: MystiqueResult, budgets: readonly number[]): number[] {
  const out: number[] = [];
  budgets.forEach((b, i) => {
    let exhausted = 0;
    for (const s of noPacing.spend[i]!) if (s >= b * 0.999) exhausted++;
    if (exhausted * 7 >= 4 * noPacing.spend[i]!.length) out.push(i);
  });
  return out;
}

export function mystiqueMetrics(
  label: string,
  r: MystiqueResult,
  budgets: readonly number[],
  constrained: readonly number[],
): MystiqueMetrics {
  let alive = 0;
  let util = 0;
  let rmse = 0;
  let cv = 0;
  let cells = 0;
  for (const i of constrained) {
    for (let d = 1; d < r.spend[i]!.length; d++) {
      cells++;
      alive += r.minutesAlive[i]![d]! / 1440;
      util += r.spend[i]![d]! / budgets[i]!;
      const h = r.hourly[i]![d]!;
      let cum = 0;
      let sq = 0;
      let sum = 0;
      for (let k = 0; k < 24; k++) {
        cum += h[k]!;
        sum += h[k]!;
        sq += (cum / budgets[i]! - (k + 1) / 24) ** 2;
      }
      rmse += Math.sqrt(sq / 24);
      const m = sum / 24;
      let v = 0;
      for (let k = 0; k < 24; k++) v += (h[k]! - m) ** 2;
      cv += m > 0 ? Math.sqrt(v / 24) / m : 0;
    }
  }
  let spend = 0;
  let imps = 0;
  let over = 0;
  budgets.forEach((b, i) => {
    for (let d = 0; d < r.spend[i]!.length; d++) {
      spend += r.spend[i]![d]!;
      imps += r.impressions[i]![d]!;
      over += Math.max(0, r.spend[i]![d]! - b);
    }
  });
  return {
    label,
    alive: alive / cells,
    utilisation: util / cells,
    rmse: rmse / cells,
    hourlyCv: cv / cells,
    cpm: (1000 * spend) / imps,
    overspend: over,
    impressionsM: imps / 1e6,
    wallSeconds: r.wallMs / 1000,
  };
}
