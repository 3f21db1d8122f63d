/**
 * OpenRTB codec costs on a ~1 KB banner request (bench/micro/fixtures/banner-1k.json): JSON.parse alone
 * (the floor), our decode + validate, and encoding a one-bid response. Run: npm run bench:micro:openrtb
 */
import { readFileSync } from 'node:fs';
import { decodeJsonRequest } from '../../src/openrtb/decode-json.js';
import { encodeJsonResponse } from '../../src/openrtb/encode-json.js';
import { MarkupType, type BidResponse } from '../../src/openrtb/types.js';
import { runMicro } from './harness.js';

const text = readFileSync(new URL('./fixtures/banner-1k.json', import.meta.url), 'utf8');
const bytes = Buffer.from(text);
const token =
  'k1.WzEsIjhmM2MyYTFlLTdiNGQtNGMxYS05ZTJmLTVkNmI3YThjOWUwMSIsIjEiLCJhY21lLXByb3NwZWN0aW5nIiwiYWNtZS1wcm8tMzAweDI1MCIsInNzcC1hbHBoYSIsMjEwMDAwMCwyMTAwMDAwLCJVU0QiLDE3NjM4ODAwMDAsImhvc3QtMTIzNC1hYjEyIiwiMjAyNi0xMS0yMyIsIiIsIiJd.q1w2e3r4t5y6u7i8o9p0aA';
const adm = `<a href="http://localhost:8080/click?t=${token}" target="_blank" rel="noopener"><img src="https://cdn.acmeshoes.example/creatives/acme-pro-300x250.png" width="300" height="250" alt="acmeshoes" style="border:0"></a><img src="http://localhost:8080/notice/bill?t=${token}&p=\${AUCTION_PRICE}" width="1" height="1" style="display:none" alt="">`;
const response: BidResponse = {
  id: '8f3c2a1e-7b4d-4c1a-9e2f-5d6b7a8c9e01',
  bidid: undefined,
  cur: 'USD',
  nbr: undefined,
  seatbid: [
    {
      seat: 'peregrine',
      bid: [
        {
          id: 'host-1234-ab12-1a',
          impid: '1',
          price: 2.1,
          adm,
          nurl: `http://localhost:8080/notice/win?t=${token}&p=\${AUCTION_PRICE}`,
          burl: `http://localhost:8080/notice/bill?t=${token}&p=\${AUCTION_PRICE}`,
          lurl: `http://localhost:8080/notice/loss?t=${token}&p=\${AUCTION_PRICE}&r=\${AUCTION_LOSS}`,
          adomain: ['acmeshoes.example'],
          cid: 'acme-prospecting',
          crid: 'acme-pro-300x250',
          cat: ['IAB18-3'],
          dealid: undefined,
          w: 300,
          h: 250,
          mtype: MarkupType.Banner,
          exp: undefined,
        },
      ],
    },
  ],
};
if (!decodeJsonRequest(bytes).ok) throw new Error('fixture must decode');
console.log(`request: ${bytes.length} bytes; response: ${encodeJsonResponse(response).length} bytes`);
// What the bid path produces: adm pre-escaped from the compiled creative, URLs known safe.
const built: BidResponse = {
  ...response,
  seatbid: [
    { seat: 'peregrine', bid: [{ ...response.seatbid[0]!.bid[0]!, admJson: JSON.stringify(adm), urlsSafe: true }] },
  ],
};
if (encodeJsonResponse(built) !== encodeJsonResponse(response)) throw new Error('shortcuts must not change the output');
await runMicro('OpenRTB JSON codec', [
  {
    name: 'JSON.parse only (floor)',
    batch: 20,
    fn: () => {
      for (let i = 0; i < 20; i++) JSON.parse(bytes.toString());
    },
  },
  {
    name: 'decode + validate (bytes)',
    batch: 20,
    fn: () => {
      for (let i = 0; i < 20; i++) decodeJsonRequest(bytes);
    },
  },
  {
    name: 'encode 1-bid response (generic)',
    batch: 20,
    fn: () => {
      for (let i = 0; i < 20; i++) encodeJsonResponse(response);
    },
  },
  {
    name: 'encode 1-bid response (as built by the bid path)',
    batch: 20,
    fn: () => {
      for (let i = 0; i < 20; i++) encodeJsonResponse(built);
    },
  },
]);
