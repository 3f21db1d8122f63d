import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../src/openrtb/decode-json.js';
import type { BidRequest } from '../../../src/openrtb/types.js';
import { kFixturesDir, loadFixtures } from '../../helpers/openrtb-fixtures.js';

const kBanner = { id: '1', banner: { w: 300, h: 250 } };

function ok(body: unknown): BidRequest {
  const r = decodeJsonRequest(JSON.stringify(body));
  if (!r.ok) throw new Error(`${r.path}: ${r.message}`);
  return r.request;
}

/** The error as the API reports it (`path: message`), which is what fixtures record. */
function refusal(body: string | Uint8Array): string {
  const r = decodeJsonRequest(body);
  if (r.ok) throw new Error('expected a refusal');
  return r.path === '' ? r.message : `${r.path}: ${r.message}`;
}

const req = (more: Record<string, unknown>): BidRequest => ok({ id: 'a', imp: [kBanner], ...more });

describe('JSON decoder: fixtures', () => {
  for (const f of loadFixtures('valid')) {
    it(`decodes ${f.name}: ${f.description}`, () => {
      const text = JSON.stringify(f.request);
      const r = decodeJsonRequest(text);
      expect(r.ok, r.ok ? '' : `${r.path}: ${r.message}`).toBe(true);
      // The server passes bytes; both inputs must give the same request.
      expect(decodeJsonRequest(new TextEncoder().encode(text))).toEqual(r);
    });
  }
  for (const f of loadFixtures('invalid')) {
    it(`refuses ${f.name}: ${f.description}`, () => {
      expect(refusal(JSON.stringify(f.request))).toBe(f.expectedError);
    });
  }
  // tests/fixtures/openrtb/spec holds the spec's examples verbatim; valid/spec-* wraps them for the table above.
  const spec = join(kFixturesDir, 'spec');
  it('keeps verbatim copies of the OpenRTB 2.6 §6.2 examples', () => {
    const names = readdirSync(spec).filter((f) => /^6-2-.*\.json$/.test(f));
    expect(names.length).toBe(5);
    for (const name of names) {
      const copy = JSON.parse(readFileSync(join(kFixturesDir, 'valid', `spec-${name}`), 'utf8')) as {
        request: unknown;
      };
      expect(copy.request).toEqual(JSON.parse(readFileSync(join(spec, name), 'utf8')));
    }
  });
});

describe('JSON decoder: defaults and normalisation', () => {
  it('fills the spec defaults (OpenRTB 2.6 §3.2.1, §3.2.4)', () => {
    const r = ok({ id: 'a', imp: [kBanner] });
    expect(r).toMatchObject({
      at: 2,
      test: false,
      tmax: undefined,
      inventory: undefined,
      device: undefined,
      user: undefined,
      source: undefined,
      ext: undefined,
    });
    expect(r.imp[0]).toMatchObject({
      bidfloor: 0,
      bidfloorcur: 'USD',
      secure: false,
      instl: false,
      tagid: undefined,
      pmp: undefined,
    });
    expect(r.regs).toEqual({
      coppa: false,
      gdpr: undefined,
      us_privacy: undefined,
      gpp: undefined,
      gpp_sid: undefined,
    });
  });
  it('treats null as absent, and at=0 as unset', () => {
    const r = ok({
      id: 'a',
      at: 0,
      tmax: null,
      imp: [{ id: '1', bidfloor: null, secure: null, banner: { w: 300, h: 250, format: null } }],
      site: null,
      user: null,
    });
    expect(r.at).toBe(2);
    expect(r.imp[0]).toMatchObject({ bidfloor: 0, secure: false });
    expect(r.inventory).toBeUndefined();
  });
  it('accepts OpenRTB 0/1 booleans and tolerates JSON true/false, refusing anything else', () => {
    const r = ok({
      id: 'a',
      test: true,
      imp: [{ ...kBanner, secure: 1, instl: true }],
      device: { lmt: false, dnt: 1 },
      regs: { coppa: true, gdpr: 0 },
    });
    expect(r.test).toBe(true);
    expect(r.imp[0]).toMatchObject({ secure: true, instl: true });
    expect(r.device).toMatchObject({ lmt: false, dnt: true });
    expect(r.regs).toMatchObject({ coppa: true, gdpr: false });
    expect(refusal(JSON.stringify({ id: 'a', imp: [{ ...kBanner, instl: '1' }] }))).toBe(
      'imp[0].instl: expected 0 or 1',
    );
  });
  it('keeps unknown enum values and ignores unknown fields (OpenRTB 2.6 §2.6)', () => {
    const r = ok({
      id: 'a',
      at: 501,
      futurefield: { x: 1 },
      imp: [{ id: '1', banner: { w: 1, h: 1, pos: 99, newthing: [1] }, rwdd: 1 }],
      device: { devicetype: 42, sua: {} },
    });
    expect(r.at).toBe(501);
    expect(r.imp[0]!.banner!.pos).toBe(99);
    expect(r.device!.devicetype).toBe(42);
    expect(Object.keys(r)).not.toContain('futurefield');
  });
  it('keeps request ext and imp ext as parsed objects', () => {
    const r = req({ ext: { prebid: { debug: true } } });
    expect(r.ext).toEqual({ prebid: { debug: true } });
    const i = ok({
      id: 'a',
      imp: [{ ...kBanner, ext: { prebid: { bidder: { peregrine: { placement: 'p' } } }, gpid: '/1/x' } }],
    }).imp[0]!;
    expect(i.ext).toEqual({ prebid: { bidder: { peregrine: { placement: 'p' } } }, gpid: '/1/x' });
    expect(refusal(JSON.stringify({ id: 'a', imp: [{ ...kBanner, ext: [1] }] }))).toBe('imp[0].ext: expected object');
  });
});

