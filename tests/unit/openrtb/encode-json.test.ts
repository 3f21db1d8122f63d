import { describe, expect, it } from 'vitest';
import { encodeJsonResponse, jsonString } from '../../../src/openrtb/encode-json.js';
import { MarkupType, type Bid, type BidResponse, type SeatBid } from '../../../src/openrtb/types.js';

const bid = (over: Partial<Bid> = {}): Bid => ({
  id: 'b1',
  impid: '1',
  price: 2.5,
  adm: '<a href="x">ad</a>',
  nurl: 'http://n/${AUCTION_PRICE}',
  burl: undefined,
  lurl: undefined,
  adomain: ['adv.example'],
  cid: 'c',
  crid: 'cr',
  cat: undefined,
  dealid: undefined,
  w: 300,
  h: 250,
  mtype: MarkupType.Banner,
  exp: undefined,
  ...over,
});
const res = (bids: Bid[], over: Partial<BidResponse> = {}): BidResponse => ({
  id: 'r1',
  bidid: undefined,
  cur: 'USD',
  seatbid: [{ seat: 'peregrine', bid: bids }],
  nbr: undefined,
  ...over,
});

/** The obvious JSON of a response: what JSON.stringify makes of it, without the two encoding shortcuts. */
function obvious(r: BidResponse): unknown {
  return JSON.parse(
    JSON.stringify(r, (key, value: unknown) => (key === 'admJson' || key === 'urlsSafe' ? undefined : value)),
  );
}

function roundTrip(r: BidResponse): void {
  const text = encodeJsonResponse(r);
  expect(JSON.parse(text)).toEqual(obvious(r));
}

const kHostile = [
  '"quoted"',
  'back\\slash',
  'line\nbreak\ttab\r',
  '\u0000\u001f\u007f',
  'émoji 🦅',
  '</script><script>alert(1)</script>',
  '\u2028\u2029',
  '\ud800 lone',
  'lone \udfff',
  '${AUCTION_PRICE}',
  '\\u0041',
  '\b\f',
];

describe('JSON encoder', () => {
  it('produces JSON equal to the obvious serialisation, omitting undefined fields', () => {
    const r = res([
      bid(),
      bid({ id: 'b2', dealid: 'D', cat: ['IAB1'], exp: 300, w: undefined, h: undefined, mtype: MarkupType.Native }),
    ]);
    roundTrip(r);
    expect(encodeJsonResponse(r)).not.toContain('undefined');
    expect(
      Object.keys(JSON.parse(encodeJsonResponse(res([bid({ adm: undefined, nurl: undefined })]))) as object),
    ).toEqual(['id', 'cur', 'seatbid']);
  });
  it('escapes every hostile string correctly, short or long', () => {
    for (const s of kHostile) {
      for (const t of [s, s.repeat(20)]) {
        roundTrip(
          res([bid({ adm: t, id: t, crid: t, nurl: t, adomain: [t, 'ok'], cat: [t] })], { id: t, bidid: t, cur: t }),
        );
      }
    }
  });
  it('writes the bid path shortcuts as given: adm pre-escaped, URLs known safe', () => {
    const adm = '<img src="https://x.example/a.png">';
    const plain = res([bid({ adm, nurl: 'https://n.example/w?p=${AUCTION_PRICE}' })]);
    const built = res([
      bid({ adm, admJson: JSON.stringify(adm), nurl: 'https://n.example/w?p=${AUCTION_PRICE}', urlsSafe: true }),
    ]);
    expect(encodeJsonResponse(built)).toBe(encodeJsonResponse(plain));
  });
  it('encodes an empty seatbid with a no-bid reason (the Prebid no-bid)', () => {
    expect(JSON.parse(encodeJsonResponse({ id: 'r', bidid: undefined, cur: 'USD', seatbid: [], nbr: 8 }))).toEqual({
      id: 'r',
      cur: 'USD',
      seatbid: [],
      nbr: 8,
    });
  });
  it('writes numbers as JSON.stringify does, and a non-finite one as null (still valid JSON)', () => {
    for (const price of [0, 1, 2.5, 0.1 + 0.2, 1e-7, 123456.789, 1e21, -0]) roundTrip(res([bid({ price })]));
    expect(
      JSON.parse(encodeJsonResponse(res([bid({ price: Number.NaN, w: Number.POSITIVE_INFINITY })]))),
    ).toMatchObject({ seatbid: [{ bid: [{ price: null, w: null }] }] });
  });
  it('leaves plain short strings unescaped (fast path)', () => {
    expect(jsonString('acme-prospecting_1.2')).toBe('"acme-prospecting_1.2"');
    expect(jsonString('')).toBe('""');
    expect(jsonString('a"b')).toBe('"a\\"b"');
  });
});

