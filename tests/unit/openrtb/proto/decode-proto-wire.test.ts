/**
 * The protobuf decoder on wire-level variations real exchanges produce: unknown fields and Google's
 * extensions (skipped), IAB's packed vs Google's unpacked repeated enums, split (merged) messages,
 * `native.request_native`, known fields with an unexpected wire type, and Buffer vs Uint8Array input.
 */
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { decodeProtoRequest } from '../../../../src/openrtb/proto/decode-proto.js';
import { openrtb } from '../../../../src/openrtb/proto/generated/openrtb.js';
import type { BidRequest } from '../../../../src/openrtb/types.js';
import { richRequest } from './fixtures.js';
import { encodeJsonAsProto } from './json-to-proto.js';

const { Writer } = protobuf;
const pb = openrtb;

function ok(bytes: Uint8Array): BidRequest {
  const r = decodeProtoRequest(bytes);
  if (!r.ok) throw new Error(`decode failed: ${r.path}: ${r.message}`);
  return r.request;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Unknown fields of every wire type, as an exchange or a newer schema might add them. */
function unknownFields(): Uint8Array {
  const w = Writer.create();
  w.uint32((150 << 3) | 2).bytes(Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0x80, 0x07, 0x12, 0x34])); // field 150: garbage bytes
  w.uint32((9999 << 3) | 0).uint64(2 ** 40); // varint at the top of Google's extension range
  w.uint32((1001 << 3) | 1).fixed64(7); // 64-bit
  w.uint32((300 << 3) | 5).fixed32(9); // 32-bit
  w.uint32((200 << 3) | 3)
    .uint32((1 << 3) | 0)
    .uint32(1)
    .uint32((200 << 3) | 4); // a group, proto2's old nesting
  w.uint32((99 << 3) | 2)
    .fork()
    .uint32((1 << 3) | 2)
    .string('{"exchange":"specific"}')
    .ldelim(); // IAB ext
  return w.finish();
}

describe('protobuf decoder: unknown fields and extensions', () => {
  it('skips unknown fields of every wire type, including field 150 holding garbage, wherever they appear', () => {
    const plain = { id: 'x', imp: [{ id: '1', banner: { w: 300, h: 250 } }], regs: { coppa: true } };
    const expected = ok(pb.BidRequest.encode(plain).finish());
    // Top level, before and after the known fields.
    expect(ok(cat(unknownFields(), pb.BidRequest.encode(plain).finish(), unknownFields()))).toStrictEqual(expected);
    // Inside nested messages: imp, banner, regs (Google sends AdX extensions in 100-9999 at every level).
    const banner = cat(pb.BidRequest.Banner.encode({ w: 300, h: 250 }).finish(), unknownFields());
    const imp = cat(
      unknownFields(),
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('1')
        .uint32((2 << 3) | 2)
        .bytes(banner)
        .finish(),
    );
    const regs = cat(unknownFields(), pb.BidRequest.Regs.encode({ coppa: true }).finish());
    const bytes = Writer.create()
      .uint32((1 << 3) | 2)
      .string('x')
      .uint32((2 << 3) | 2)
      .bytes(imp)
      .uint32((14 << 3) | 2)
      .bytes(regs)
      .finish();
    expect(ok(bytes)).toStrictEqual(expected);
  });

  it('skips a known field sent with another wire type, as protobufjs does (the schema says what it is)', () => {
    const base = pb.BidRequest.encode({ id: 'x', imp: [{ id: '1', banner: { w: 300, h: 250 } }] }).finish();
    const odd = Writer.create()
      .uint32((7 << 3) | 2)
      .string('1')
      .uint32((8 << 3) | 1)
      .fixed64(5)
      .finish(); // at as text, tmax as 64-bit
    expect(ok(cat(base, odd))).toMatchObject({ at: 2, tmax: undefined });
  });

  it('refuses (without throwing) a field with an invalid wire type or field number 0', () => {
    const base = pb.BidRequest.encode({ id: 'x', imp: [{ id: '1', banner: {} }] }).finish();
    for (const bad of [
      Uint8Array.from([(150 << 3) | 7, 1, 0]),
      Uint8Array.from([0x02, 0x00]),
      Uint8Array.from([(5 << 3) | 4]),
    ]) {
      const r = decodeProtoRequest(cat(base, bad));
      expect(r).toMatchObject({ ok: false, path: '' });
      if (!r.ok) expect(r.message).toMatch(/^invalid protobuf/);
    }
  });
});

