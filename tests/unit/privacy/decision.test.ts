import { GVL, TCModel, TCString } from '@iabtcf/core';
import { describe, expect, it } from 'vitest';
import { ConsentCache, decidePrivacy } from '../../../src/privacy/decision.js';
import { decodeGppHeader } from '../../../src/privacy/gpp.js';
import { usPrivacyOptedOut } from '../../../src/privacy/us-privacy.js';
import type { BidRequest, Regs } from '../../../src/openrtb/types.js';
import { device, kNoRegs, request, user } from '../../helpers/requests.js';

const policy = { vendorId: 1042 };

/** A real TCF v2 string, encoded by the IAB's own library (a GVL object built offline, no network). */
function tcString(purposes: number[], vendors: number[]): string {
  const gvl = new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 100,
    tcfPolicyVersion: 4,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes: Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [
        i + 1,
        { id: i + 1, name: `p${i + 1}`, description: '', illustrations: [] },
      ]),
    ),
    specialPurposes: {},
    features: {},
    specialFeatures: {},
    stacks: {},
    dataCategories: {},
    vendors: Object.fromEntries(
      [1042, 755, 32].map((id) => [
        id,
        {
          id,
          name: `v${id}`,
          purposes: [1, 3, 4, 7],
          legIntPurposes: [],
          flexiblePurposes: [],
          specialPurposes: [],
          features: [],
          specialFeatures: [],
          cookieMaxAgeSeconds: 1,
          usesCookies: true,
          cookieRefresh: false,
          usesNonCookieAccess: false,
          deviceStorageDisclosureUrl: '',
          urls: [],
        },
      ]),
    ),
  } as unknown as ConstructorParameters<typeof GVL>[0]);
  const m = new TCModel(gvl);
  m.cmpId = 10;
  m.cmpVersion = 1;
  m.purposeConsents.set(purposes);
  m.vendorConsents.set(vendors);
  return TCString.encode(m);
}

const gdprReq = (consent: string | undefined, regs: Partial<Regs> = {}): BidRequest =>
  request({ regs: { ...kNoRegs, gdpr: true, ...regs }, user: user('u1', { consent }) });

/** A GPP string built bit by bit: header (type 3, version 1, single section ids) and web-safe base64 sections. */
function b64bits(bits: string): string {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const padded = bits.padEnd(Math.ceil(bits.length / 6) * 6, '0');
  let out = '';
  for (let i = 0; i < padded.length; i += 6) out += a[parseInt(padded.slice(i, i + 6), 2)];
  return out;
}
function fib(n: number): string {
  const f = [1, 2];
  while (f[f.length - 1]! <= n) f.push(f[f.length - 1]! + f[f.length - 2]!);
  const bits = new Array<string>(f.length).fill('0');
  let rest = n;
  for (let i = f.length - 1; i >= 0; i--)
    if (f[i]! <= rest) {
      bits[i] = '1';
      rest -= f[i]!;
    }
  return `${bits.join('').replace(/0+$/, '')}1`;
}
function gppHeader(ids: number[]): string {
  let bits =
    (3).toString(2).padStart(6, '0') + (1).toString(2).padStart(6, '0') + ids.length.toString(2).padStart(12, '0');
  let prev = 0;
  for (const id of ids) {
    bits += `0${fib(id - prev)}`;
    prev = id;
  }
  return b64bits(bits);
}
function usnat(sale: number, sharing: number, targeted: number): string {
  const two = (v: number) => v.toString(2).padStart(2, '0');
  return b64bits(`000001010101010101${two(sale)}${two(sharing)}${two(targeted)}${'0'.repeat(40)}`);
}

