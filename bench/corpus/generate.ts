/**
 * A bid-request corpus that looks like an exchange's traffic to the sample config (config/), deterministic
 * from a seed. Most of what an exchange offers a DSP is not worth a bid, so about two thirds of the requests
 * are shaped to be no-bids, each for a reason a real exchange produces:
 *   unmatched_size   banner sizes no creative has (970x250, 336x280, …)
 *   floor            floors above every campaign's highest bid
 *   blocked_adv      `badv` lists every advertiser's domain
 *   blocked_cat      `bcat` lists every creative's category
 *   unknown_deal     a private auction for deals nobody has
 *   video_unbought   video nobody buys (too short, or Flash/VPAID-only mimes)
 *   native_unbought  native outside the one market a native campaign targets
 *   privacy          GDPR without consent where only audience campaigns could bid
 *   audience         mobile web outside North America: only audience campaigns could bid, and the user has no id
 * and the rest (`bid`) are shaped so some campaign can bid: desktop and in-app banners, video on the video
 * marketplace, US native, the PMP deal, known users carrying retargeting segments. Whether a bid-shaped
 * request gets a bid still depends on pacing, frequency caps and the time of day, as it would live.
 *
 * Requests go to three OpenRTB channels (ssp-alpha, ssp-beta, ssp-gamma), carry 1–3 imps, site or app,
 * banner, video or native, with and without user ids; `knownUsers` of them have segments in segments.jsonl
 * (loadable into the Redis store with `npm run segments:load`; the memory store cannot be seeded from
 * outside the process, so with it known users look like anyone else).
 *
 * Usage: npm run bench:corpus -- --out bench/.corpus/default --requests 5000 --seed 1 [--known-users 20000]
 *        [--against http://127.0.0.1:8080]   (send each request once to a running bidder: the real no-bid share)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../tools/train/synthetic.js';

export { prng };

export const kShapes = [
  'bid',
  'unmatched_size',
  'floor',
  'blocked_adv',
  'blocked_cat',
  'unknown_deal',
  'video_unbought',
  'native_unbought',
  'privacy',
  'audience',
] as const;
export type Shape = (typeof kShapes)[number];

/** Share of each shape; the no-bid shapes add up to 0.68. */
const kWeights: Readonly<Record<Shape, number>> = {
  bid: 0.32,
  unmatched_size: 0.14,
  floor: 0.1,
  blocked_adv: 0.05,
  blocked_cat: 0.06,
  unknown_deal: 0.06,
  video_unbought: 0.08,
  native_unbought: 0.05,
  privacy: 0.07,
  audience: 0.07,
};

export interface CorpusRequest {
  readonly channel: string;
  readonly shape: Shape;
  readonly knownUser: boolean;
  /** The JSON body, as sent. */
  readonly body: string;
}

export interface CorpusOptions {
  readonly requests: number;
  readonly seed: number;
  /** Users with segments in segments.jsonl; a fifth of requests carry one of them. Default 20,000. */
  readonly knownUsers?: number;
}

const kChannels = ['ssp-alpha', 'ssp-beta', 'ssp-gamma'] as const;
const kBiddable = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
  [300, 600],
] as const;
const kUnmatched = [
  [970, 250],
  [336, 280],
  [468, 60],
  [300, 50],
  [120, 600],
  [970, 90],
] as const;
const kNorthAmerica = ['USA', 'USA', 'USA', 'USA', 'CAN'];
const kElsewhere = ['GBR', 'DEU', 'FRA', 'ESP', 'BRA', 'MEX', 'JPN', 'AUS'];
const kSiteCats = ['IAB1', 'IAB2', 'IAB3', 'IAB9', 'IAB12', 'IAB13', 'IAB17', 'IAB19', 'IAB20'];
const kAdvertiserDomains = ['acmeshoes.example', 'nimbusbank.example', 'voltmotors.example', 'peregrine.example'];
const kCreativeCats = ['IAB18-3', 'IAB13', 'IAB13-10', 'IAB2-1', 'IAB2-3', 'IAB19'];
const kSegments = [
  'acme:cart-abandoner',
  'acme:product-viewer',
  'acme:purchased-7d',
  'auto:intender',
  'auto:ev-researcher',
  'volt:owner',
  'stage:decision',
];
const kFinanceDomains = ['marketwatch.example', 'investing.example', 'nerdwallet.example'];
const kNativeRequest =
  '{"ver":"1.2","assets":[{"id":1,"required":1,"title":{"len":90}},{"id":2,"required":1,"img":{"type":3,"wmin":600,"hmin":314}},{"id":3,"data":{"type":1}}]}';