describe('protobuf decoder: wire-format variants', () => {
  it('reads repeated enums both packed (IAB, edition 2023) and unpacked (Google, proto2)', () => {
    const unpacked = ok(
      pb.BidRequest.encode({
        id: 'x',
        imp: [{ id: '1', banner: { w: 1, h: 1, battr: [1, 3, 300] } }],
        regs: { gpp_sid: [2, 6] },
      }).finish(),
    );
    const packedBanner = Writer.create()
      .uint32((1 << 3) | 0)
      .int32(1)
      .uint32((2 << 3) | 0)
      .int32(1)
      .uint32((6 << 3) | 2)
      .fork()
      .int32(1)
      .int32(3)
      .int32(300)
      .ldelim()
      .finish();
    const imp = Writer.create()
      .uint32((1 << 3) | 2)
      .string('1')
      .uint32((2 << 3) | 2)
      .bytes(packedBanner)
      .finish();
    const regs = Writer.create()
      .uint32((3 << 3) | 2)
      .fork()
      .int32(2)
      .int32(6)
      .ldelim()
      .finish();
    const packed = ok(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('x')
        .uint32((2 << 3) | 2)
        .bytes(imp)
        .uint32((14 << 3) | 2)
        .bytes(regs)
        .finish(),
    );
    expect(packed).toStrictEqual(unpacked);
    expect(packed.imp[0]!.banner!.battr).toStrictEqual([1, 3, 300]);
    expect(packed.regs.gpp_sid).toStrictEqual([2, 6]);
  });

  it('keeps enum values it does not know and negative int32 values (10-byte varints)', () => {
    const r = ok(
      pb.BidRequest.encode({
        id: 'x',
        imp: [{ id: '1', video: { mimes: ['video/mp4'], startdelay: -2, plcmt: 99, protocols: [2, 1234] } }],
      }).finish(),
    );
    expect(r.imp[0]!.video).toMatchObject({ startdelay: -2, plcmt: 99, protocols: [2, 1234] });
  });

  it('merges a message field sent twice, as proto2 requires (concatenated messages are one message)', () => {
    const first = pb.BidRequest.encode({
      id: 'x',
      imp: [{ id: '1', banner: { w: 300, h: 250 } }],
      regs: { coppa: true },
      device: { ua: 'UA', geo: { country: 'USA' } },
      user: { eids: [{ source: 'a.com', uids: [{ id: '1' }] }] },
    }).finish();
    const second = pb.BidRequest.encode({
      regs: { gdpr: true },
      device: { ip: '192.0.2.1', geo: { city: 'Boston' } },
      user: { id: 'u', eids: [{ source: 'b.com', uids: [{ id: '2' }] }] },
      cur: ['USD'],
    }).finish();
    const r = ok(cat(first, second));
    expect(r.regs).toMatchObject({ coppa: true, gdpr: true });
    expect(r.device).toMatchObject({ ua: 'UA', ip: '192.0.2.1', geo: { country: 'USA', city: 'Boston' } });
    expect(r.user).toMatchObject({ id: 'u', eids: [{ source: 'a.com' }, { source: 'b.com' }] });
    // Within one imp: the banner split in two, its formats concatenated, w×h settled after the merge.
    const part1 = pb.BidRequest.Banner.encode({ w: 728, format: [{ w: 300, h: 250 }] }).finish();
    const part2 = pb.BidRequest.Banner.encode({ h: 90, format: [{ w: 320, h: 50 }] }).finish();
    const split = Writer.create()
      .uint32((1 << 3) | 2)
      .string('1')
      .uint32((2 << 3) | 2)
      .bytes(part1)
      .uint32((2 << 3) | 2)
      .bytes(part2)
      .finish();
    const merged = ok(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('x')
        .uint32((2 << 3) | 2)
        .bytes(split)
        .finish(),
    );
    expect(merged.imp[0]!.banner).toStrictEqual({
      formats: [
        { w: 300, h: 250 },
        { w: 320, h: 50 },
        { w: 728, h: 90 },
      ],
      w: 728,
      h: 90,
      battr: undefined,
      pos: undefined,
    });
  });

  it('decodes a Buffer, a Uint8Array and a view into a larger buffer alike', () => {
    const bytes = encodeJsonAsProto(richRequest());
    const expected = ok(bytes);
    expect(ok(Buffer.from(bytes))).toStrictEqual(expected);
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 10);
    expect(ok(big.subarray(10, 10 + bytes.length))).toStrictEqual(expected);
  });
});