describe('JSON decoder: banner formats', () => {
  const formats = (banner: Record<string, unknown>) =>
    ok({ id: 'a', imp: [{ id: '1', banner }] }).imp[0]!.banner!.formats;
  it('lists format[] then w×h, without repeats, skipping ratio-only and zero sizes', () => {
    expect(
      formats({
        w: 300,
        h: 250,
        format: [
          { w: 300, h: 250 },
          { w: 728, h: 90 },
          { w: 728, h: 90 },
          { wratio: 16, hratio: 9, wmin: 300 },
          { w: 0, h: 0 },
        ],
      }),
    ).toEqual([
      { w: 300, h: 250 },
      { w: 728, h: 90 },
    ]);
    expect(formats({ w: 320, h: 50, format: [{ w: 300, h: 250 }] })).toEqual([
      { w: 300, h: 250 },
      { w: 320, h: 50 },
    ]);
    expect(formats({ format: [{ w: 300, h: 600 }] })).toEqual([{ w: 300, h: 600 }]);
    expect(formats({ w: 300, h: 250 })).toEqual([{ w: 300, h: 250 }]);
  });
  it('gives an empty list (shared, not allocated) when there is no size at all', () => {
    const a = formats({});
    expect(a).toEqual([]);
    expect(formats({ w: 300, format: [] })).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('JSON decoder: privacy signals, 2.6 location first', () => {
  it('reads regs.gdpr / regs.us_privacy / user.consent / user.eids from 2.6 over ext', () => {
    const r = req({
      regs: {
        gdpr: 1,
        us_privacy: '1YNN',
        gpp: 'DBABMA~x',
        gpp_sid: [2, 7],
        coppa: 1,
        ext: { gdpr: 0, us_privacy: '1NNN' },
      },
      user: {
        consent: 'new',
        eids: [{ source: 'new.example', uids: [{ id: 'n' }] }],
        ext: { consent: 'old', eids: [{ source: 'old.example', uids: [{ id: 'o' }] }] },
      },
    });
    expect(r.regs).toEqual({ coppa: true, gdpr: true, us_privacy: '1YNN', gpp: 'DBABMA~x', gpp_sid: [2, 7] });
    expect(r.user).toMatchObject({
      consent: 'new',
      eids: [{ source: 'new.example', uids: [{ id: 'n', atype: undefined }] }],
    });
  });
  it('falls back to the pre-2.6 ext locations', () => {
    const r = req({
      regs: { ext: { gdpr: 1, us_privacy: '1YYN' } },
      user: { ext: { consent: 'old', eids: [{ source: 's.example', uids: [{ id: 'x', atype: 3 }] }] } },
    });
    expect(r.regs).toMatchObject({ gdpr: true, us_privacy: '1YYN' });
    expect(r.user).toMatchObject({ consent: 'old', eids: [{ source: 's.example', uids: [{ id: 'x', atype: 3 }] }] });
  });
  it('a 2.6 gdpr=0 is an answer: the ext value does not override it', () => {
    expect(req({ regs: { gdpr: 0, ext: { gdpr: 1 } } }).regs.gdpr).toBe(false);
    expect(req({ regs: {} }).regs.gdpr).toBeUndefined();
  });
  it('does not validate an ext location the 2.6 field already answered', () => {
    expect(req({ regs: { gdpr: 1, ext: { gdpr: 'yes' } } }).regs.gdpr).toBe(true);
  });
  it('names the ext location in errors', () => {
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner], user: { ext: { consent: 5 } } }))).toBe(
      'user.ext.consent: expected string',
    );
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner], regs: { ext: { us_privacy: 1 } } }))).toBe(
      'regs.ext.us_privacy: expected string',
    );
    expect(
      refusal(
        JSON.stringify({ id: 'a', imp: [kBanner], user: { ext: { eids: [{ source: 's', uids: [{ id: 1 }] }] } } }),
      ),
    ).toBe('user.ext.eids[0].uids[0].id: expected string');
  });
  it('drops uids without an id, and shares one empty eids list when there are none', () => {
    const r = req({ user: { eids: [{ source: 's.example', uids: [{ id: '' }, { atype: 1 }, { id: 'k' }] }] } });
    expect(r.user!.eids).toEqual([{ source: 's.example', uids: [{ id: 'k', atype: undefined }] }]);
    expect(req({ user: { id: 'u' } }).user!.eids).toBe(req({ user: { ext: {} } }).user!.eids);
  });
});

