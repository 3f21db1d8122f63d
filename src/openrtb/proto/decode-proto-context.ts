/**
 * Protobuf decoding of the request's context objects (OpenRTB 2.6 §3.2.13–3.2.21, §3.2.27, §3.2.29–3.2.30;
 * field numbers from proto/openrtb.proto): site/app/dooh into one `Inventory`, device with geo, user with
 * consent, geo and extended ids, regs, and source with its supply chain. Mirrors `decode-json-context.ts`.
 *
 * Each of these is a singular field of its parent, so a reader takes the draft of an earlier occurrence and
 * keeps filling it (proto2 merges a message field seen twice). The pre-2.6 `ext` fallbacks of the JSON side
 * (`regs.ext.gdpr`, `user.ext.consent`, `source.ext.schain`) have no protobuf counterpart: IAB's `ext` is an
 * opaque message and Google's privacy extensions are exchange-defined, outside this schema, so both are
 * skipped like any unknown field.
 */
import { FieldError } from '../json-reader.js';
import type { Device, Eid, Geo, Inventory, Publisher, Regs, Source, SupplyChainNode, Uid, User } from '../types.js';
import { append, appendInts, closeMessage, openMessage, skipField, type Draft, type Reader } from './wire.js';

const kNoEids: readonly Eid[] = Object.freeze([]);
const kNoUids: readonly Uid[] = Object.freeze([]);
const kNoNodes: readonly SupplyChainNode[] = Object.freeze([]);

export const kNoRegs: Regs = Object.freeze({
  coppa: false,
  gdpr: undefined,
  us_privacy: undefined,
  gpp: undefined,
  gpp_sid: undefined,
});

function newInventory(kind: Inventory['kind']): Draft<Inventory> {
  return {
    kind,
    id: undefined,
    name: undefined,
    domain: undefined,
    page: undefined,
    bundle: undefined,
    cat: undefined,
    publisher: undefined,
  };
}

/** `site` (BidRequest.site = 3). */
export function readSite(r: Reader, prev: Draft<Inventory> | undefined): Draft<Inventory> {
  const s = prev ?? newInventory('site');
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        s.id = r.string();
        break;
      case (2 << 3) | 2:
        s.name = r.string();
        break;
      case (3 << 3) | 2:
        s.domain = r.string();
        break;
      case (4 << 3) | 2:
        s.cat = append(s.cat, r.string());
        break;
      case (7 << 3) | 2:
        s.page = r.string();
        break;
      case (11 << 3) | 2:
        s.publisher = readPublisher(r, s.publisher);
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return s;
}

/** `app` (BidRequest.app = 4). */
export function readApp(r: Reader, prev: Draft<Inventory> | undefined): Draft<Inventory> {
  const a = prev ?? newInventory('app');
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        a.id = r.string();
        break;
      case (2 << 3) | 2:
        a.name = r.string();
        break;
      case (3 << 3) | 2:
        a.domain = r.string();
        break;
      case (4 << 3) | 2:
        a.cat = append(a.cat, r.string());
        break;
      case (8 << 3) | 2:
        a.bundle = r.string();
        break;
      case (11 << 3) | 2:
        a.publisher = readPublisher(r, a.publisher);
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return a;
}

/** `dooh` (BidRequest.dooh = 22, OpenRTB 2.6 §3.2.30): its publisher and domain have their own numbers. */
export function readDooh(r: Reader, prev: Draft<Inventory> | undefined): Draft<Inventory> {
  const d = prev ?? newInventory('dooh');
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        d.id = r.string();
        break;
      case (2 << 3) | 2:
        d.name = r.string();
        break;
      case (5 << 3) | 2:
        d.publisher = readPublisher(r, d.publisher);
        break;
      case (6 << 3) | 2:
        d.domain = r.string();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return d;
}

/** A site without `domain` still has one in its page URL; targeting on domain should not miss it. */
export function settleInventory(s: Draft<Inventory>): Inventory {
  if (s.domain === undefined && s.kind === 'site' && s.page !== undefined) s.domain = hostOf(s.page);
  return s;
}

/** The lower-cased host of a page URL, scanned by hand: the JSON decoder's rule (private there). */
function hostOf(page: string): string | undefined {
  const start = page.indexOf('//');
  if (start < 0) return undefined;
  let end = start + 2;
  while (end < page.length) {
    const c = page.charCodeAt(end);
    if (c === 47 || c === 58 || c === 63 || c === 35) break; // / : ? #
    end++;
  }
  return end > start + 2 ? page.slice(start + 2, end).toLowerCase() : undefined;
}

function readPublisher(r: Reader, prev: Publisher | undefined): Publisher {
  const p: Draft<Publisher> = prev ?? { id: undefined, name: undefined, domain: undefined };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        p.id = r.string();
        break;
      case (2 << 3) | 2:
        p.name = r.string();
        break;
      case (4 << 3) | 2:
        p.domain = r.string();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return p;
}