/** mulberry32, as in the decoder fuzz test. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that exercise every escaping rule: ASCII, quotes, backslash, controls, BMP, astral pairs, lone surrogates. */
const kPieces = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  '.',
  '/',
  ':',
  '?',
  '&',
  '=',
  ' ',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001b',
  '\u007f',
  'é',
  '€',
  '中',
  '\u2028',
  '🦅',
  '\ud83d',
  '\ude00',
  '</script>',
  '${AUCTION_PRICE}',
  '<',
  '>',
];

function generatedResponse(r: () => number): BidResponse {
  const int = (n: number): number => Math.floor(r() * n);
  const text = (): string => {
    let s = '';
    // Mostly short (the scanned path), sometimes past the 64-char cut-off (the JSON.stringify path).
    for (let n = r() < 0.8 ? int(24) : 64 + int(200); n > 0; n--)
      s += r() < 0.6 ? 'abcdefghij'[int(10)]! : kPieces[int(kPieces.length)]!;
    return s;
  };
  const maybe = <T>(make: () => T): T | undefined => (r() < 0.5 ? make() : undefined);
  const list = (): string[] => Array.from({ length: int(4) }, text);
  const seatbid: SeatBid[] = Array.from({ length: int(3) }, () => ({
    seat: maybe(text),
    bid: Array.from({ length: 1 + int(3) }, (): Bid => {
      const adm = maybe(text);
      const urls = [maybe(text), maybe(text), maybe(text)] as const;
      const urlsSafe = urls.every((u) => u === undefined || JSON.stringify(u) === `"${u}"`) && r() < 0.5;
      return {
        id: text(),
        impid: text(),
        price: r() < 0.3 ? int(100) : Math.round(r() * 1e6) / 1e4,
        adm,
        nurl: urls[0],
        burl: urls[1],
        lurl: urls[2],
        adomain: list(),
        cid: text(),
        crid: text(),
        cat: maybe(list),
        dealid: maybe(text),
        w: maybe(() => int(2000)),
        h: maybe(() => int(2000)),
        mtype: (1 + int(4)) as MarkupType,
        exp: maybe(() => int(3600)),
        ...(adm !== undefined && r() < 0.3 ? { admJson: JSON.stringify(adm) } : {}),
        ...(urlsSafe ? { urlsSafe } : {}),
      };
    }),
  }));
  return {
    id: text(),
    bidid: maybe(text),
    cur: r() < 0.8 ? 'USD' : text(),
    seatbid,
    nbr: seatbid.length === 0 ? maybe(() => int(20)) : undefined,
  };
}

describe('JSON encoder on generated responses', () => {
  it('round-trips 2,000 generated responses with hostile strings to their obvious JSON', () => {
    const r = mulberry32(0xe4c0de);
    for (let i = 0; i < 2000; i++) {
      const response = generatedResponse(r);
      const text = encodeJsonResponse(response);
      let parsed: unknown;
      expect(() => (parsed = JSON.parse(text)), `#${i} is not JSON: ${text.slice(0, 200)}`).not.toThrow();
      expect(parsed, `#${i}`).toEqual(obvious(response));
    }
  });
});