describe('JSON decoder: context objects', () => {
  it('reads source.schain, else source.ext.schain', () => {
    const node = { asi: 'x.example', sid: '1', hp: 1 };
    expect(
      req({ source: { schain: { complete: 1, nodes: [node] }, ext: { schain: { complete: 0, nodes: [] } } } }).source!
        .schain,
    ).toEqual({ complete: true, nodes: [{ asi: 'x.example', sid: '1', hp: true }] });
    expect(req({ source: { ext: { schain: { complete: 0, nodes: [node] } } } }).source!.schain).toEqual({
      complete: false,
      nodes: [{ asi: 'x.example', sid: '1', hp: true }],
    });
    expect(req({ source: { tid: 't' } }).source).toEqual({ tid: 't', fd: undefined, schain: undefined });
  });
  it('reads device.geo and user.geo', () => {
    const r = req({
      device: { ip: '192.0.2.1', geo: { country: 'USA', lat: 40.7, lon: -74, utcoffset: -300 } },
      user: { geo: { country: 'CAN', region: 'QC' } },
    });
    expect(r.device!.geo).toEqual({
      country: 'USA',
      region: undefined,
      city: undefined,
      lat: 40.7,
      lon: -74,
      utcoffset: -300,
    });
    expect(r.user!.geo).toMatchObject({ country: 'CAN', region: 'QC' });
  });
  it('maps site, app or dooh to one inventory, and refuses two of them', () => {
    expect(req({ site: { page: 'https://News.Example:8443/a?b' } }).inventory).toMatchObject({
      kind: 'site',
      domain: 'news.example',
    });
    expect(req({ app: { bundle: 'com.x' } }).inventory).toMatchObject({
      kind: 'app',
      bundle: 'com.x',
      domain: undefined,
    });
    expect(req({ dooh: { id: 'screen-1', publisher: { id: 'p' } } }).inventory).toMatchObject({
      kind: 'dooh',
      id: 'screen-1',
      publisher: { id: 'p', name: undefined, domain: undefined },
    });
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner], site: {}, dooh: {} }))).toBe(
      'site: only one of site, app, dooh may be present',
    );
  });
  it('keeps native.request as text, serialising an object only when an exchange sends one', () => {
    const text = '{"ver":"1.2","assets":[{"id":1,"required":1,"title":{"len":90}}]}';
    expect(ok({ id: 'a', imp: [{ id: '1', native: { request: text, ver: '1.2' } }] }).imp[0]!.native!.request).toBe(
      text,
    );
    const r = ok({ id: 'a', imp: [{ id: '1', native: { request: JSON.parse(text) as unknown } }] });
    expect(r.imp[0]!.native!.request).toBe(text);
  });
  it('reads deals with their own floors and auction type', () => {
    const r = ok({
      id: 'a',
      imp: [
        {
          ...kBanner,
          pmp: { private_auction: 1, deals: [{ id: 'd1', bidfloor: 2.5, at: 1, wseat: ['s'] }, { id: 'd2' }] },
        },
      ],
    });
    expect(r.imp[0]!.pmp).toEqual({
      private_auction: true,
      deals: [
        { id: 'd1', bidfloor: 2.5, bidfloorcur: 'USD', at: 1, wseat: ['s'] },
        { id: 'd2', bidfloor: 0, bidfloorcur: 'USD', at: undefined, wseat: undefined },
      ],
    });
  });
});

