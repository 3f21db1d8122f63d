/**
 * JSON bid response encoding for a realistic one-bid banner response (HTML markup with quotes, three notice
 * URLs carrying a signed token). Budget: ≤ 5 µs (ARCHITECTURE.md, "The bid path"). Two cases: a generic
 * `BidResponse` (every string scanned, the markup escaped), and one as the bid path builds it (`admJson`
 * escaped at creative compile time, `urlsSafe`), plus `JSON.stringify` of the object for scale.
 *
 * Run: npx tsx bench/micro/encode.bench.ts
 */
import { encodeJsonResponse } from '../../src/openrtb/encode-json.js';
import { MarkupType, type Bid, type BidResponse } from '../../src/openrtb/types.js';
import { runMicro } from './harness.js';

const kBudgetUs = 5;
const kBatch = 50;

const token = 'k1.WzEsIjhmM2MyYTFlLTdiNGQtNGMxYS05ZTJmLTVkNmI3YThjOWUwMSIsIjEiLCJhY21lLXByb3NwZWN0aW5nIiwiYWNtZS1wcm8tMzAweDI1MCIsInNzcC1hbHBoYSIsMjEwMDAwMCwyMTAwMDAwLCJVU0QiLDE3NjM4ODAwMDAsImhvc3QtMTIzNC1hYjEyIiwiMjAyNi0xMS0yMyIsIiIsIiJd.q1w2e3r4t5y6u7i8o9p0aA';
const notice = (kind: string): string => `https://bid.peregrine.example/notice/${kind}?t=${token}&p=\${AUCTION_PRICE}`;
const adm =
  `<a href="https://bid.peregrine.example/click?t=${token}" target="_blank" rel="noopener">` +
  '<img src="https://cdn.acmeshoes.example/creatives/acme-pro-300x250.png" width="300" height="250" alt="acmeshoes" style="border:0"></a>' +
  `<img src="${notice('bill')}" width="1" height="1" style="display:none" alt="">`;

const bid: Bid = {
  id: 'host-1234-ab12-1a',
  impid: '1',
  price: 2.1,
  adm,
  nurl: notice('win'),
  burl: notice('bill'),
  lurl: `${notice('loss')}&r=\${AUCTION_LOSS}`,
  adomain: ['acmeshoes.example'],
  cid: 'acme-prospecting',
  crid: 'acme-pro-300x250',
  cat: ['IAB18-3'],
  dealid: undefined,
  w: 300,
  h: 250,
  mtype: MarkupType.Banner,
  exp: undefined,
};
const generic: BidResponse = { id: '8f3c2a1e-7b4d-4c1a-9e2f-5d6b7a8c9e01', bidid: undefined, cur: 'USD', seatbid: [{ seat: 'peregrine', bid: [bid] }], nbr: undefined };
const built: BidResponse = { ...generic, seatbid: [{ seat: 'peregrine', bid: [{ ...bid, admJson: JSON.stringify(adm), urlsSafe: true }] }] };
const noBid: BidResponse = { id: generic.id, bidid: undefined, cur: 'USD', seatbid: [], nbr: 2 };

const out = encodeJsonResponse(generic);
if (out !== encodeJsonResponse(built)) throw new Error('the encoding shortcuts must not change the output');
console.log(`response: ${Buffer.byteLength(out)} bytes, markup ${adm.length} chars`);

let sink = '';
const results = await runMicro('encode: one-bid banner response', [
  { name: 'encodeJsonResponse (generic bid)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = encodeJsonResponse(generic); } },
  { name: 'encodeJsonResponse (as built by the bid path)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = encodeJsonResponse(built); } },
  { name: 'encodeJsonResponse (no-bid, nbr)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = encodeJsonResponse(noBid); } },
  { name: 'JSON.stringify(response) (for scale)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = JSON.stringify(generic); } },
]);
if (sink === '') throw new Error('unreachable');

console.log();
for (const r of results) {
  const verdict = r.name.startsWith('encode') ? (r.usPerOp <= kBudgetUs ? `  within the ${kBudgetUs} µs budget` : `  OVER the ${kBudgetUs} µs budget`) : '';
  console.log(`${r.name.padEnd(46)} ${Math.round(r.usPerOp * 1000).toLocaleString('en-US').padStart(7)} ns/op  ${r.usPerOp.toFixed(2).padStart(6)} µs/op  (p99 ${r.p99UsPerOp.toFixed(2)} µs)${verdict}`);
}
