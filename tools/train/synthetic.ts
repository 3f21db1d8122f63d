/**
 * A synthetic market with a known ground truth, for training the default models, testing the trainer and
 * benchmarking: impressions drawn with realistic skew (Zipf-distributed domains, apps and segments, diurnal
 * hour effects), and true pCTR / pCVR from logistic models over the same features the bidder hashes. Each
 * (feature, value) gets a fixed effect derived from a hash, so the truth is deterministic per seed and needs
 * no tables. The simulator may use it for its CTR/CVR ground truth as well.
 */
import type { ScoringEvent } from '../../src/store/ports.js';
import type { FeatureRecord } from '../../src/scoring/features.js';
import { murmur3, toUnit } from '../../src/scoring/hash.js';

export interface SyntheticOptions {
  readonly seed?: number;
  /**
   * Seed of the draws (which impressions come up) when it should differ from `seed`, which fixes the truth:
   * a held-out set from the same market as a training set, without repeating its impressions.
   */
  readonly sampleSeed?: number;
  readonly domains?: number;
  readonly bundles?: number;
  readonly segments?: number;
  readonly campaigns?: number;
  readonly creativesPerCampaign?: number;
  readonly baseCtr?: number;
  readonly baseCvr?: number;
  readonly winRate?: number;
}

export interface Impression {
  readonly rec: FeatureRecord;
  readonly pctr: number;
  readonly pcvr: number;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1) ** s;
  for (let i = 0; i < n; i++) cdf[i]! /= acc;
  return cdf;
}

function pickCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function pickWeighted<T>(items: readonly (readonly [T, number])[], u: number): T {
  let acc = 0;
  for (const [v, w] of items) if (u < (acc += w)) return v;
  return items[items.length - 1]![0];
}

const kChannels = [
  ['ssp-alpha', 0.5],
  ['ssp-beta', 0.3],
  ['ssp-gamma', 0.2],
] as const;
const kSizes = [
  ['300x250', 0.35],
  ['728x90', 0.15],
  ['320x50', 0.2],
  ['160x600', 0.05],
  ['300x600', 0.1],
  ['640x360', 0.1],
  ['1200x627', 0.05],
] as const;
const kCountries = [
  ['USA', 0.4],
  ['GBR', 0.1],
  ['DEU', 0.1],
  ['FRA', 0.08],
  ['CAN', 0.07],
  ['ESP', 0.05],
  ['ITA', 0.05],
  ['BRA', 0.05],
  ['MEX', 0.04],
  ['JPN', 0.03],
  ['IND', 0.02],
  ['AUS', 0.01],
] as const;
/** Effect spread (sd of the logit effect) per feature, for pCTR and pCVR. */
const kCtrSd: Readonly<Record<string, number>> = {
  channel: 0.25,
  publisher: 0.3,
  domain: 0.5,
  bundle: 0.5,
  placement: 0.35,
  size: 0.35,
  format: 0.4,
  devicetype: 0.3,
  os: 0.2,
  country: 0.3,
  creative: 0.4,
  campaign: 0.3,
  segment: 0.35,
};
const kCvrSd: Readonly<Record<string, number>> = {
  channel: 0.2,
  publisher: 0.2,
  domain: 0.3,
  bundle: 0.3,
  placement: 0.1,
  size: 0.1,
  format: 0.2,
  devicetype: 0.35,
  os: 0.3,
  country: 0.4,
  creative: 0.2,
  campaign: 0.6,
  segment: 0.5,
};

export class SyntheticMarket {
  readonly #r: () => number;
  readonly #seed: number;
  readonly #o: Required<Omit<SyntheticOptions, 'sampleSeed'>>;
  readonly #domains: Float64Array;
  readonly #bundles: Float64Array;
  readonly #segments: Float64Array;
  readonly #cache = new Map<string, readonly [number, number]>();
  #b0Ctr: number;
  #b0Cvr: number;

  constructor(opts: SyntheticOptions = {}) {
    this.#o = {
      seed: 1,
      domains: 2000,
      bundles: 600,
      segments: 60,
      campaigns: 20,
      creativesPerCampaign: 3,
      baseCtr: 0.01,
      baseCvr: 0.08,
      winRate: 0.35,
      ...opts,
    };
    this.#seed = this.#o.seed;
    this.#r = prng(opts.sampleSeed ?? this.#o.seed);
    this.#domains = zipfCdf(this.#o.domains, 1.05);
    this.#bundles = zipfCdf(this.#o.bundles, 1.05);
    this.#segments = zipfCdf(this.#o.segments, 0.9);
    this.#b0Ctr = Math.log(this.#o.baseCtr / (1 - this.#o.baseCtr));
    this.#b0Cvr = Math.log(this.#o.baseCvr / (1 - this.#o.baseCvr));
    // Calibrate the intercepts so mean rates land near the base rates (effects shift the mean).
    for (let it = 0; it < 3; it++) {
      let c = 0;
      let v = 0;
      const probe = prng(this.#o.seed ^ 0xabc);
      for (let i = 0; i < 4000; i++) {
        const imp = this.#sample(probe, Date.UTC(2026, 0, 1) + i * 3_600_000);
        c += imp.pctr;
        v += imp.pcvr;
      }
      this.#b0Ctr += Math.log(this.#o.baseCtr / (1 - this.#o.baseCtr)) - Math.log(c / 4000 / (1 - c / 4000));
      this.#b0Cvr += Math.log(this.#o.baseCvr / (1 - this.#o.baseCvr)) - Math.log(v / 4000 / (1 - v / 4000));
    }
  }

  /** One impression opportunity at `ts` with its true probabilities. */
  sample(ts: number): Impression {
    return this.#sample(this.#r, ts);
  }

