/**
 * Scoring: inline CPU per request (10 candidates: request features, candidate rows, pCTR + pCVR with the
 * shipped models, strategies, first-price shading), its parts, and the worker pool's round trip — wall time
 * and, what matters for the bidder, event-loop time per task (event-loop utilisation).
 * Run: npm run bench:micro:scoring
 */
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../src/clock.js';
import type { BidRequest } from '../../src/openrtb/types.js';
import {
  compileCampaignScoring,
  ScoringService,
  type CandidateInput,
  type ScoringCampaign,
} from '../../src/scoring/index.js';
import { bucket } from '../../src/scoring/experiments.js';
import { scoreTask } from '../../src/scoring/kernel.js';
import { shadePrice } from '../../src/scoring/shading-math.js';
import { prng, runMicro } from './harness.js';

const kNow = Date.parse('2026-11-23T15:00:00Z');
const req: BidRequest = {
  id: 'bench-1',
  imp: [
    {
      id: '1',
      banner: { formats: [{ w: 300, h: 250 }], w: 300, h: 250, battr: undefined, pos: 1 },
      video: undefined,
      audio: undefined,
      native: undefined,
      pmp: undefined,
      tagid: 'site42.example/slot1',
      bidfloor: 0.5,
      bidfloorcur: 'USD',
      secure: true,
      instl: false,
      ext: undefined,
    },
  ],
  inventory: {
    kind: 'site',
    id: 's1',
    name: 'News',
    domain: 'site42.example',
    page: 'https://site42.example/a',
    bundle: undefined,
    cat: ['IAB12'],
    publisher: { id: 'pub42', name: undefined, domain: undefined },
  },
  device: {
    ua: 'Mozilla/5.0',
    ip: '203.0.113.7',
    ipv6: undefined,
    geo: { country: 'USA', region: 'CA', city: undefined, lat: undefined, lon: undefined, utcoffset: -480 },
    devicetype: 2,
    os: 'Windows',
    osv: undefined,
    make: undefined,
    model: undefined,
    ifa: undefined,
    lmt: false,
    dnt: false,
    language: 'en',
  },
  user: undefined,
  regs: { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined },
  source: undefined,
  at: 1,
  tmax: 120,
  cur: ['USD'],
  bcat: undefined,
  badv: undefined,
  bapp: undefined,
  battr: undefined,
  wseat: undefined,
  bseat: undefined,
  test: false,
  ext: undefined,
};
const profile = {
  personId: 'person-7',
  segments: new Set(['seg0', 'seg3', 'seg11', 'stage:consideration']),
  frequency: new Map<string, number>(),
};

function campaigns(n: number): ScoringCampaign[] {
  const kinds = [
    { bid: { strategy: 'target_cpa', cpa: 30, maxCpm: 12 } },
    { bid: { strategy: 'target_cpc', cpc: 0.8, maxCpm: 10 } },
    { bid: { strategy: 'max_cpm', cpm: 4 } },
  ] as const;
  return Array.from({ length: n }, (_, i) =>
    compileCampaignScoring(`cmp${i}`, {
      ...kinds[i % 3]!,
      multipliers: {
        channels: { 'ssp-alpha': 1.1 },
        stages: { 'stage:consideration': 1.2 },
        dayparts: [{ days: ['mon'], hours: [9, 18], multiplier: 1.3 }],
      },
      ...(i === 0
        ? {
            experiments: [
              {
                id: 'e1',
                holdout: 0.05,
                arms: [
                  { id: 'a', weight: 1 },
                  { id: 'b', weight: 1 },
                ],
              },
            ],
          }
        : {}),
    }),
  );
}

function candidates(cs: readonly ScoringCampaign[]): CandidateInput[] {
  return cs.map((c, i) => ({
    impIndex: 0,
    placement: 'site42.example/slot1',
    campaign: c,
    creative: { id: `cr${i % 3}`, format: 'banner', w: 300, h: 250 },
    floorMicros: 500_000,
    firstPrice: true,
    hourOfWeek: 15,
    pacingMultiplier: 0.9,
  }));
}