interface Device {
  readonly ua: string;
  readonly devicetype: number;
  readonly os: string;
  readonly mobile: boolean;
}
const kDesktop: readonly Device[] = [
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    devicetype: 2,
    os: 'Windows',
    mobile: false,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    devicetype: 2,
    os: 'macOS',
    mobile: false,
  },
];
const kMobile: readonly Device[] = [
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    devicetype: 4,
    os: 'iOS',
    mobile: true,
  },
  {
    ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    devicetype: 4,
    os: 'Android',
    mobile: true,
  },
  {
    ua: 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
    devicetype: 5,
    os: 'iOS',
    mobile: true,
  },
];

type Rand = () => number;
type Json = Record<string, unknown>;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const round2 = (x: number) => Math.round(x * 100) / 100;
/** Lognormal with median `median`: exchange floors are skewed, a long tail of high ones. */
const lognormal = (r: Rand, median: number, sigma: number) =>
  median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
const hex = (r: Rand, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
};
const uuid = (r: Rand) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;

function pickShape(r: Rand): Shape {
  let x = r();
  for (const s of kShapes) {
    x -= kWeights[s];
    if (x < 0) return s;
  }
  return 'bid';
}

/** A floor an open-auction banner typically carries: median $0.45, below every banner bid most of the time. */
const bannerFloor = (r: Rand) => round2(Math.min(1.3, lognormal(r, 0.45, 0.6)));

function bannerImp(r: Rand, id: string, sizes: readonly (readonly [number, number])[], floor: number): Json {
  const [w, h] = pick(r, sizes);
  const format = [{ w, h }];
  if (r() < 0.35) {
    const [w2, h2] = pick(r, sizes);
    if (w2 !== w || h2 !== h) format.push({ w: w2, h: h2 });
  }
  return {
    id,
    tagid: `slot-${Math.floor(r() * 400)}`,
    banner: { w, h, format, pos: Math.floor(r() * 4), api: r() < 0.5 ? [3, 5] : undefined },
    bidfloor: floor,
    bidfloorcur: 'USD',
    secure: 1,
  };
}

function videoImp(r: Rand, id: string, floor: number, bought: boolean): Json {
  const flashOnly = !bought && r() < 0.5;
  return {
    id,
    video: {
      mimes: flashOnly ? ['video/x-flv', 'application/javascript'] : ['video/mp4', 'video/webm'],
      minduration: bought ? 5 : 3,
      maxduration: bought ? pick(r, [15, 30, 60]) : flashOnly ? 30 : pick(r, [6, 10]),
      protocols: [2, 3, 5, 6, 7],
      w: 640,
      h: 360,
      plcmt: 1,
      startdelay: 0,
      linearity: 1,
      skip: r() < 0.4 ? 1 : 0,
    },
    bidfloor: floor,
    bidfloorcur: 'USD',
    secure: 1,
  };
}

function nativeImp(r: Rand, id: string, floor: number): Json {
  return {
    id,
    tagid: `feed-${Math.floor(r() * 50)}`,
    native: { request: kNativeRequest, ver: '1.2' },
    bidfloor: floor,
    bidfloorcur: 'USD',
    secure: 1,
  };
}

interface Frame {
  channel: string;
  country: string;
  device: Device;
  app: boolean;
  imps: Json[];
  domain?: string;
  bcat?: string[];
  badv?: string[];
  gdprNoConsent?: boolean;
  knownUser?: boolean;
  /** No user id, no extended ids, no device id: nobody to look up. */
  anonymous?: boolean;
}

function impCount(r: Rand): number {
  const x = r();
  return x < 0.8 ? 1 : x < 0.95 ? 2 : 3;
}

