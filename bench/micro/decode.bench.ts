/**
 * JSON bid request decoding on a ~1 KB banner request (fixtures/banner-1k.json: site, device with ua/ip/geo,
 * user with eids, regs, source.schain, one imp with format[]). Budget: decode + validate ≤ 15 µs including
 * JSON.parse (ARCHITECTURE.md, "The bid path"). `JSON.parse` alone is printed as the floor, so the walk's own
 * cost is the difference.
 *
 * Run: npx tsx bench/micro/decode.bench.ts
 */
import { readFileSync } from 'node:fs';
import { decodeJsonRequest } from '../../src/openrtb/decode-json.js';
import { runMicro } from './harness.js';

const kBudgetUs = 15;
const kBatch = 20;

const text = readFileSync(new URL('./fixtures/banner-1k.json', import.meta.url), 'utf8').trim();
// What the server hands the decoder: the body bytes as received.
const bytes = new Uint8Array(Buffer.from(text));
const check = decodeJsonRequest(bytes);
if (!check.ok) throw new Error(`fixture must decode: ${check.path}: ${check.message}`);

let sink: unknown;
const results = await runMicro(`decode: ${bytes.length}-byte banner request`, [
  { name: 'JSON.parse(string) only (floor)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = JSON.parse(text); } },
  { name: 'decodeJsonRequest(string)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = decodeJsonRequest(text); } },
  { name: 'decodeJsonRequest(bytes)', batch: kBatch, fn: () => { for (let i = 0; i < kBatch; i++) sink = decodeJsonRequest(bytes); } },
]);
if (sink === undefined) throw new Error('unreachable');

console.log();
for (const r of results) {
  const verdict = r.name.startsWith('decode') ? (r.usPerOp <= kBudgetUs ? `  within the ${kBudgetUs} µs budget` : `  OVER the ${kBudgetUs} µs budget`) : '';
  console.log(`${r.name.padEnd(34)} ${Math.round(r.usPerOp * 1000).toLocaleString('en-US').padStart(7)} ns/op  ${r.usPerOp.toFixed(2).padStart(6)} µs/op  (p99 ${r.p99UsPerOp.toFixed(2)} µs)${verdict}`);
}
// A difference of two means: only meaningful on a quiet machine (compare the p99s to judge the noise).
const walkNs = Math.round((results[1]!.usPerOp - results[0]!.usPerOp) * 1000);
console.log(`walk + validate ≈ decodeJsonRequest(string) − JSON.parse = ${walkNs < 0 ? 'below the noise' : `${walkNs.toLocaleString('en-US')} ns/op`}`);