function readGeo(r: Reader, prev: Geo | undefined, at: 'device.geo' | 'user.geo'): Geo {
  const g: Draft<Geo> = prev ?? {
    country: undefined,
    region: undefined,
    city: undefined,
    lat: undefined,
    lon: undefined,
    utcoffset: undefined,
  };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 1:
        g.lat = finite(r.double(), at, 'lat');
        break;
      case (2 << 3) | 1:
        g.lon = finite(r.double(), at, 'lon');
        break;
      case (3 << 3) | 2:
        g.country = r.string();
        break;
      case (4 << 3) | 2:
        g.region = r.string();
        break;
      case (7 << 3) | 2:
        g.city = r.string();
        break;
      case (10 << 3) | 0:
        g.utcoffset = r.int32();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return g;
}

function finite(v: number, at: string, key: string): number {
  if (!Number.isFinite(v)) throw new FieldError(`${at}.${key}`, 'expected number');
  return v;
}

export function readDevice(r: Reader, prev: Device | undefined): Device {
  const d: Draft<Device> = prev ?? {
    ua: undefined,
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
  };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        d.dnt = r.bool();
        break;
      case (2 << 3) | 2:
        d.ua = r.string();
        break;
      case (3 << 3) | 2:
        d.ip = r.string();
        break;
      case (4 << 3) | 2:
        d.geo = readGeo(r, d.geo, 'device.geo');
        break;
      case (9 << 3) | 2:
        d.ipv6 = r.string();
        break;
      case (11 << 3) | 2:
        d.language = r.string();
        break;
      case (12 << 3) | 2:
        d.make = r.string();
        break;
      case (13 << 3) | 2:
        d.model = r.string();
        break;
      case (14 << 3) | 2:
        d.os = r.string();
        break;
      case (15 << 3) | 2:
        d.osv = r.string();
        break;
      case (18 << 3) | 0: {
        const t = r.int32();
        if (t < 0) throw new FieldError('device.devicetype', 'expected non-negative integer');
        d.devicetype = t;
        break;
      }
      case (20 << 3) | 2:
        d.ifa = r.string();
        break;
      case (23 << 3) | 0:
        d.lmt = r.bool();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return d;
}

export function readUser(r: Reader, prev: User | undefined): User {
  const u: Draft<User> = prev ?? {
    id: undefined,
    buyeruid: undefined,
    consent: undefined,
    eids: kNoEids,
    geo: undefined,
  };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        u.id = r.string();
        break;
      case (2 << 3) | 2:
        u.buyeruid = r.string();
        break;
      case (7 << 3) | 2:
        u.geo = readGeo(r, u.geo, 'user.geo');
        break;
      case (10 << 3) | 2:
        u.consent = r.string();
        break;
      case (11 << 3) | 2:
        u.eids = append(u.eids, readEid(r, u.eids.length));
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return u;
}

/** An extended identifier (OpenRTB 2.6 §3.2.27–3.2.28). A uid without an id carries nothing and is dropped. */
function readEid(r: Reader, k: number): Eid {
  let source = '';
  let uids: readonly Uid[] = kNoUids;
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        source = r.string();
        break;
      case (2 << 3) | 2: {
        const uid = readUid(r);
        if (uid.id !== '') uids = append(uids, uid);
        break;
      }
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  if (source === '') throw new FieldError(`user.eids[${k}].source`, 'required');
  return { source, uids };
}

function readUid(r: Reader): Uid {
  let id = '';
  let atype: number | undefined;
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        id = r.string();
        break;
      case (2 << 3) | 0:
        atype = r.int32();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return { id, atype };
}

/** Regs with the OpenRTB 2.6 privacy fields (gdpr, us_privacy, gpp, gpp_sid). */
export function readRegs(r: Reader, prev: Regs | undefined): Regs {
  const g: Draft<Regs> =
    prev === undefined || prev === kNoRegs
      ? { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined }
      : prev;
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        g.coppa = r.bool();
        break;
      case (2 << 3) | 2:
        g.gpp = r.string();
        break;
      case (3 << 3) | 0:
      case (3 << 3) | 2:
        g.gpp_sid = appendInts(r, tag, g.gpp_sid);
        break;
      case (4 << 3) | 0:
        g.gdpr = r.bool();
        break;
      case (5 << 3) | 2:
        g.us_privacy = r.string();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return g;
}

export function readSource(r: Reader, prev: Source | undefined): Source {
  const s: Draft<Source> = prev ?? { tid: undefined, fd: undefined, schain: undefined };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        s.fd = r.bool();
        break;
      case (2 << 3) | 2:
        s.tid = r.string();
        break;
      case (4 << 3) | 2:
        s.schain = readSchain(r, s.schain);
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return s;
}

type Schain = NonNullable<Source['schain']>;

/** The supply chain object (OpenRTB 2.6 §3.2.25, SupplyChain 1.0). */
function readSchain(r: Reader, prev: Schain | undefined): Schain {
  const sc: Draft<Schain> = prev ?? { complete: false, nodes: kNoNodes };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        sc.complete = r.bool();
        break;
      case (2 << 3) | 2:
        sc.nodes = append(sc.nodes, readNode(r));
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return sc;
}

function readNode(r: Reader): SupplyChainNode {
  let asi = '';
  let sid = '';
  let hp = false;
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        asi = r.string();
        break;
      case (2 << 3) | 2:
        sid = r.string();
        break;
      case (6 << 3) | 0:
        hp = r.bool();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return { asi, sid, hp };
}
