/**
 * Decoding of the request's context objects (OpenRTB 2.6 §3.2.13–3.2.21, §3.2.27, §3.2.29–3.2.30): site/app/
 * dooh into one `Inventory`, device with geo, user with consent, geo and extended ids (2.6 `user.eids`,
 * else `user.ext.eids`), regs with the privacy signals (2.6 location first, then `regs.ext`), and source
 * with its supply chain (2.6 `source.schain`, else `source.ext.schain`). Called with an empty path stack.
 */
import {
  arr,
  enter,
  fail,
  flag,
  int,
  isObj,
  leave,
  num,
  obj,
  str,
  strList,
  uint,
  intList,
  type Obj,
} from './json-reader.js';
import type { Device, Eid, Geo, Inventory, Publisher, Regs, Source, SupplyChainNode, Uid, User } from './types.js';

const kNoEids: readonly Eid[] = Object.freeze([]);
const kNoUids: readonly Uid[] = Object.freeze([]);
const kNoNodes: readonly SupplyChainNode[] = Object.freeze([]);

export function decodeInventory(v: unknown, kind: 'site' | 'app' | 'dooh'): Inventory {
  const o = obj(v, kind)!;
  enter(kind);
  const page = str(o.page, 'page');
  const inventory: Inventory = {
    kind,
    id: str(o.id, 'id'),
    name: str(o.name, 'name'),
    // A site without `domain` still has one in its page URL; targeting on domain should not miss it.
    domain: str(o.domain, 'domain') ?? (kind === 'site' && page !== undefined ? hostOf(page) : undefined),
    page,
    bundle: str(o.bundle, 'bundle'),
    cat: strList(o.cat, 'cat'),
    publisher: o.publisher == null ? undefined : decodePublisher(o.publisher),
  };
  leave();
  return inventory;
}

function decodePublisher(v: unknown): Publisher {
  const o = obj(v, 'publisher')!;
  enter('publisher');
  const publisher: Publisher = { id: str(o.id, 'id'), name: str(o.name, 'name'), domain: str(o.domain, 'domain') };
  leave();
  return publisher;
}

/** The lower-cased host of a page URL, scanned by hand: no URL object or regex per request. */
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

function decodeGeo(v: unknown): Geo {
  const g = obj(v, 'geo')!;
  enter('geo');
  const geo: Geo = {
    country: str(g.country, 'country'),
    region: str(g.region, 'region'),
    city: str(g.city, 'city'),
    lat: num(g.lat, 'lat'),
    lon: num(g.lon, 'lon'),
    utcoffset: int(g.utcoffset, 'utcoffset'),
  };
  leave();
  return geo;
}

export function decodeDevice(v: unknown): Device {
  const d = obj(v, 'device')!;
  enter('device');
  const device: Device = {
    ua: str(d.ua, 'ua'),
    ip: str(d.ip, 'ip'),
    ipv6: str(d.ipv6, 'ipv6'),
    geo: d.geo == null ? undefined : decodeGeo(d.geo),
    devicetype: uint(d.devicetype, 'devicetype'),
    os: str(d.os, 'os'),
    osv: str(d.osv, 'osv'),
    make: str(d.make, 'make'),
    model: str(d.model, 'model'),
    ifa: str(d.ifa, 'ifa'),
    lmt: flag(d.lmt, 'lmt') ?? false,
    dnt: flag(d.dnt, 'dnt') ?? false,
    language: str(d.language, 'language'),
  };
  leave();
  return device;
}

export function decodeUser(v: unknown): User {
  const u = obj(v, 'user')!;
  enter('user');
  const ext = obj(u.ext, 'ext');
  // 2.6 moved consent and eids out of `user.ext`; the 2.6 location wins when both are sent.
  let consent = str(u.consent, 'consent');
  if (consent === undefined && ext !== undefined) consent = inExt(ext.consent, 'consent', str);
  let eids: readonly Eid[] = kNoEids;
  if (u.eids != null) eids = decodeEids(u.eids);
  else if (ext !== undefined && ext.eids != null) {
    enter('ext');
    eids = decodeEids(ext.eids);
    leave();
  }
  const user: User = {
    id: str(u.id, 'id'),
    buyeruid: str(u.buyeruid, 'buyeruid'),
    consent,
    eids,
    geo: u.geo == null ? undefined : decodeGeo(u.geo),
  };
  leave();
  return user;
}

