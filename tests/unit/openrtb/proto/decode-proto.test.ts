/**
 * The protobuf request decoder against the OpenRTB 2.6 spec examples: requests encoded with the generated
 * encoder (so field numbers come from proto/openrtb.proto) decode to the same internal objects the JSON
 * decoder produces; two examples also against expectations written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../../src/openrtb/decode-json.js';
import { decodeProtoRequest } from '../../../../src/openrtb/proto/decode-proto.js';
import type { BidRequest } from '../../../../src/openrtb/types.js';
import { richRequest, specExample, specExamples, type Json } from './fixtures.js';
import { encodeJsonAsProto } from './json-to-proto.js';

function decodeViaProto(json: Json): BidRequest {
  const r = decodeProtoRequest(encodeJsonAsProto(json));
  if (!r.ok) throw new Error(`protobuf decode failed: ${r.path}: ${r.message}`);
  return r.request;
}

function decodeViaJson(json: Json): BidRequest {
  const r = decodeJsonRequest(JSON.stringify(json));
  if (!r.ok) throw new Error(`JSON decode failed: ${r.path}: ${r.message}`);
  return r.request;
}

/** The JSON decoder keeps `ext` objects raw; protobuf's `ext` is opaque. Everything else must be equal. */
function withoutExt(r: BidRequest): BidRequest {
  return { ...r, ext: undefined, imp: r.imp.map((i) => ({ ...i, ext: undefined })) };
}

const kSite = {
  kind: 'site',
  id: '102855',
  name: undefined,
  domain: 'www.foobar.com',
  page: 'http://www.foobar.com/1234.html',
  bundle: undefined,
  cat: ['IAB3-1'],
  publisher: { id: '8953', name: 'foobar.com', domain: 'foobar.com' },
} as const;

const kNoRegs = { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined };

function user(id: string) {
  return { id, buyeruid: undefined, consent: undefined, eids: [], geo: undefined };
}

function banner300x250() {
  return { formats: [{ w: 300, h: 250 }], w: 300, h: 250, battr: undefined, pos: 0 };
}

const kRequestDefaults = {
  device: undefined,
  regs: kNoRegs,
  source: undefined,
  tmax: undefined,
  bcat: undefined,
  badv: undefined,
  bapp: undefined,
  battr: undefined,
  wseat: undefined,
  bseat: undefined,
  test: false,
  ext: undefined,
};

const kImpDefaults = {
  video: undefined,
  audio: undefined,
  native: undefined,
  pmp: undefined,
  tagid: undefined,
  bidfloorcur: 'USD',
  secure: false,
  instl: false,
  ext: undefined,
};

describe('protobuf decoder: the OpenRTB 2.6 examples (§6.2)', () => {
  it('has the five request examples to test', () => {
    expect(specExamples.length).toBe(5);
  });

  for (const ex of specExamples) {
    it(`decodes ${ex.name} to what the JSON decoder produces`, () => {
      expect(decodeViaProto(ex.json)).toStrictEqual(withoutExt(decodeViaJson(ex.json)));
    });
  }

  it('decodes example 1 (simple banner) to the hand-written expectation', () => {
    expect(decodeViaProto(specExample('example-1-simple-banner'))).toStrictEqual({
      ...kRequestDefaults,
      id: '80ce30c53c16e6ede735f123ef6e32361bfc7b22',
      imp: [{ ...kImpDefaults, id: '1', banner: banner300x250(), bidfloor: 0.03 }],
      inventory: kSite,
      user: user('55816b39711f9b5acf3b90e313ed29e51665623f'),
      at: 1,
      cur: ['USD'],
    });
  });

  it('decodes example 5 (PMP with direct deals) to the hand-written expectation', () => {
    expect(decodeViaProto(specExample('example-5-pmp'))).toStrictEqual({
      ...kRequestDefaults,
      id: '80ce30c53c16e6ede735f123ef6e32361bfc7b22',
      imp: [
        {
          ...kImpDefaults,
          id: '1',
          banner: banner300x250(),
          bidfloor: 0.03,
          pmp: {
            private_auction: true,
            deals: [
              { id: 'AB-Agency1-0001', bidfloor: 2.5, bidfloorcur: 'USD', at: 1, wseat: ['Agency1'] },
              { id: 'XY-Agency2-0001', bidfloor: 2, bidfloorcur: 'USD', at: 2, wseat: ['Agency2'] },
            ],
          },
        },
      ],
      inventory: kSite,
      device: {
        ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_6_8) AppleWebKit/537.13 (KHTML, like Gecko) Version/5.1.7 Safari/534.57.2',
        ip: undefined,
        ipv6: undefined,
        geo: undefined,
        devicetype: undefined,
        os: undefined,
        osv: undefined,
        make: undefined,
        model: undefined,
        ifa: undefined,
        lmt: false,
        dnt: false,
        language: undefined,
      },
      user: user('55816b39711f9b5acf3b90e313ed29e51665623f'),
      at: 1,
      cur: ['USD'],
    });
  });

  it('reads the mobile example (3) and the video example (4) where they differ from a banner', () => {
    const mobile = decodeViaProto(specExample('example-3-mobile'));
    expect(mobile).toMatchObject({
      id: 'IxexyLDIIk',
      at: 2,
      bcat: ['IAB25', 'IAB7-39', 'IAB8-18', 'IAB8-5', 'IAB9-9'],
      badv: ['apple.com', 'go-text.me', 'heywire.com'],
      inventory: {
        kind: 'app',
        bundle: '12345',
        domain: undefined,
        publisher: { id: 'agltb3B1Yi1pbmNyDAsSA0FwcBiJkfTUCV' },
      },
      device: {
        os: 'iOS',
        osv: '6.1',
        make: 'Apple',
        devicetype: 1,
        ifa: 'AA000DFE74168477C70D291f574D344790E0BB11',
        dnt: false,
        language: 'en',
      },
    });
    expect(mobile.imp[0]).toMatchObject({
      tagid: 'agltb3B1Yi1pbmNyDQsSBFNpdGUY7fD0FAw',
      bidfloor: 0.5,
      instl: false,
      banner: { formats: [{ w: 728, h: 90 }], battr: [14], pos: 1 },
    });
    const video = decodeViaProto(specExample('example-4-video'));
    expect(video.tmax).toBe(120);
    expect(video.imp[0]!.video).toStrictEqual({
      mimes: ['video/x-flv', 'video/mp4', 'application/javascript'],
      protocols: [2, 3],
      minduration: 5,
      maxduration: 30,
      w: 640,
      h: 480,
      startdelay: 0,
      plcmt: undefined,
      placement: undefined,
      linearity: 1,
      battr: [13, 14],
    });
  });
});

