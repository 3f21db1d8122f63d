import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../src/openrtb/decode-json.js';
import type { BidRequest } from '../../../src/openrtb/types.js';
import { loadFixtures } from '../../helpers/openrtb-fixtures.js';

function ok(body: unknown): BidRequest {
  const r = decodeJsonRequest(JSON.stringify(body));
  if (!r.ok) throw new Error(`${r.path}: ${r.message}`);
  return r.request;
}

describe('JSON decoder: fixtures', () => {
  for (const f of loadFixtures('valid')) {
    it(`decodes ${f.name}`, () => {
      const r = decodeJsonRequest(JSON.stringify(f.request));
      expect(r.ok, r.ok ? '' : `${r.path}: ${r.message}`).toBe(true);
    });
  }
  for (const f of loadFixtures('invalid')) {
    it(`refuses ${f.name} naming the field`, () => {
      const r = decodeJsonRequest(JSON.stringify(f.request));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.path === '' ? r.message : `${r.path}: ${r.message}`).toBe(f.expectedError);
    });
  }
});

describe('JSON decoder: semantics', () => {
  it('fills the spec defaults', () => {
    const r = ok({ id: 'a', imp: [{ id: '1', banner: { w: 300, h: 250 } }] });
    expect(r.at).toBe(2);
    expect(r.test).toBe(false);
    expect(r.imp[0]).toMatchObject({ bidfloor: 0, bidfloorcur: 'USD', secure: false, instl: false });
    expect(r.regs).toEqual({ coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined });
  });
  it('merges banner w×h into formats without duplicates and skips ratio formats', () => {
    const r = ok({ id: 'a', imp: [{ id: '1', banner: { w: 300, h: 250, format: [{ w: 300, h: 250 }, { w: 728, h: 90 }, { wratio: 16, hratio: 9, wmin: 300 }] } }] });
    expect(r.imp[0]!.banner!.formats).toEqual([{ w: 300, h: 250 }, { w: 728, h: 90 }]);
  });
  it('reads privacy from the 2.6 location first, then the pre-2.6 ext', () => {
    const both = ok({ id: 'a', imp: [{ id: '1', banner: { w: 1, h: 1 } }], regs: { gdpr: 1, us_privacy: '1YNN', ext: { gdpr: 0, us_privacy: '1NNN' } }, user: { consent: 'new', ext: { consent: 'old' } } });
    expect(both.regs.gdpr).toBe(true);
    expect(both.regs.us_privacy).toBe('1YNN');
    expect(both.user!.consent).toBe('new');
    const legacy = ok({ id: 'a', imp: [{ id: '1', banner: { w: 1, h: 1 } }], regs: { ext: { gdpr: 1, us_privacy: '1YYN' } }, user: { ext: { consent: 'old', eids: [{ source: 's.example', uids: [{ id: 'x' }] }] } } });
    expect(legacy.regs).toMatchObject({ gdpr: true, us_privacy: '1YYN' });
    expect(legacy.user).toMatchObject({ consent: 'old', eids: [{ source: 's.example', uids: [{ id: 'x', atype: undefined }] }] });
  });
  it('derives the site domain from the page when absent, and keeps inventory kind', () => {
    expect(ok({ id: 'a', imp: [{ id: '1', banner: { w: 1, h: 1 } }], site: { page: 'https://News.Example:8443/a?b' } }).inventory).toMatchObject({ kind: 'site', domain: 'news.example' });
    expect(ok({ id: 'a', imp: [{ id: '1', banner: { w: 1, h: 1 } }], app: { bundle: 'com.x' } }).inventory).toMatchObject({ kind: 'app', bundle: 'com.x', domain: undefined });
  });
  it('keeps native.request as text, serialising an object when an exchange sends one', () => {
    const r = ok({ id: 'a', imp: [{ id: '1', native: { request: { ver: '1.2', assets: [] } } }] });
    expect(JSON.parse(r.imp[0]!.native!.request)).toEqual({ ver: '1.2', assets: [] });
  });
  it('accepts bytes as well as strings, and refuses invalid JSON', () => {
    expect(decodeJsonRequest(new TextEncoder().encode('{"id":"a","imp":[{"id":"1","banner":{"w":1,"h":1}}]}')).ok).toBe(true);
    expect(decodeJsonRequest('{"id":')).toEqual({ ok: false, path: '', message: 'invalid JSON' });
  });
  it('is not fooled by __proto__ keys', () => {
    const r = decodeJsonRequest('{"id":"a","imp":[{"id":"1","banner":{"w":1,"h":1}}],"__proto__":{"polluted":1},"ext":{"__proto__":{"polluted":2}}}');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