describe('privacy decision', () => {
  const cache = new ConsentCache();
  it('allows personal data without any signal', () => {
    expect(decidePrivacy(request(), policy, cache)).toEqual({
      personalData: true,
      useIfa: true,
      measurement: true,
      reason: 'none',
    });
  });
  it('COPPA means no personal data at all', () => {
    expect(decidePrivacy(request({ regs: { ...kNoRegs, coppa: true } }), policy, cache)).toMatchObject({
      personalData: false,
      useIfa: false,
      reason: 'coppa',
    });
  });
  it('LMT keeps personal data but not the IFA', () => {
    expect(decidePrivacy(request({ device: device({ lmt: true }) }), policy, cache)).toMatchObject({
      personalData: true,
      useIfa: false,
    });
  });
  it('GDPR: all of purposes 1, 3, 4 and our vendor are needed; purpose 7 gives measurement', () => {
    expect(decidePrivacy(gdprReq(tcString([1, 3, 4, 7], [1042])), policy, cache)).toMatchObject({
      personalData: true,
      measurement: true,
    });
    expect(decidePrivacy(gdprReq(tcString([1, 3, 4], [1042])), policy, cache)).toMatchObject({
      personalData: true,
      measurement: false,
    });
    expect(decidePrivacy(gdprReq(tcString([1, 4, 7], [1042])), policy, cache)).toMatchObject({
      personalData: false,
      reason: 'gdpr_purposes',
    });
    expect(decidePrivacy(gdprReq(tcString([1, 3, 4, 7], [755, 32])), policy, cache)).toMatchObject({
      personalData: false,
      reason: 'gdpr_vendor',
    });
    expect(decidePrivacy(gdprReq(undefined), policy, cache)).toMatchObject({
      personalData: false,
      reason: 'gdpr_no_consent_string',
    });
    expect(decidePrivacy(gdprReq('not-a-tc-string'), policy, cache)).toMatchObject({
      personalData: false,
      reason: 'gdpr_bad_string',
    });
  });
  it('the spec example TCF string (no vendors) refuses us', () => {
    expect(decidePrivacy(gdprReq('CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA'), policy, cache).personalData).toBe(
      false,
    );
  });
  it('US privacy: opted out of sale, or malformed, means no personal data', () => {
    expect(usPrivacyOptedOut('1YNN')).toBe(false);
    expect(usPrivacyOptedOut('1YYN')).toBe(true);
    expect(usPrivacyOptedOut('1---')).toBe(false);
    expect(usPrivacyOptedOut('garbage')).toBeUndefined();
    expect(decidePrivacy(request({ regs: { ...kNoRegs, us_privacy: '1YYN' } }), policy, cache).reason).toBe(
      'us_privacy_optout',
    );
    expect(decidePrivacy(request({ regs: { ...kNoRegs, us_privacy: '2YYN' } }), policy, cache).reason).toBe(
      'us_privacy_bad_string',
    );
  });
  it('GPP: header section ids, usnat opt-outs, uspv1 and TCF sections', () => {
    expect(decodeGppHeader(gppHeader([2, 6, 7]))).toEqual([2, 6, 7]);
    expect(decodeGppHeader('DBABMA')).toEqual([2]);
    const ok = `${gppHeader([7])}~${usnat(2, 2, 2)}`;
    expect(decidePrivacy(request({ regs: { ...kNoRegs, gpp: ok, gpp_sid: [7] } }), policy, cache).personalData).toBe(
      true,
    );
    for (const [s, sh, t] of [
      [1, 2, 2],
      [2, 1, 2],
      [2, 2, 1],
    ] as const) {
      const out = `${gppHeader([7])}~${usnat(s, sh, t)}`;
      expect(decidePrivacy(request({ regs: { ...kNoRegs, gpp: out, gpp_sid: [7] } }), policy, cache).reason).toBe(
        'gpp_optout',
      );
    }
    expect(
      decidePrivacy(request({ regs: { ...kNoRegs, gpp: `${gppHeader([6])}~1YYN`, gpp_sid: [6] } }), policy, cache)
        .reason,
    ).toBe('gpp_optout');
    expect(
      decidePrivacy(
        request({ regs: { ...kNoRegs, gpp: `${gppHeader([2])}~${tcString([1, 3, 4], [1042])}`, gpp_sid: [2] } }),
        policy,
        cache,
      ).personalData,
    ).toBe(true);
    expect(
      decidePrivacy(
        request({ regs: { ...kNoRegs, gpp: 'DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', gpp_sid: [2] } }),
        policy,
        cache,
      ).reason,
    ).toBe('gdpr_vendor');
    // Only applicable sections count: an opted-out section not in gpp_sid does not apply to this request.
    expect(
      decidePrivacy(
        request({ regs: { ...kNoRegs, gpp: `${gppHeader([6, 7])}~1YYN~${usnat(2, 2, 2)}`, gpp_sid: [7] } }),
        policy,
        cache,
      ).personalData,
    ).toBe(true);
  });
  it('bad GPP strings mean no consent, never a throw', () => {
    for (const gpp of ['', '~', 'DBABMA', 'DBABMA~a~b', '!!!~x', `${gppHeader([7])}~`, 'D'.repeat(500)]) {
      const d = decidePrivacy(request({ regs: { ...kNoRegs, gpp } }), policy, cache);
      if (gpp !== '') expect(d.reason, gpp).toBe('gpp_bad_string');
    }
  });
  it('2,000 random strings never throw', () => {
    let seed = 3;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const chars = 'ABCDEFabcdef0123456789-_~.YN';
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: Math.floor(rand() * 60) }, () => chars[Math.floor(rand() * chars.length)]).join(
        '',
      );
      expect(() => decidePrivacy(gdprReq(s, { gpp: s, us_privacy: s.slice(0, 4) }), policy, cache)).not.toThrow();
    }
  });
  it('caches decoded strings', () => {
    const c = new ConsentCache(2);
    const s = tcString([1, 3, 4], [1042]);
    decidePrivacy(gdprReq(s), policy, c);
    decidePrivacy(gdprReq(s), policy, c);
    expect(c.size).toBe(1);
  });
});
