/**
 * A realistic OpenRTB 2.6 request corpus and a matching config, deterministic from a seed:
 *  - requests: site and app, the common banner sizes, video and native, some multi-imp, 30% with a user id
 *    known to the segment data, lognormal floors, real-looking user agents / IPs / domains / bundles,
 *    GDPR and US-privacy signals on a share of traffic, some PMP deals; 0.6–3 KB each;
 *  - a config directory (bidder.yaml, channels.yaml, campaigns/generated.yaml) with N campaigns whose
 *    targeting is realistic but broad enough that most requests get a bid, with budgets a bench run cannot
 *    exhaust;
 *  - segments.jsonl for the known users (loadable with `npm run segments:load`).
 * Usage: tsx bench/corpus/generate.ts --out bench/.corpus/c1000 --campaigns 1000 --requests 5000 --seed 1
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { prng } from '../../tools/train/synthetic.js';

export { prng };

const kBanner = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
  [300, 600],
  [970, 250],
  [336, 280],
  [468, 60],
] as const;
const kCountries = ['USA', 'USA', 'USA', 'CAN', 'GBR', 'DEU', 'FRA', 'BRA', 'MEX', 'JPN', 'AUS', 'ESP'];
const kUas = [
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    2,
    'Windows',
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    2,
    'macOS',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    4,
    'iOS',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    4,
    'Android',
  ],
  [
    'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
    5,
    'iOS',
  ],
] as const;
const kCats = ['IAB1', 'IAB2', 'IAB3', 'IAB9', 'IAB12', 'IAB13', 'IAB17', 'IAB19', 'IAB20'];
const kSegments = Array.from({ length: 40 }, (_, i) => `seg${i}`);

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const lognormal = (r: () => number, mu: number, sigma: number) =>
  Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

export interface CorpusOptions {
  readonly campaigns: number;
  readonly requests: number;
  readonly seed: number;
  readonly knownUsers?: number;
}

function impFor(r: () => number, id: string): Record<string, unknown> {
  const floor = Math.round(lognormal(r, -0.9, 0.7) * 100) / 100;
  const kind = r();
  if (kind < 0.12) {
    return {
      id,
      video: {
        mimes: ['video/mp4', 'video/webm'],
        minduration: 5,
        maxduration: 30,
        protocols: [2, 3, 5, 6, 7],
        w: 640,
        h: 360,
        plcmt: 1,
        startdelay: 0,
        linearity: 1,
      },
      bidfloor: floor * 4,
      bidfloorcur: 'USD',
      secure: 1,
    };
  }
  if (kind < 0.2) {
    return {
      id,
      native: {
        request:
          '{"ver":"1.2","assets":[{"id":1,"required":1,"title":{"len":90}},{"id":2,"required":1,"img":{"type":3,"wmin":600,"hmin":314}},{"id":3,"data":{"type":1}}]}',
        ver: '1.2',
      },
      bidfloor: floor,
      bidfloorcur: 'USD',
      secure: 1,
    };
  }
  const [w, h] = pick(r, kBanner);
  const format =
    r() < 0.4
      ? [
          { w, h },
          { w: pick(r, kBanner)[0], h: pick(r, kBanner)[1] },
        ]
      : [{ w, h }];
  const imp: Record<string, unknown> = {
    id,
    tagid: `slot-${Math.floor(r() * 200)}`,
    banner: { w, h, format, pos: Math.floor(r() * 4) },
    bidfloor: floor,
    bidfloorcur: 'USD',
    secure: 1,
  };
  if (r() < 0.08)
    imp.pmp = {
      private_auction: 0,
      deals: [{ id: `DEAL-${Math.floor(r() * 20)}`, bidfloor: floor * 2, bidfloorcur: 'USD' }],
    };
  return imp;
}

export function generateRequest(r: () => number, _i: number, knownUsers: number): Record<string, unknown> {
  const [ua, devicetype, os] = pick(r, kUas);
  const app = r() < 0.35;
  const imps = r() < 0.15 ? 2 + Math.floor(r() * 2) : 1;
  const req: Record<string, unknown> = {
    id: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
    at: r() < 0.7 ? 1 : 2,
    tmax: pick(r, [80, 100, 120, 150, 200]),
    cur: ['USD'],
    imp: Array.from({ length: imps }, (_, k) => impFor(r, String(k + 1))),
    device: {
      ua,
      ip: `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 254) + 1}`,
      devicetype,
      os,
      language: 'en',
      js: 1,
      geo: { country: pick(r, kCountries), region: pick(r, ['CA', 'NY', 'TX', 'ON', 'BY', 'IDF']), utcoffset: -300 },
      ...(app
        ? { ifa: `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`, lmt: r() < 0.1 ? 1 : 0 }
        : {}),
    },
    source: {
      tid: `${hex(r, 8)}-${hex(r, 4)}`,
      schain: {
        ver: '1.0',
        complete: 1,
        nodes: [
          { asi: pick(r, ['alpha-exchange.example', 'beta-ssp.example']), sid: String(Math.floor(r() * 99999)), hp: 1 },
        ],
      },
    },
    bcat: ['IAB25', 'IAB26'],
    badv: r() < 0.3 ? ['competitor.example'] : [],
  };
  const pub = Math.floor(r() * 500);
  if (app) {
    req.app = {
      id: `app-${pub}`,
      name: `App ${pub}`,
      bundle: `com.example.app${pub}`,
      storeurl: `https://apps.example/app${pub}`,
      cat: [pick(r, kCats)],
      publisher: { id: `pub-${pub % 80}` },
    };
  } else {
    req.site = {
      id: `site-${pub}`,
      domain: `site${pub}.example`,
      page: `https://site${pub}.example/section/${hex(r, 6)}.html`,
      cat: [pick(r, kCats)],
      publisher: { id: `pub-${pub % 80}`, name: `Publisher ${pub % 80}` },
    };
  }
  const known = r() < 0.3;
  const user: Record<string, unknown> = { id: known ? `user-${Math.floor(r() * knownUsers)}` : `anon-${hex(r, 16)}` };
  if (r() < 0.3) user.eids = [{ source: 'id5-sync.com', uids: [{ id: `ID5*${hex(r, 20)}`, atype: 1 }] }];
  const regs: Record<string, unknown> = { coppa: 0 };
  const privacy = r();
  if (privacy < 0.15) {
    regs.gdpr = 1;
    user.consent = 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA';
  } else if (privacy < 0.35) {
    regs.us_privacy = r() < 0.1 ? '1YYN' : '1YNN';
  }
  req.user = user;
  req.regs = regs;
  return req;
}

export function generateCampaign(r: () => number, i: number): Record<string, unknown> {
  const targeting: Record<string, unknown> = {};
  if (r() < 0.5) targeting.countries = Array.from(new Set([pick(r, kCountries), pick(r, kCountries)]));
  if (r() < 0.3) targeting.deviceTypes = r() < 0.5 ? [2] : [1, 4, 5];
  if (r() < 0.15) targeting.inventory = [r() < 0.5 ? 'site' : 'app'];
  if (r() < 0.05)
    targeting.domains = { allow: Array.from({ length: 20 }, () => `site${Math.floor(r() * 500)}.example`) };
  if (r() < 0.2) targeting.categories = { block: [pick(r, kCats)] };
  if (r() < 0.1) targeting.segments = { include: [pick(r, kSegments), pick(r, kSegments)] };
  if (r() < 0.03) targeting.deals = [`DEAL-${Math.floor(r() * 20)}`];
  const creatives: Record<string, unknown>[] = [];
  const sizes = new Set<string>();
  for (let k = 0; k < 1 + Math.floor(r() * 4); k++) sizes.add(pick(r, kBanner).join('x'));
  for (const s of sizes) {
    const [w, h] = s.split('x').map(Number);
    creatives.push({
      id: `c${i}-${s}`,
      format: 'banner',
      w,
      h,
      categories: [pick(r, kCats)],
      landingUrl: `https://adv${i % 300}.example/lp`,
      markup: `<a href="{{CLICK_URL}}"><img src="https://cdn.adv${i % 300}.example/${s}.jpg" width="${w}" height="${h}"></a><img src="{{BILL_URL}}" width="1" height="1">`,
    });
  }
  if (r() < 0.15)
    creatives.push({
      id: `c${i}-v`,
      format: 'video',
      w: 640,
      h: 360,
      durationSeconds: pick(r, [15, 30]),
      mimes: ['video/mp4'],
      landingUrl: `https://adv${i % 300}.example/lp`,
      vast: `<VAST version="4.2"><Ad><InLine><Impression><![CDATA[{{BILL_URL}}]]></Impression></InLine></Ad></VAST>`,
    });
  if (r() < 0.1)
    creatives.push({
      id: `c${i}-n`,
      format: 'native',
      title: `Offer ${i}`,
      sponsoredBy: `Advertiser ${i % 300}`,
      imageUrl: `https://cdn.adv${i % 300}.example/n.jpg`,
      imageW: 1200,
      imageH: 627,
      landingUrl: `https://adv${i % 300}.example/lp`,
    });
  const strategy = r();
  const bid =
    strategy < 0.5
      ? { strategy: 'fixed_cpm', cpm: Math.round((0.8 + r() * 5) * 100) / 100 }
      : { strategy: 'max_cpm', cpm: Math.round((1.5 + r() * 8) * 100) / 100, bidFraction: 0.7 };
  return {
    id: `bench-${i}`,
    advertiser: `Advertiser ${i % 300}`,
    adomain: [`adv${i % 300}.example`],
    budget: { daily: 1_000_000, channels: { 'ssp-alpha': 0.5, 'ssp-beta': 0.5 }, pacing: 'asap' },
    bid,
    ...(r() < 0.2 ? { frequencyCaps: [{ count: 10, window: '24h' }] } : {}),
    targeting,
    creatives,
  };
}

export function writeCorpus(
  out: string,
  opts: CorpusOptions,
): { requests: string[]; configDir: string; segmentsFile: string } {
  const r = prng(opts.seed);
  const knownUsers = opts.knownUsers ?? 20_000;
  const requests = Array.from({ length: opts.requests }, (_, i) => JSON.stringify(generateRequest(r, i, knownUsers)));
  const configDir = join(out, 'config');
  mkdirSync(join(configDir, 'campaigns'), { recursive: true });
  const sample = new URL('../../config/', import.meta.url).pathname;
  writeFileSync(
    join(configDir, 'bidder.yaml'),
    readFileSync(join(sample, 'bidder.yaml'), 'utf8')
      .replace('minLeaseMicros: 200000', 'minLeaseMicros: 1000000000')
      .replace('keyPrefix: "pg:"', 'keyPrefix: "pgbench:"'),
  );
  cpSync(join(sample, 'models'), join(configDir, 'models'), { recursive: true });
  writeFileSync(
    join(configDir, 'channels.yaml'),
    stringify({
      channels: [
        { id: 'ssp-alpha', name: 'Alpha', auctionType: 1, billableEvent: 'bill' },
        { id: 'ssp-beta', name: 'Beta', auctionType: 2, billableEvent: 'win' },
      ],
    }),
  );
  const campaigns = Array.from({ length: opts.campaigns }, (_, i) => generateCampaign(r, i));
  writeFileSync(join(configDir, 'campaigns', 'generated.yaml'), stringify({ campaigns }));
  const segmentsFile = join(out, 'segments.jsonl');
  const lines: string[] = [];
  for (let u = 0; u < knownUsers; u++)
    lines.push(
      JSON.stringify({
        ids: { uid: `user-${u}` },
        segments: [pick(r, kSegments), pick(r, kSegments), pick(r, kSegments)],
        ttl: 86_400,
      }),
    );
  writeFileSync(segmentsFile, `${lines.join('\n')}\n`);
  writeFileSync(join(out, 'requests.json'), JSON.stringify(requests));
  return { requests, configDir, segmentsFile };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : dflt;
  };
  const out = arg('out', 'bench/.corpus/default');
  const c = writeCorpus(out, {
    campaigns: Number(arg('campaigns', '1000')),
    requests: Number(arg('requests', '5000')),
    seed: Number(arg('seed', '1')),
  });
  const sizes = c.requests.map((x) => x.length).sort((a, b) => a - b);
  console.log(
    `wrote ${c.requests.length} requests (bytes p10 ${sizes[Math.floor(sizes.length * 0.1)]}, median ${sizes[sizes.length >> 1]}, p90 ${sizes[Math.floor(sizes.length * 0.9)]}) and config to ${out}`,
  );
}