const clock = new VirtualClock(kNow);
const inline = await ScoringService.create(
  { mode: 'inline', modelsDir: 'config/models', watchModels: false },
  { clock },
);
const r = prng(1);
for (let i = 0; i < 2000; i++) {
  const bid = 500_000 + Math.floor(r() * 4_000_000);
  const need = 1_500_000 * Math.exp(0.5 * Math.log(r() / (1 - r())));
  inline.shading.observe('ssp-alpha', bid, bid >= need, need);
}
const c10 = candidates(campaigns(10));
const c100 = candidates(campaigns(100));
const input = { req, channelId: 'ssp-alpha', nowMs: kNow, profile, stage: 'stage:consideration' } as const;

function request(s: ScoringService, cands: readonly CandidateInput[]): number {
  const b = s.begin(input);
  for (const c of cands) b.add(c);
  s.run(b, Infinity);
  let best = 0;
  for (let i = 0; i < b.n; i++) if (b.priceMicros(i) > best) best = b.priceMicros(i);
  s.release(b);
  return best;
}

console.log(`best price of the 10-candidate request: ${request(inline, c10) / 1e6} CPM`);
const kernelBatch = inline.begin(input);
for (const c of c10) kernelBatch.add(c);
const sealed = kernelBatch.seal(inline.registry.table.gen, Infinity);
const exp = c10[0]!.campaign.experiments[0]!;
let sink = 0;

await runMicro('scoring, inline (µs per request unless noted)', [
  {
    name: 'request: begin + 10 × add + run + read (10 candidates)',
    batch: 50,
    fn: () => {
      for (let k = 0; k < 50; k++) sink += request(inline, c10);
    },
  },
  {
    name: 'request: 100 candidates',
    batch: 5,
    fn: () => {
      for (let k = 0; k < 5; k++) sink += request(inline, c100);
    },
  },
  {
    name: 'kernel only (10 candidates, 2 models, shading)',
    batch: 50,
    fn: () => {
      for (let k = 0; k < 50; k++) scoreTask(inline.registry.table, sealed);
    },
  },
  {
    name: 'begin (request features, hashed once)',
    batch: 50,
    fn: () => {
      for (let k = 0; k < 50; k++) inline.release(inline.begin(input));
    },
  },
  {
    name: 'shadePrice (one candidate)',
    batch: 1000,
    fn: () => {
      for (let k = 0; k < 1000; k++) sink += shadePrice(1_000_000 + k * 997, 200_000, -20, 1.4, 1, 1);
    },
  },
  {
    name: 'experiment bucket (one unit)',
    batch: 1000,
    fn: () => {
      for (let k = 0; k < 1000; k++) sink += bucket(exp, 'person-7');
    },
  },
]);

/** Pool round trips: wall µs per task and event-loop µs per task (the bidder's scarce resource). */
async function poolFigures(
  threads: number,
  cands: readonly CandidateInput[],
  inFlight: number,
  tasks: number,
): Promise<Record<string, string>> {
  const pool = await ScoringService.create(
    { mode: 'pool', modelsDir: 'config/models', watchModels: false, pool: { threads, taskDeadlineMs: 1_000 } },
    { clock },
  );
  const one = async () => {
    const b = pool.begin(input);
    for (const c of cands) b.add(c);
    const out = await pool.run(b, Infinity);
    if (!out.ok) throw new Error(`no score: ${out.reason}`);
    pool.release(b);
  };
  for (let i = 0; i < 200; i++) await one();
  const e0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let left = tasks;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await one();
    }),
  );
  const wall = ((performance.now() - t0) * 1000) / tasks;
  const loop = (performance.eventLoopUtilization(e0).active * 1000) / tasks;
  await pool.close();
  return {
    threads: String(threads),
    candidates: String(cands.length),
    'in flight': String(inFlight),
    'wall µs/task': wall.toFixed(1),
    'event-loop µs/task': loop.toFixed(1),
  };
}

const rows = [];
for (const [threads, cands, inFlight] of [
  [1, c10, 1],
  [1, c10, 4],
  [2, c10, 4],
  [1, c100, 1],
  [1, c100, 4],
] as const)
  rows.push(await poolFigures(threads, cands, inFlight, 5_000));
console.log(`\nscoring pool round trip (node ${process.version}, ${(await import('node:os')).cpus().length} cores)`);
console.table(rows);
await inline.close();
if (sink === 42) console.log(''); // keep results alive
