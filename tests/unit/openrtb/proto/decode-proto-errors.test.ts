/**
 * The protobuf decoder refuses what the JSON decoder refuses, with the same field path and message; and
 * on bytes that are not a valid request (every truncation of valid requests, 2,000 seeded random byte
 * strings, 2,000 seeded corruptions of a valid request) it answers `{ ok: false }` and never throws.
 */
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../../src/openrtb/decode-json.js';
import type { DecodeResult } from '../../../../src/openrtb/decode-result.js';
import { decodeProtoRequest } from '../../../../src/openrtb/proto/decode-proto.js';
import { openrtb } from '../../../../src/openrtb/proto/generated/openrtb.js';
import { prng } from '../../../../tools/train/synthetic.js';
import { richRequest, specExamples, type Json } from './fixtures.js';
import { encodeJsonAsProto } from './json-to-proto.js';

const pb = openrtb;

function base(): Json {
  return { id: 'r1', imp: [{ id: '1', banner: { w: 300, h: 250 } }] };
}

function withImp(imp: Json): Json {
  return { id: 'r1', imp: [imp] };
}

/** Requests both formats can carry, each wrong in one place; [what, request, path, message]. */
const kInvalid: readonly (readonly [string, Json, string, string])[] = [
  ['no id', { imp: base().imp }, 'id', 'required'],
  ['empty id', { ...base(), id: '' }, 'id', 'required'],
  ['no imp', { id: 'r1' }, 'imp', 'at least one imp is required'],
  ['imp without id', withImp({ banner: { w: 1, h: 1 } }), 'imp[0].id', 'required'],
  [
    'imp without a media object',
    withImp({ id: '1', tagid: 't' }),
    'imp[0]',
    'one of banner, video, audio, native is required',
  ],
  [
    'duplicate imp ids',
    {
      id: 'r1',
      imp: [
        { id: '1', banner: {} },
        { id: '2', banner: {} },
        { id: '1', banner: {} },
      ],
    },
    'imp[2].id',
    'duplicate imp id',
  ],
  [
    'negative floor',
    withImp({ id: '1', banner: {}, bidfloor: -0.5 }),
    'imp[0].bidfloor',
    'expected a non-negative number',
  ],
  [
    'negative banner width',
    withImp({ id: '1', banner: { w: -300, h: 250 } }),
    'imp[0].banner.w',
    'expected non-negative integer',
  ],
  [
    'negative format height',
    withImp({
      id: '1',
      banner: {
        format: [
          { w: 300, h: 250 },
          { w: 728, h: -90 },
        ],
      },
    }),
    'imp[0].banner.format[1].h',
    'expected non-negative integer',
  ],
  [
    'negative video duration',
    withImp({ id: '1', video: { mimes: ['video/mp4'], maxduration: -30 } }),
    'imp[0].video.maxduration',
    'expected non-negative integer',
  ],
  [
    'negative video height',
    withImp({ id: '1', video: { mimes: ['video/mp4'], h: -1 } }),
    'imp[0].video.h',
    'expected non-negative integer',
  ],
  [
    'negative audio duration',
    withImp({ id: '1', audio: { mimes: ['audio/mp4'], minduration: -1 } }),
    'imp[0].audio.minduration',
    'expected non-negative integer',
  ],
  [
    'native without its request',
    withImp({ id: '1', native: { ver: '1.2' } }),
    'imp[0].native.request',
    'required (string or object)',
  ],
  [
    'deal without id',
    withImp({ id: '1', banner: {}, pmp: { deals: [{ id: 'a' }, { bidfloor: 1 }] } }),
    'imp[0].pmp.deals[1].id',
    'required',
  ],
  [
    'negative deal floor',
    withImp({ id: '1', banner: {}, pmp: { deals: [{ id: 'a', bidfloor: -1 }] } }),
    'imp[0].pmp.deals[0].bidfloor',
    'expected a non-negative number',
  ],
  ['eid without source', { ...base(), user: { eids: [{ uids: [{ id: 'x' }] }] } }, 'user.eids[0].source', 'required'],
  [
    'site and app',
    { ...base(), site: { id: 's' }, app: { id: 'a' } },
    'site',
    'only one of site, app, dooh may be present',
  ],
  [
    'app and dooh',
    { ...base(), app: { id: 'a' }, dooh: { id: 'd' } },
    'app',
    'only one of site, app, dooh may be present',
  ],
  ['negative tmax', { ...base(), tmax: -1 }, 'tmax', 'expected non-negative integer'],
  ['negative auction type', { ...base(), at: -1 }, 'at', 'expected non-negative integer'],
  [
    'negative device type',
    { ...base(), device: { devicetype: -2 } },
    'device.devicetype',
    'expected non-negative integer',
  ],
];