/** Reads `ext.<key>` of the current object with `read`, so an error names `….ext.<key>`. */
function inExt<T>(v: unknown, key: string, read: (v: unknown, k: string) => T): T {
  enter('ext');
  const out = read(v, key);
  leave();
  return out;
}

/** Extended identifiers (OpenRTB 2.6 §3.2.27–3.2.28). A uid without an id carries nothing and is dropped. */
function decodeEids(v: unknown): readonly Eid[] {
  const list = arr(v, 'eids')!;
  if (list.length === 0) return kNoEids;
  const out: Eid[] = [];
  enter('eids');
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!isObj(e)) fail(i, 'expected object');
    enter(i);
    const source = str(e.source, 'source');
    if (source === undefined || source === '') fail('source', 'required');
    const uidList = arr(e.uids, 'uids');
    let uids: readonly Uid[] = kNoUids;
    if (uidList !== undefined && uidList.length > 0) {
      const got: Uid[] = [];
      enter('uids');
      for (let j = 0; j < uidList.length; j++) {
        const x = uidList[j];
        if (!isObj(x)) fail(j, 'expected object');
        enter(j);
        const uid = str(x.id, 'id');
        const atype = int(x.atype, 'atype');
        leave();
        if (uid !== undefined && uid !== '') got.push({ id: uid, atype });
      }
      leave();
      uids = got;
    }
    leave();
    out.push({ source, uids });
  }
  leave();
  return out;
}

/** OpenRTB 2.6 moved gdpr and us_privacy from `regs.ext` into `regs`; the 2.6 field wins when both exist. */
export function decodeRegs(v: unknown): Regs {
  const r: Obj | undefined = obj(v, 'regs');
  if (r === undefined)
    return { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined };
  enter('regs');
  const ext = obj(r.ext, 'ext');
  let gdpr = flag(r.gdpr, 'gdpr');
  if (gdpr === undefined && ext !== undefined) gdpr = inExt(ext.gdpr, 'gdpr', flag);
  let usPrivacy = str(r.us_privacy, 'us_privacy');
  if (usPrivacy === undefined && ext !== undefined) usPrivacy = inExt(ext.us_privacy, 'us_privacy', str);
  const regs: Regs = {
    coppa: flag(r.coppa, 'coppa') ?? false,
    gdpr,
    us_privacy: usPrivacy,
    gpp: str(r.gpp, 'gpp'),
    gpp_sid: intList(r.gpp_sid, 'gpp_sid'),
  };
  leave();
  return regs;
}

export function decodeSource(v: unknown): Source {
  const s = obj(v, 'source')!;
  enter('source');
  const ext = obj(s.ext, 'ext');
  let schain: Source['schain'];
  if (s.schain != null) schain = decodeSchain(s.schain);
  else if (ext !== undefined && ext.schain != null) {
    enter('ext');
    schain = decodeSchain(ext.schain);
    leave();
  }
  const source: Source = { tid: str(s.tid, 'tid'), fd: flag(s.fd, 'fd'), schain };
  leave();
  return source;
}

/** The supply chain object (OpenRTB 2.6 §3.2.25, SupplyChain 1.0). */
function decodeSchain(v: unknown): NonNullable<Source['schain']> {
  const sc = obj(v, 'schain')!;
  enter('schain');
  const list = arr(sc.nodes, 'nodes');
  let nodes: readonly SupplyChainNode[] = kNoNodes;
  if (list !== undefined && list.length > 0) {
    const out: SupplyChainNode[] = [];
    enter('nodes');
    for (let i = 0; i < list.length; i++) {
      const n = list[i];
      if (!isObj(n)) fail(i, 'expected object');
      enter(i);
      out.push({ asi: str(n.asi, 'asi') ?? '', sid: str(n.sid, 'sid') ?? '', hp: flag(n.hp, 'hp') ?? false });
      leave();
    }
    leave();
    nodes = out;
  }
  const schain = { complete: flag(sc.complete, 'complete') ?? false, nodes };
  leave();
  return schain;
}
