import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../../src/openrtb/decode-json.js';
import { decodeProtoRequest } from '../../../../src/openrtb/proto/decode-proto.js';
import { encodeProtoResponse } from '../../../../src/openrtb/proto/encode-proto.js';
import { peregrine } from '../../../../src/openrtb/proto/generated/openrtb.js';
import { MarkupType, type BidRequest } from '../../../../src/openrtb/types.js';
import { jsonToProtoRequest } from '../../../helpers/proto.js';

const pb = peregrine.openrtb;
const examplesDir = new URL('../../../../../shared/openrtb-examples/', import.meta.url);
const examples = readdirSync(examplesDir).filter((f) => f.startsWith('6-2-')).map((f) => ({ name: f, json: JSON.parse(readFileSync(new URL(f, examplesDir), 'utf8')) as Record<string, unknown> }));

/** The fields both decoders fill the same way (JSON keeps `ext` objects protobuf does not carry). */
function comparable(r: BidRequest): unknown {
  return JSON.parse(JSON.stringify({ ...r, ext: undefined, imp: r.imp.map((i) => ({ ...i, ext: undefined })) }));
}

describe('protobuf decoder', () => {
  for (const ex of examples) {
    it(`decodes ${ex.name} exactly as the JSON decoder does`, () => {
      const bytes = pb.BidRequest.encode(jsonToProtoRequest(ex.json)).finish();
      const p = decodeProtoRequest(bytes);
      const j = decodeJsonRequest(JSON.stringify(ex.json));
      expect(p.ok && j.ok).toBe(true);
      if (p.ok && j.ok) expect(comparable(p.request)).toEqual(comparable(j.request));
    });
  }

  it('reads the fields the bidder needs (hand-written expectation for the mobile example)', () => {
    const mobile = examples.find((e) => e.name.includes('mobile'))!;
    const r = decodeProtoRequest(pb.BidRequest.encode(jsonToProtoRequest(mobile.json)).finish());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request).toMatchObject({
      id: 'IxexyLDIIk',
      at: 2,
      bcat: ['IAB25', 'IAB7-39', 'IAB8-18', 'IAB8-5', 'IAB9-9'],
      inventory: { kind: 'app', bundle: '12345', publisher: { id: 'agltb3B1Yi1pbmNyDAsSA0FwcBiJkfTUCV' } },
      device: { os: 'iOS', devicetype: 1, ifa: 'AA000DFE74168477C70D291f574D344790E0BB11' },
    });
    expect(r.request.imp[0]).toMatchObject({ id: '1', bidfloor: 0.5, banner: { formats: [{ w: 728, h: 90 }] } });
  });

  it('skips unknown fields and extensions (Google puts its own in 100-9999)', () => {
    const base = pb.BidRequest.encode({ id: 'x', imp: [{ id: '1', banner: { w: 300, h: 250 } }] }).finish();
    const w = pb.BidRequest.encode({}).uint32((150 << 3) | 2).bytes(new Uint8Array([1, 2, 3, 255])).uint32((9999 << 3) | 0).uint64(7);
    const withExt = new Uint8Array([...base, ...w.finish()]);
    const r = decodeProtoRequest(withExt);
    expect(r.ok).toBe(true);
  });

  it('refuses every truncation of a valid request without throwing, and random bytes likewise', () => {
    const bytes = pb.BidRequest.encode(jsonToProtoRequest(examples[3]!.json)).finish();
    for (let n = 0; n < bytes.length; n++) expect(() => decodeProtoRequest(bytes.subarray(0, n))).not.toThrow();
    expect(decodeProtoRequest(bytes.subarray(0, bytes.length - 3)).ok).toBe(false);
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      expect(() => decodeProtoRequest(junk)).not.toThrow();
    }
  });

  it('validates like the JSON decoder: required id, imps, duplicate imp ids, negative floors', () => {
    const bad = (m: Parameters<typeof pb.BidRequest.encode>[0]) => decodeProtoRequest(pb.BidRequest.encode(m).finish());
    expect(bad({ imp: [{ id: '1', banner: {} }] })).toMatchObject({ ok: false, path: 'id' });
    expect(bad({ id: 'x' })).toMatchObject({ ok: false, path: 'imp' });
    expect(bad({ id: 'x', imp: [{ id: '1', banner: {} }, { id: '1', banner: {} }] })).toMatchObject({ ok: false, path: 'imp[1].id', message: 'duplicate imp id' });
    expect(bad({ id: 'x', imp: [{ id: '1', banner: {}, bidfloor: -1 }] })).toMatchObject({ ok: false, path: 'imp[0].bidfloor' });
    expect(bad({ id: 'x', imp: [{ id: '1' }] })).toMatchObject({ ok: false, path: 'imp[0]' });
  });

  it('encodes a response that decodes back with the same fields', () => {
    const res = { id: 'r', bidid: undefined, cur: 'USD', nbr: undefined, seatbid: [{ seat: 'peregrine', bid: [{ id: 'b', impid: '1', price: 2.5, adm: '<a/>', nurl: 'n', burl: 'b', lurl: 'l', adomain: ['a.example'], cid: 'c', crid: 'cr', cat: ['IAB1'], dealid: 'D', w: 300, h: 250, mtype: MarkupType.Banner, exp: 30 }] }] };
    const back = pb.BidResponse.decode(encodeProtoResponse(res));
    expect(back.id).toBe('r');
    expect(back.seatbid?.[0]?.bid?.[0]).toMatchObject({ id: 'b', impid: '1', price: 2.5, adm: '<a/>', nurl: 'n', burl: 'b', lurl: 'l', adomain: ['a.example'], cid: 'c', crid: 'cr', dealid: 'D', w: 300, h: 250, mtype: 1, exp: 30 });
  });
});

describe('protobuf decoder, many imps', () => {
  it('finds a duplicate imp id among thousands of imps (linear check)', () => {
    const imp = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), banner: { w: 1, h: 1 } }));
    imp.push({ id: '4321', banner: { w: 1, h: 1 } });
    expect(decodeProtoRequest(pb.BidRequest.encode({ id: 'x', imp }).finish())).toMatchObject({ ok: false, path: 'imp[5000].id', message: 'duplicate imp id' });
  });
});