describe('protobuf decoder: every field the bidder reads', () => {
  it('decodes a request setting all of them exactly as the JSON decoder does', () => {
    const rich = richRequest();
    expect(decodeViaProto(rich)).toStrictEqual(withoutExt(decodeViaJson(rich)));
  });

  it('derives what the JSON decoder derives: sizes, site domain from the page, native text, defaults', () => {
    const r = decodeViaProto(richRequest());
    expect(r.imp[0]!.banner!.formats).toStrictEqual([
      { w: 300, h: 250 },
      { w: 300, h: 600 },
    ]);
    expect(r.inventory).toMatchObject({ kind: 'site', domain: 'news.example' });
    expect(JSON.parse(r.imp[4]!.native!.request)).toStrictEqual({
      ver: '1.2',
      assets: [{ id: 2, img: { type: 3, w: 1200, h: 627 } }],
    });
    expect(r.imp[1]).toMatchObject({ bidfloor: 0, bidfloorcur: 'USD', secure: false, instl: false });
    expect(r.imp[0]!.pmp!.deals[1]).toStrictEqual({
      id: 'D2',
      bidfloor: 0,
      bidfloorcur: 'USD',
      at: undefined,
      wseat: undefined,
    });
    expect(r.user!.eids).toStrictEqual([
      { source: 'id5-sync.com', uids: [{ id: 'ID5*x', atype: 1 }] },
      { source: 'liveramp.com', uids: [{ id: 'LR-1', atype: undefined }] },
    ]);
    expect(r.regs).toStrictEqual({
      coppa: true,
      gdpr: true,
      us_privacy: '1YNN',
      gpp: 'DBABMA~CPXxRfA',
      gpp_sid: [2, 6],
    });
    expect(r.source).toStrictEqual({
      tid: 'tid-1',
      fd: true,
      schain: {
        complete: true,
        nodes: [
          { asi: 'exchange.example', sid: '88', hp: true },
          { asi: 'reseller.example', sid: '9', hp: false },
        ],
      },
    });
  });

  it('reads app and dooh inventory (dooh has its own field numbers for publisher and domain)', () => {
    const { site: _site, ...base } = richRequest();
    const app = {
      ...base,
      app: {
        id: 'a1',
        name: 'Weather',
        bundle: 'com.weather',
        domain: 'weather.example',
        cat: ['IAB15'],
        publisher: { id: 'p2' },
      },
    };
    expect(decodeViaProto(app)).toStrictEqual(withoutExt(decodeViaJson(app)));
    const dooh = {
      ...base,
      dooh: {
        id: 'd1',
        name: 'Times Sq',
        domain: 'screens.example',
        venuetype: ['transit'],
        publisher: { id: 'p3', name: 'Screens' },
      },
    };
    expect(decodeViaProto(dooh)).toStrictEqual(withoutExt(decodeViaJson(dooh)));
    expect(decodeViaProto(dooh).inventory).toStrictEqual({
      kind: 'dooh',
      id: 'd1',
      name: 'Times Sq',
      domain: 'screens.example',
      page: undefined,
      bundle: undefined,
      cat: undefined,
      publisher: { id: 'p3', name: 'Screens', domain: undefined },
    });
  });

  it('takes at = 0 (unset in proto3-style encoders) as the default 2', () => {
    expect(decodeViaProto({ ...specExample('example-1'), at: 0 }).at).toBe(2);
    const { at: _at, ...noAt } = specExample('example-1');
    expect(decodeViaProto(noAt).at).toBe(2);
  });
});
