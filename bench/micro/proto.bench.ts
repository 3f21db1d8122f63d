/**
 * Protobuf request decode of the ~1.1 KB-JSON banner request the JSON codec benchmark uses
 * (fixtures/banner-1k.json), into the internal `BidRequest`; for comparison the generated static decoder
 * on the same bytes (message objects only, before any mapping or validation: what the hand-written decoder
 * was chosen over) and the JSON decoder on the JSON text; the same request carrying the parts exchanges add
 * that the bidder never reads (content, data segments, UA client hints); and the protobuf response encode.
 * Target (ARCHITECTURE.md): protobuf decode ≤ 10 µs. Run: npm run bench:micro:proto (npx tsx bench/micro/proto.bench.ts)
 */
import { readFileSync } from 'node:fs';
import { decodeJsonRequest } from '../../src/openrtb/decode-json.js';
import { decodeProtoRequest } from '../../src/openrtb/proto/decode-proto.js';
import { encodeProtoResponse } from '../../src/openrtb/proto/encode-proto.js';
import { openrtb } from '../../src/openrtb/proto/generated/openrtb.js';
import { MarkupType, type BidResponse } from '../../src/openrtb/types.js';
import { encodeJsonAsProto } from '../../tests/unit/openrtb/proto/json-to-proto.js';
import { runMicro } from './harness.js';

const text = readFileSync(new URL('./fixtures/banner-1k.json', import.meta.url), 'utf8');
const json = Buffer.from(text);
const fixture = JSON.parse(text) as Record<string, unknown>;
const bytes = Buffer.from(encodeJsonAsProto(fixture));
if (!decodeProtoRequest(bytes).ok) throw new Error('fixture must decode');

/** The same request with what real exchanges add and the bidder does not read: content, data segments, UA hints. */
const segments = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `seg-${i}`, name: `segment ${i}`, value: String(i) }));
const heavy = {
  ...fixture,
  site: {
    ...(fixture.site as object),
    content: {
      id: 'c-1',
      title: 'World news',
      keywords: 'world,politics,economy',
      cat: ['IAB12'],
      language: 'en',
      data: [{ id: 'ctx', segment: segments(5) }],
    },
  },
  user: {
    ...(fixture.user as object),
    data: [
      { id: 'dp-1', name: 'provider one', segment: segments(8) },
      { id: 'dp-2', segment: segments(8) },
    ],
  },
  device: {
    ...(fixture.device as object),
    sua: {
      browsers: [
        { brand: 'Chromium', version: ['131', '0'] },
        { brand: 'Google Chrome', version: ['131', '0'] },
      ],
      platform: { brand: 'Windows', version: ['10', '0'] },
      mobile: 0,
      source: 2,
    },
  },
};
const heavyBytes = Buffer.from(encodeJsonAsProto(heavy));
if (!decodeProtoRequest(heavyBytes).ok) throw new Error('heavy fixture must decode');

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
          id: 'b-1',
          impid: '1',
          price: 1.37,
          adm: '<a href="https://ads.example/c?t=abc"><img src="https://cdn.example/300x250.png" width="300" height="250"></a>',
          nurl: 'https://bid.example/notice/win?t=abc&p=${AUCTION_PRICE}',
          burl: 'https://bid.example/notice/bill?t=abc&p=${AUCTION_PRICE}',
          lurl: undefined,
          adomain: ['brand.example'],
          cid: 'c-42',
          crid: 'cr-7',
          cat: ['IAB12'],
          dealid: undefined,
          w: 300,
          h: 250,
          mtype: MarkupType.Banner,
          exp: 300,
        },
      ],
    },
  ],
};

console.log(
  `request: JSON ${json.length} bytes, protobuf ${bytes.length} bytes (with content/segments/UA hints: ${heavyBytes.length}); response: protobuf ${encodeProtoResponse(response).length} bytes`,
);
const n = 20;
await runMicro('protobuf codec (per operation)', [
  {
    name: 'protobuf decode + validate → BidRequest',
    batch: n,
    fn: () => {
      for (let i = 0; i < n; i++) decodeProtoRequest(bytes);
    },
  },
  {
    name: 'generated decoder, messages only (reference)',
    batch: n,
    fn: () => {
      for (let i = 0; i < n; i++) openrtb.BidRequest.decode(bytes);
    },
  },
  {
    name: '  + content, segments, UA hints: decode → BidRequest',
    batch: n,
    fn: () => {
      for (let i = 0; i < n; i++) decodeProtoRequest(heavyBytes);
    },
  },
  {
    name: '  + content, segments, UA hints: generated decoder',
    batch: n,
    fn: () => {
      for (let i = 0; i < n; i++) openrtb.BidRequest.decode(heavyBytes);
    },
  },
  {
    name: 'JSON decode + validate → BidRequest',
    batch: n,
    fn: () => {
      for (let i = 0; i < n; i++) decodeJsonRequest(json);
    },
  },
  {
    name: 'protobuf response encode',
    batch: n,
    fn: () => {
      for (let i = 0; i < n; i++) encodeProtoResponse(response);
    },
  },
]);