function frameFor(r: Rand, shape: Shape): Frame {
  const n = impCount(r);
  const imps = (make: (id: string) => Json) => Array.from({ length: n }, (_, k) => make(String(k + 1)));
  const na = pick(r, kNorthAmerica);
  switch (shape) {
    case 'bid': {
      const kind = r();
      if (kind < 0.4) {
        // Desktop web, North America, open auction.
        return {
          channel: pick(r, ['ssp-alpha', 'ssp-beta']),
          country: na,
          device: pick(r, kDesktop),
          app: false,
          imps: imps((id) => bannerImp(r, id, kBiddable, bannerFloor(r))),
          domain: r() < 0.1 ? pick(r, kFinanceDomains) : undefined,
        };
      }
      if (kind < 0.65) {
        // In-app, phones and tablets, anywhere (acme-mobile-app has no geo targeting).
        return {
          channel: pick(r, ['ssp-alpha', 'ssp-beta']),
          country: r() < 0.7 ? na : pick(r, kElsewhere),
          device: pick(r, kMobile),
          app: true,
          imps: imps((id) =>
            bannerImp(
              r,
              id,
              [
                [320, 50],
                [300, 250],
              ],
              round2(Math.min(1.2, lognormal(r, 0.3, 0.5))),
            ),
          ),
        };
      }
      if (kind < 0.82) {
        // Pre-roll on the video marketplace (and some on alpha), US.
        return {
          channel: r() < 0.7 ? 'ssp-gamma' : 'ssp-alpha',
          country: 'USA',
          device: pick(r, [...kDesktop, ...kMobile]),
          app: r() < 0.3,
          imps: imps((id) => videoImp(r, id, round2(Math.min(8, lognormal(r, 3, 0.5))), true)),
        };
      }
      if (kind < 0.94) {
        return {
          channel: pick(r, ['ssp-alpha', 'ssp-beta']),
          country: 'USA',
          device: pick(r, [...kDesktop, ...kMobile]),
          app: r() < 0.5,
          imps: imps((id) => nativeImp(r, id, round2(Math.min(2.5, lognormal(r, 0.8, 0.5))))),
        };
      }
      // The PMP deal on alpha, and known users for the audience campaigns.
      return {
        channel: 'ssp-alpha',
        country: na,
        device: pick(r, kDesktop),
        app: false,
        imps: imps((id) => {
          const imp = bannerImp(
            r,
            id,
            [
              [300, 250],
              [300, 600],
            ],
            bannerFloor(r),
          );
          if (r() < 0.6)
            imp.pmp = {
              private_auction: 0,
              deals: [{ id: 'NB-PREMIUM-2026', bidfloor: 4.5, bidfloorcur: 'USD', at: 1 }],
            };
          return imp;
        }),
        knownUser: true,
      };
    }
    case 'unmatched_size':
      return {
        channel: pick(r, kChannels),
        country: r() < 0.7 ? na : pick(r, kElsewhere),
        device: pick(r, [...kDesktop, ...kMobile]),
        app: r() < 0.3,
        imps: imps((id) => bannerImp(r, id, kUnmatched, bannerFloor(r))),
      };
    case 'floor':
      return {
        channel: pick(r, kChannels),
        country: 'USA',
        device: pick(r, kDesktop),
        app: false,
        imps: imps((id) =>
          r() < 0.7 ? bannerImp(r, id, kBiddable, round2(25 + r() * 40)) : videoImp(r, id, round2(30 + r() * 50), true),
        ),
      };
    case 'blocked_adv':
      return {
        channel: pick(r, ['ssp-alpha', 'ssp-beta']),
        country: na,
        device: pick(r, kDesktop),
        app: false,
        imps: imps((id) => bannerImp(r, id, kBiddable, bannerFloor(r))),
        badv: [...kAdvertiserDomains, 'competitor.example'],
      };
    case 'blocked_cat':
      return {
        channel: pick(r, ['ssp-alpha', 'ssp-beta']),
        country: na,
        device: pick(r, kMobile),
        app: true,
        imps: imps((id) => bannerImp(r, id, kBiddable, bannerFloor(r))),
        bcat: ['IAB25', 'IAB26', 'IAB7-39', ...kCreativeCats],
      };
    case 'unknown_deal':
      return {
        channel: pick(r, ['ssp-alpha', 'ssp-beta']),
        country: na,
        device: pick(r, kDesktop),
        app: false,
        imps: imps((id) => {
          const imp = bannerImp(r, id, kBiddable, bannerFloor(r));
          imp.pmp = {
            private_auction: 1,
            deals: [{ id: `XCH-${hex(r, 6).toUpperCase()}`, bidfloor: round2(2 + r() * 6), bidfloorcur: 'USD' }],
          };
          return imp;
        }),
      };
    case 'video_unbought':
      return {
        channel: pick(r, ['ssp-gamma', 'ssp-gamma', 'ssp-alpha']),
        country: 'USA',
        device: pick(r, [...kDesktop, ...kMobile]),
        app: r() < 0.3,
        imps: imps((id) => videoImp(r, id, round2(Math.min(8, lognormal(r, 3, 0.5))), false)),
      };
    case 'native_unbought':
      return {
        channel: pick(r, ['ssp-alpha', 'ssp-beta']),
        country: pick(r, kElsewhere),
        device: pick(r, kMobile),
        app: r() < 0.6,
        imps: imps((id) => nativeImp(r, id, round2(lognormal(r, 0.8, 0.5)))),
      };
    case 'privacy':
    case 'audience':
      // Mobile web outside North America, on sizes only the audience campaigns (and nobody else there) buy.
      return {
        channel: pick(r, ['ssp-alpha', 'ssp-beta']),
        country: pick(r, ['GBR', 'DEU', 'FRA', 'ESP']),
        device: pick(r, kMobile),
        app: false,
        imps: imps((id) => bannerImp(r, id, [[300, 250]], bannerFloor(r))),
        gdprNoConsent: shape === 'privacy',
        anonymous: shape === 'audience',
      };
  }
}