describe('protobuf decoder: native', () => {
  const nativeRequest: openrtb.NativeRequest.$Properties = {
    ver: '1.2',
    context: 1,
    plcmttype: 1,
    assets: [
      { id: 1, required: true, title: { len: 90 } },
      { id: 2, required: false, img: { type: 3, w: 1200, h: 627, mimes: ['image/jpeg'] } },
      { id: 3, video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2, 3] } },
      { id: 4, data: { type: 2, len: 140 } },
    ],
    eventtrackers: [{ event: 1, methods: [1, 2] }],
    privacy: true,
  };

  it('serialises `request_native` (Google) to the Native 1.2 JSON, flags as 0/1', () => {
    const r = ok(
      pb.BidRequest.encode({
        id: 'x',
        imp: [{ id: '1', native: { request_native: nativeRequest, ver: '1.2', battr: [1] } }],
      }).finish(),
    );
    expect(r.imp[0]!.native).toMatchObject({ ver: '1.2', battr: [1] });
    expect(JSON.parse(r.imp[0]!.native!.request)).toStrictEqual({
      ver: '1.2',
      context: 1,
      plcmttype: 1,
      assets: [
        { id: 1, required: 1, title: { len: 90 } },
        { id: 2, required: 0, img: { type: 3, w: 1200, h: 627, mimes: ['image/jpeg'] } },
        { id: 3, video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2, 3] } },
        { id: 4, data: { type: 2, len: 140 } },
      ],
      eventtrackers: [{ event: 1, methods: [1, 2] }],
      privacy: 1,
    });
  });

  it('keeps the string form when both are sent, in either order', () => {
    const text = '{"ver":"1.2","assets":[]}';
    const stringFirst = ok(
      pb.BidRequest.encode({
        id: 'x',
        imp: [{ id: '1', native: { request: text, request_native: nativeRequest } }],
      }).finish(),
    );
    expect(stringFirst.imp[0]!.native!.request).toBe(text);
    const nativeBytes = pb.BidRequest.Native.encode({ request_native: nativeRequest }).finish();
    const stringBytes = pb.BidRequest.Native.encode({ request: text }).finish();
    const imp = Writer.create()
      .uint32((1 << 3) | 2)
      .string('1')
      .uint32((13 << 3) | 2)
      .bytes(cat(nativeBytes, stringBytes))
      .finish();
    const nativeFirst = ok(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('x')
        .uint32((2 << 3) | 2)
        .bytes(imp)
        .finish(),
    );
    expect(nativeFirst.imp[0]!.native!.request).toBe(text);
  });

  it('requires one of them, like the JSON decoder', () => {
    expect(
      decodeProtoRequest(pb.BidRequest.encode({ id: 'x', imp: [{ id: '1', native: { ver: '1.2' } }] }).finish()),
    ).toStrictEqual({ ok: false, path: 'imp[0].native.request', message: 'required (string or object)' });
  });
});