  /**
   * A synthetic event log: every bid (sample rate 1, `pctr`/`pcvr` = the truth), wins at `winRate`, clicks and
   * conversions drawn from the truth, losses with a min-to-win price. One opportunity every `spacingMs`.
   */
  *events(n: number, startMs: number, spacingMs = 1000): Generator<ScoringEvent> {
    const r = this.#r;
    for (let i = 0; i < n; i++) {
      const ts = startMs + i * spacingMs;
      const imp = this.sample(ts);
      const auction = `s${this.#seed}-${i}`;
      const bidMicros = Math.round(1_000_000 * Math.exp(0.5 + 0.6 * gauss(r)));
      const campaign = imp.rec.campaign!;
      yield {
        t: 'bid',
        ts,
        auction,
        imp: '1',
        bid: `b${i}`,
        campaign,
        creative: imp.rec.creative!,
        channel: imp.rec.channel!,
        priceMicros: bidMicros,
        valueMicros: bidMicros,
        pctr: imp.pctr,
        pcvr: imp.pcvr,
        f: imp.rec,
      };
      if (r() >= this.#o.winRate) {
        yield {
          t: 'loss',
          ts: ts + 50,
          auction,
          imp: '1',
          campaign,
          channel: imp.rec.channel!,
          bidMicros,
          minToWinMicros: Math.round(bidMicros * (1 + r())),
        };
        continue;
      }
      yield {
        t: 'win',
        ts: ts + 50,
        auction,
        imp: '1',
        campaign,
        channel: imp.rec.channel!,
        bidMicros,
        priceMicros: bidMicros,
      };
      if (r() >= imp.pctr) continue;
      yield { t: 'click', ts: ts + 5_000, auction, imp: '1', campaign };
      if (r() < imp.pcvr) yield { t: 'conv', ts: ts + 600_000, auction, imp: '1', campaign };
    }
  }

  /** [ctr effect, cvr effect] of one feature value, cached (vocabularies are small). */
  #effects(name: string, value: string): readonly [number, number] {
    const key = `${name}=${value}`;
    let e = this.#cache.get(key);
    if (e === undefined) {
      const effect = (sd: number, salt: number): number => {
        const u1 = Math.max(1e-12, toUnit(murmur3(key, this.#seed + salt)));
        const u2 = toUnit(murmur3(key, this.#seed + salt + 1));
        return sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      };
      e = [effect(kCtrSd[name] ?? 0, 0), effect(kCvrSd[name] ?? 0, 7)];
      this.#cache.set(key, e);
    }
    return e;
  }

  #sample(r: () => number, ts: number): Impression {
    const o = this.#o;
    const app = r() < 0.4;
    const rec: FeatureRecord = { channel: pickWeighted(kChannels, r()), hour: new Date(ts).getUTCHours() };
    if (app) {
      const b = pickCdf(this.#bundles, r());
      rec.bundle = `com.app${b}`;
      rec.publisher = `apub${b % 80}`;
      rec.placement = `${rec.bundle}/slot${Math.floor(r() * 3)}`;
      rec.devicetype = r() < 0.7 ? 4 : 5;
    } else {
      const d = pickCdf(this.#domains, r());
      rec.domain = `site${d}.example`;
      rec.publisher = `pub${d % 150}`;
      rec.placement = `${rec.domain}/slot${Math.floor(r() * 3)}`;
      const u = r();
      rec.devicetype = u < 0.55 ? 2 : u < 0.9 ? 4 : 5;
    }
    rec.os = rec.devicetype === 2 ? (r() < 0.7 ? 'Windows' : 'macOS') : r() < 0.45 ? 'iOS' : 'Android';
    rec.country = pickWeighted(kCountries, r());
    rec.size = pickWeighted(kSizes, r());
    rec.format = rec.size === '640x360' ? 'video' : rec.size === '1200x627' ? 'native' : 'banner';
    rec.campaign = `cmp${Math.floor(r() * o.campaigns)}`;
    rec.creative = `cr${Math.floor(r() * o.creativesPerCampaign)}`;
    const nSeg = Math.floor(r() * 7);
    const segs = new Set<string>();
    for (let i = 0; i < nSeg; i++) segs.add(`seg${pickCdf(this.#segments, r())}`);
    if (segs.size > 0) rec.segment = [...segs];
    const t = this.truth(rec);
    return { rec, pctr: t.pctr, pcvr: t.pcvr };
  }

  /**
   * The true pCTR / pCVR of any record over this market's features (the simulator asks it for the campaign
   * and creative the bidder chose, which `sample` cannot know). Segments count as given: pass the ones the
   * bidder sees (its first `kSegmentSlots`), so truth and model speak of the same impression.
   */
  truth(rec: FeatureRecord): { readonly pctr: number; readonly pcvr: number } {
    let zc = this.#b0Ctr + 0.3 * Math.sin((2 * Math.PI * ((rec.hour ?? 0) - 8)) / 24);
    let zv = this.#b0Cvr + 0.2 * Math.sin((2 * Math.PI * ((rec.hour ?? 0) - 14)) / 24);
    for (const [name, value] of Object.entries(rec)) {
      if (name === 'hour' || value === undefined) continue;
      const values = Array.isArray(value)
        ? value
        : [name === 'creative' ? `${rec.campaign}/${String(value)}` : String(value)];
      for (const v of values) {
        const [ec, ev] = this.#effects(name, v);
        zc += ec;
        zv += ev;
      }
    }
    return { pctr: 1 / (1 + Math.exp(-zc)), pcvr: 1 / (1 + Math.exp(-zv)) };
  }
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, r()))) * Math.cos(2 * Math.PI * r());
}
