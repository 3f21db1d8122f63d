/** Typed internal bid requests for unit tests, built without the decoder (so tests of later stages don't depend on it). */
import type { Banner, BidRequest, Device, Imp, Inventory, Regs, User } from '../../src/openrtb/types.js';

export function banner(w: number, h: number, more: Partial<Banner> = {}): Banner {
  return { formats: [{ w, h }], w, h, battr: undefined, pos: undefined, ...more };
}

export function imp(id: string, more: Partial<Imp> = {}): Imp {
  return {
    id,
    banner: undefined,
    video: undefined,
    audio: undefined,
    native: undefined,
    pmp: undefined,
    tagid: undefined,
    bidfloor: 0,
    bidfloorcur: 'USD',
    secure: true,
    instl: false,
    ext: undefined,
    ...more,
  };
}

export function site(domain: string, more: Partial<Inventory> = {}): Inventory {
  return {
    kind: 'site',
    id: 's1',
    name: undefined,
    domain,
    page: `https://${domain}/`,
    bundle: undefined,
    cat: undefined,
    publisher: { id: 'pub1', name: undefined, domain },
    ...more,
  };
}

export function device(more: Partial<Device> = {}): Device {
  return {
    ua: 'Mozilla/5.0',
    ip: '203.0.113.9',
    ipv6: undefined,
    geo: { country: 'USA', region: 'CA', city: undefined, lat: undefined, lon: undefined, utcoffset: undefined },
    devicetype: 2,
    os: 'macOS',
    osv: undefined,
    make: undefined,
    model: undefined,
    ifa: undefined,
    lmt: false,
    dnt: false,
    language: 'en',
    ...more,
  };
}

export const kNoRegs: Regs = {
  coppa: false,
  gdpr: undefined,
  us_privacy: undefined,
  gpp: undefined,
  gpp_sid: undefined,
};

export function user(id: string | undefined, more: Partial<User> = {}): User {
  return { id, buyeruid: undefined, consent: undefined, eids: [], geo: undefined, ...more };
}

export function request(more: Partial<BidRequest> = {}): BidRequest {
  return {
    id: 'auction-1',
    imp: [imp('1', { banner: banner(300, 250) })],
    inventory: site('news.example'),
    device: device(),
    user: undefined,
    regs: kNoRegs,
    source: undefined,
    at: 2,
    tmax: 100,
    cur: undefined,
    bcat: undefined,
    badv: undefined,
    bapp: undefined,
    battr: undefined,
    wseat: undefined,
    bseat: undefined,
    test: false,
    ext: undefined,
    ...more,
  };
}