describe('protobuf decoder: validation, as the JSON decoder', () => {
  for (const [what, json, path, message] of kInvalid) {
    it(`refuses ${what}: ${path}: ${message}`, () => {
      expect(decodeProtoRequest(encodeJsonAsProto(json))).toStrictEqual({ ok: false, path, message });
      expect(decodeJsonRequest(JSON.stringify(json))).toStrictEqual({ ok: false, path, message });
    });
  }

  it('refuses non-finite doubles, which protobuf can carry and JSON cannot', () => {
    const bad = (m: openrtb.BidRequest.$Properties) => decodeProtoRequest(pb.BidRequest.encode(m).finish());
    expect(bad({ id: 'r', imp: [{ id: '1', banner: {}, bidfloor: Number.NaN }] })).toStrictEqual({
      ok: false,
      path: 'imp[0].bidfloor',
      message: 'expected number',
    });
    expect(
      bad({ id: 'r', imp: [{ id: '1', banner: {}, pmp: { deals: [{ id: 'd', bidfloor: Infinity }] } }] }),
    ).toStrictEqual({ ok: false, path: 'imp[0].pmp.deals[0].bidfloor', message: 'expected number' });
    expect(bad({ id: 'r', imp: [{ id: '1', banner: {} }], device: { geo: { lat: Infinity } } })).toStrictEqual({
      ok: false,
      path: 'device.geo.lat',
      message: 'expected number',
    });
    expect(bad({ id: 'r', imp: [{ id: '1', banner: {} }], user: { geo: { lon: Number.NaN } } })).toStrictEqual({
      ok: false,
      path: 'user.geo.lon',
      message: 'expected number',
    });
  });

  it('finds a duplicate imp id among thousands of imps (linear check)', () => {
    const imp = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), banner: { w: 1, h: 1 } }));
    imp.push({ id: '4321', banner: { w: 1, h: 1 } });
    expect(decodeProtoRequest(pb.BidRequest.encode({ id: 'x', imp }).finish())).toStrictEqual({
      ok: false,
      path: 'imp[5000].id',
      message: 'duplicate imp id',
    });
  });
});

/** Offsets where a top-level field ends: a prefix cut there is a shorter but well-formed message. */
function fieldBoundaries(bytes: Uint8Array): Set<number> {
  const r = new protobuf.Reader(bytes);
  const ends = new Set<number>([0]);
  while (r.pos < r.len) {
    const tag = r.uint32();
    r.skipType(tag & 7);
    ends.add(r.pos);
  }
  return ends;
}

/** decodeProtoRequest, failing the test (with what was being decoded) if it throws instead of answering. */
function decodeNoThrow(bytes: Uint8Array, what: string): DecodeResult {
  try {
    return decodeProtoRequest(bytes);
  } catch (e) {
    throw new Error(`${what}: decodeProtoRequest threw ${String(e)}`);
  }
}

describe('protobuf decoder: malformed bytes', () => {
  const valid = [
    ...specExamples.map((e) => ({ name: e.name, bytes: encodeJsonAsProto(e.json) })),
    { name: 'rich request', bytes: encodeJsonAsProto(richRequest()) },
  ];

  for (const { name, bytes } of valid) {
    it(`refuses every truncation of ${name} that cuts a field, and never throws`, () => {
      const boundaries = fieldBoundaries(bytes);
      for (let n = 0; n < bytes.length; n++) {
        const r = decodeNoThrow(bytes.subarray(0, n), `prefix of ${n} bytes`);
        if (!boundaries.has(n)) expect(r.ok, `prefix of ${n} bytes`).toBe(false);
      }
    });
  }

  it('never throws on 2,000 seeded random byte strings', () => {
    const rand = prng(20261123);
    let refused = 0;
    for (let c = 0; c < 2000; c++) {
      const junk = Uint8Array.from({ length: Math.floor(rand() * 256) }, () => Math.floor(rand() * 256));
      if (!decodeNoThrow(junk, `case ${c}`).ok) refused++;
    }
    expect(refused).toBeGreaterThan(1900);
  });

  it('never throws on 2,000 seeded corruptions of a valid request, and what it accepts is a valid request', () => {
    const rand = prng(7);
    const bytes = encodeJsonAsProto(richRequest());
    for (let c = 0; c < 2000; c++) {
      const mutated = Uint8Array.from(bytes);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) mutated[Math.floor(rand() * mutated.length)] = Math.floor(rand() * 256);
      const r = decodeNoThrow(mutated, `case ${c}`);
      if (r.ok) {
        expect(r.request.id).not.toBe('');
        expect(r.request.imp.length).toBeGreaterThan(0);
        expect(new Set(r.request.imp.map((i) => i.id)).size).toBe(r.request.imp.length);
      }
    }
  });
});