describe('JSON decoder: refusals', () => {
  it('refuses what is not JSON, and what is not an object, with an empty path', () => {
    expect(decodeJsonRequest('{"id":')).toEqual({ ok: false, path: '', message: 'invalid JSON' });
    expect(decodeJsonRequest('')).toEqual({ ok: false, path: '', message: 'invalid JSON' });
    expect(decodeJsonRequest(new Uint8Array([0xff, 0xfe, 0x00]))).toEqual({
      ok: false,
      path: '',
      message: 'invalid JSON',
    });
    expect(decodeJsonRequest('"x"')).toEqual({ ok: false, path: '', message: 'expected a JSON object' });
    expect(decodeJsonRequest('null')).toEqual({ ok: false, path: '', message: 'expected a JSON object' });
  });
  it('refuses numbers JSON can write but OpenRTB cannot use', () => {
    const body = (bidfloor: string, w: string) =>
      `{"id":"a","imp":[{"id":"1","bidfloor":${bidfloor},"banner":{"w":${w},"h":1}}]}`;
    expect(refusal(body('1e400', '1'))).toBe('imp[0].bidfloor: expected number');
    expect(refusal(body('1', '1e20'))).toBe('imp[0].banner.w: expected integer');
    expect(refusal(body('1', '300.5'))).toBe('imp[0].banner.w: expected integer');
    expect(refusal(body('-0.01', '1'))).toBe('imp[0].bidfloor: expected a non-negative number');
    expect(ok(JSON.parse(body('0', '300.0')) as unknown).imp[0]!.banner!.w).toBe(300);
  });
  it('finds duplicate imp ids among many imps (linear check past 16)', () => {
    const imps = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, banner: {} }));
    expect(ok({ id: 'a', imp: imps }).imp).toHaveLength(40);
    imps[33] = { id: 'i7', banner: {} };
    expect(refusal(JSON.stringify({ id: 'a', imp: imps }))).toBe('imp[33].id: duplicate imp id');
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner, { id: '2', banner: {} }, kBanner] }))).toBe(
      'imp[2].id: duplicate imp id',
    );
  });
  it('names the right path after an earlier decode failed deep inside', () => {
    expect(
      refusal(JSON.stringify({ id: 'a', imp: [{ id: '1', banner: { format: [{ w: 1, h: 1 }, { w: 'x' }] } }] })),
    ).toBe('imp[0].banner.format[1].w: expected integer');
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner], tmax: -1 }))).toBe('tmax: expected non-negative integer');
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner], device: { geo: { lat: 'n' } } }))).toBe(
      'device.geo.lat: expected number',
    );
    expect(refusal(JSON.stringify({ id: 'a', imp: [kBanner], badv: ['a', 2] }))).toBe('badv[1]: expected string');
  });
  it('refuses a native request too deep to re-serialise, without throwing', () => {
    const depth = 200_000;
    const deep = `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
    expect(decodeJsonRequest(`{"id":"a","imp":[{"id":"1","native":{"request":${deep}}}]}`)).toEqual({
      ok: false,
      path: '',
      message: 'malformed request',
    });
  });
});

/**
 * One V8 shape per internal type, whatever the request carried: the auction's property reads stay
 * monomorphic. Checked with the `%HaveSameMap` intrinsic, enabled at run time for this file only.
 */
describe('JSON decoder: object shapes', () => {
  setFlagsFromString('--allow-natives-syntax');
  const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
  // Decode every fixture first, so that field representations (small integer, double, tagged) have settled.
  for (const f of loadFixtures('valid')) decodeJsonRequest(JSON.stringify(f.request));
  const sparse = ok({ id: 'a', imp: [{ id: '1', banner: {} }], site: {}, device: {}, user: {}, source: {}, regs: {} });
  const full = ok(
    JSON.parse(
      readFileSync(new URL('../../../bench/micro/fixtures/banner-1k.json', import.meta.url), 'utf8'),
    ) as unknown,
  );
  const pairs: [string, object | undefined, object | undefined][] = [
    ['BidRequest', sparse, full],
    ['Imp', sparse.imp[0], full.imp[0]],
    ['Banner', sparse.imp[0]!.banner, full.imp[0]!.banner],
    ['Inventory', sparse.inventory, full.inventory],
    ['Device', sparse.device, full.device],
    ['User', sparse.user, full.user],
    ['Regs', sparse.regs, full.regs],
    ['Source', sparse.source, full.source],
  ];
  it('can tell shapes apart (control for the intrinsic)', () => {
    expect(sameMap(sparse.regs, sparse.device!)).toBe(false);
    expect(sameMap({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
  });
  for (const [name, a, b] of pairs) {
    it(`keeps one shape for ${name}`, () => {
      expect(a).toBeDefined();
      expect(b).toBeDefined();
      expect(Object.keys(a!)).toEqual(Object.keys(b!));
      expect(sameMap(a!, b!)).toBe(true);
    });
  }
});