function requestFor(r: Rand, f: Frame, knownUsers: number): { body: Json; known: boolean } {
  const pub = Math.floor(r() * 600);
  const req: Json = {
    id: uuid(r),
    at: f.channel === 'ssp-beta' ? 2 : 1,
    tmax: pick(r, [80, 100, 120, 150, 200]),
    cur: ['USD'],
    imp: f.imps,
  };
  const ip = `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 254) + 1}`;
  const device: Json = {
    ua: f.device.ua,
    ip,
    devicetype: f.device.devicetype,
    os: f.device.os,
    language: pick(r, ['en', 'en', 'es', 'de', 'fr']),
    js: 1,
    geo: { country: f.country, type: 2, utcoffset: pick(r, [-480, -300, 0, 60]) },
  };
  if (f.app) {
    device.ifa = r() < 0.1 ? '00000000-0000-0000-0000-000000000000' : uuid(r);
    device.lmt = device.ifa === '00000000-0000-0000-0000-000000000000' ? 1 : 0;
    req.app = {
      id: `app-${pub}`,
      name: `App ${pub}`,
      bundle: `com.example.app${pub}`,
      storeurl: `https://apps.example/app${pub}`,
      cat: [pick(r, kSiteCats)],
      publisher: { id: `pub-${pub % 90}` },
    };
  } else {
    const domain = f.domain ?? `site${pub}.example`;
    req.site = {
      id: `site-${pub}`,
      domain,
      page: `https://${domain}/section/${hex(r, 6)}.html`,
      ref: r() < 0.5 ? 'https://search.example/' : undefined,
      cat: [pick(r, kSiteCats)],
      publisher: { id: `pub-${pub % 90}`, name: `Publisher ${pub % 90}` },
    };
  }
  req.device = device;
  // Users: a fifth known (segments in segments.jsonl), the rest with the exchange's id or none at all.
  const known = f.anonymous !== true && (f.knownUser === true || r() < 0.2);
  const user: Json = {};
  const id = r();
  if (known) user.id = `user-${Math.floor(r() * knownUsers)}`;
  else if (id < 0.6 && f.anonymous !== true) user.id = `x-${hex(r, 16)}`;
  if (r() < 0.25 && f.anonymous !== true)
    user.eids = [{ source: 'id5-sync.com', uids: [{ id: `ID5*${hex(r, 24)}`, atype: 1 }] }];
  const regs: Json = { coppa: 0 };
  if (f.gdprNoConsent === true) {
    regs.gdpr = 1;
    if (r() < 0.5) user.consent = '';
  } else if (r() < 0.15) {
    regs.us_privacy = r() < 0.1 ? '1YYN' : '1YNN';
  }
  if (Object.keys(user).length > 0) req.user = user;
  req.regs = regs;
  req.source = {
    tid: uuid(r),
    schain: {
      ver: '1.0',
      complete: 1,
      nodes: [{ asi: `${f.channel.slice(4)}.example`, sid: String(Math.floor(r() * 99999)), hp: 1 }],
    },
  };
  req.bcat = f.bcat ?? ['IAB25', 'IAB26'];
  if (f.badv !== undefined) req.badv = f.badv;
  else if (r() < 0.3) req.badv = ['competitor.example'];
  return { body: req, known };
}

export function generateCorpus(opts: CorpusOptions): CorpusRequest[] {
  const r = prng(opts.seed);
  const knownUsers = opts.knownUsers ?? 20_000;
  const out: CorpusRequest[] = [];
  for (let i = 0; i < opts.requests; i++) {
    const shape = pickShape(r);
    const frame = frameFor(r, shape);
    const { body, known } = requestFor(r, frame, knownUsers);
    out.push({ channel: frame.channel, shape, knownUser: known, body: JSON.stringify(body) });
  }
  return out;
}

/** segments.jsonl lines for the known users (`user-0` … `user-<n-1>`), in the segment loader's format. */
export function segmentRecords(seed: number, knownUsers: number): string[] {
  const r = prng(seed ^ 0x5e9);
  const lines: string[] = [];
  for (let u = 0; u < knownUsers; u++) {
    const segs = new Set<string>();
    const k = 1 + Math.floor(r() * 3);
    for (let j = 0; j < k; j++) segs.add(pick(r, kSegments));
    lines.push(JSON.stringify({ ids: { uid: `user-${u}` }, segments: [...segs], ttl: 86_400 }));
  }
  return lines;
}

export interface WrittenCorpus {
  readonly requests: CorpusRequest[];
  readonly requestsFile: string;
  readonly segmentsFile: string;
}

/** Writes requests.json (an array of CorpusRequest) and segments.jsonl into `out`. */
export function writeCorpus(out: string, opts: CorpusOptions): WrittenCorpus {
  mkdirSync(out, { recursive: true });
  const requests = generateCorpus(opts);
  const requestsFile = join(out, 'requests.json');
  writeFileSync(requestsFile, JSON.stringify(requests));
  const segmentsFile = join(out, 'segments.jsonl');
  writeFileSync(segmentsFile, `${segmentRecords(opts.seed, opts.knownUsers ?? 20_000).join('\n')}\n`);
  return { requests, requestsFile, segmentsFile };
}

/** Counts per shape and per channel, and the share of no-bid-shaped requests. */
export function describeCorpus(requests: readonly CorpusRequest[]) {
  const shapes: Record<string, number> = {};
  const channels: Record<string, number> = {};
  let imps = 0;
  let known = 0;
  for (const q of requests) {
    shapes[q.shape] = (shapes[q.shape] ?? 0) + 1;
    channels[q.channel] = (channels[q.channel] ?? 0) + 1;
    imps += (JSON.parse(q.body) as { imp: unknown[] }).imp.length;
    if (q.knownUser) known++;
  }
  const sizes = requests.map((q) => q.body.length).sort((a, b) => a - b);
  return {
    requests: requests.length,
    noBidShapedShare: 1 - (shapes.bid ?? 0) / Math.max(1, requests.length),
    shapes,
    channels,
    impsPerRequest: imps / Math.max(1, requests.length),
    knownUserShare: known / Math.max(1, requests.length),
    bytes: {
      p10: sizes[Math.floor(sizes.length * 0.1)],
      median: sizes[sizes.length >> 1],
      p90: sizes[Math.floor(sizes.length * 0.9)],
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : dflt;
  };
  if (process.argv.includes('--help')) {
    console.log(
      'usage: npm run bench:corpus -- [--out bench/.corpus/default] [--requests 5000] [--seed 1] [--known-users 20000] [--against http://127.0.0.1:<port>]',
    );
    process.exit(0);
  }
  const out = arg('out', 'bench/.corpus/default');
  const c = writeCorpus(out, {
    requests: Number(arg('requests', '5000')),
    seed: Number(arg('seed', '1')),
    knownUsers: Number(arg('known-users', '20000')),
  });
  console.log(JSON.stringify({ out, ...describeCorpus(c.requests) }, null, 2));
  // --against http://127.0.0.1:<port>: send every request once, one at a time, to a running bidder (loopback
  // only) and print the answers per shape: the no-bid share the bidder actually gives this corpus.
  const against = arg('against', '');
  if (against !== '') {
    if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(against)) throw new Error('--against: loopback URL only');
    const tally: Record<string, Record<string, number>> = {};
    let bids = 0;
    for (const q of c.requests) {
      const res = await fetch(`${against}/bid/${q.channel}`, {
        method: 'POST',
        body: q.body,
        headers: { 'content-type': 'application/json' },
      });
      await res.arrayBuffer();
      const t = (tally[q.shape] ??= {});
      t[res.status] = (t[res.status] ?? 0) + 1;
      if (res.status === 200) bids++;
    }
    console.log(JSON.stringify({ answers: tally, noBidShare: 1 - bids / c.requests.length }, null, 2));
  }
}
