/**
 * Decoding of the request's context objects (OpenRTB 2.6 §3.2.13–3.2.21, §3.2.27): site/app/dooh into one
 * `Inventory`, device with geo, user with consent and extended ids (2.6 `user.eids`, else `user.ext.eids`),
 * and source with its supply chain (2.6 `source.schain`, else `source.ext.schain`).
 */
import { arr, FieldError, flag, int, isObj, num, obj, str, strList, uint, type Obj } from './json-reader.js';
import type { Device, Eid, Geo, Inventory, Publisher, Source, SupplyChainNode, Uid, User } from './types.js';

export function decodeInventory(v: unknown, kind: 'site' | 'app' | 'dooh'): Inventory {
  if (!isObj(v)) throw new FieldError(kind, 'expected object');
  const pub = obj(v.publisher, kind, 'publisher');
  const publisher: Publisher | undefined =
    pub === undefined ? undefined : { id: str(pub.id, `${kind}.publisher`, 'id'), name: str(pub.name, `${kind}.publisher`, 'name'), domain: str(pub.domain, `${kind}.publisher`, 'domain') };
  const page = str(v.page, kind, 'page');
  return {
    kind,
    id: str(v.id, kind, 'id'),
    name: str(v.name, kind, 'name'),
    domain: str(v.domain, kind, 'domain') ?? (kind === 'site' && page !== undefined ? hostOf(page) : undefined),
    page,
    bundle: str(v.bundle, kind, 'bundle'),
    cat: strList(v.cat, kind, 'cat'),
    publisher,
  };
}

/** The host of a page URL, without parsing a URL object per request. */
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

function decodeGeo(v: unknown, p: string, k: string): Geo | undefined {
  const g = obj(v, p, k);
  if (g === undefined) return undefined;
  const gp = `${p}.${k}`;
  return {
    country: str(g.country, gp, 'country'),
    region: str(g.region, gp, 'region'),
    city: str(g.city, gp, 'city'),
    lat: num(g.lat, gp, 'lat'),
    lon: num(g.lon, gp, 'lon'),
    utcoffset: int(g.utcoffset, gp, 'utcoffset'),
  };
}

export function decodeDevice(v: unknown): Device | undefined {
  const d = obj(v, '', 'device');
  if (d === undefined) return undefined;
  return {
    ua: str(d.ua, 'device', 'ua'),
    ip: str(d.ip, 'device', 'ip'),
    ipv6: str(d.ipv6, 'device', 'ipv6'),
    geo: decodeGeo(d.geo, 'device', 'geo'),
    devicetype: uint(d.devicetype, 'device', 'devicetype'),
    os: str(d.os, 'device', 'os'),
    osv: str(d.osv, 'device', 'osv'),
    make: str(d.make, 'device', 'make'),
    model: str(d.model, 'device', 'model'),
    ifa: str(d.ifa, 'device', 'ifa'),
    lmt: flag(d.lmt, 'device', 'lmt') ?? false,
    dnt: flag(d.dnt, 'device', 'dnt') ?? false,
    language: str(d.language, 'device', 'language'),
  };
}

const kNoEids: readonly Eid[] = Object.freeze([]);

export function decodeUser(v: unknown): User | undefined {
  const u = obj(v, '', 'user');
  if (u === undefined) return undefined;
  const ext = obj(u.ext, 'user', 'ext');
  const eidsAt = u.eids != null ? 'user' : 'user.ext';
  const rawEids = u.eids != null ? u.eids : ext?.eids;
  return {
    id: str(u.id, 'user', 'id'),
    buyeruid: str(u.buyeruid, 'user', 'buyeruid'),
    consent: str(u.consent, 'user', 'consent') ?? (ext === undefined ? undefined : str(ext.consent, 'user.ext', 'consent')),
    eids: rawEids == null ? kNoEids : decodeEids(rawEids, eidsAt),
    geo: decodeGeo(u.geo, 'user', 'geo'),
  };
}

function decodeEids(v: unknown, p: string): readonly Eid[] {
  const list = arr(v, p, 'eids')!;
  const out: Eid[] = [];
  for (let i = 0; i < list.length; i++) {
    const ep = `${p}.eids[${i}]`;
    const e = list[i];
    if (!isObj(e)) throw new FieldError(ep, 'expected object');
    const source = str(e.source, ep, 'source');
    if (source === undefined) throw new FieldError(`${ep}.source`, 'required');
    const uidList = arr(e.uids, ep, 'uids') ?? [];
    const uids: Uid[] = [];
    for (let j = 0; j < uidList.length; j++) {
      const x = uidList[j];
      if (!isObj(x)) throw new FieldError(`${ep}.uids[${j}]`, 'expected object');
      const id = str(x.id, `${ep}.uids[${j}]`, 'id');
      if (id !== undefined && id !== '') uids.push({ id, atype: int(x.atype, `${ep}.uids[${j}]`, 'atype') });
    }
    out.push({ source, uids });
  }
  return out;
}

export function decodeSource(v: unknown): Source | undefined {
  const s = obj(v, '', 'source');
  if (s === undefined) return undefined;
  const ext = obj(s.ext, 'source', 'ext');
  const schainAt = s.schain != null ? 'source' : 'source.ext';
  const raw = s.schain != null ? s.schain : ext?.schain;
  return { tid: str(s.tid, 'source', 'tid'), fd: flag(s.fd, 'source', 'fd'), schain: raw == null ? undefined : decodeSchain(raw, schainAt) };
}

function decodeSchain(v: unknown, p: string): Source['schain'] {
  const sc: Obj | undefined = obj(v, p, 'schain');
  if (sc === undefined) return undefined;
  const sp = `${p}.schain`;
  const list = arr(sc.nodes, sp, 'nodes') ?? [];
  const nodes: SupplyChainNode[] = [];
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    if (!isObj(n)) throw new FieldError(`${sp}.nodes[${i}]`, 'expected object');
    nodes.push({ asi: str(n.asi, `${sp}.nodes[${i}]`, 'asi') ?? '', sid: str(n.sid, `${sp}.nodes[${i}]`, 'sid') ?? '', hp: flag(n.hp, `${sp}.nodes[${i}]`, 'hp') ?? false });
  }
  return { complete: flag(sc.complete, sp, 'complete') ?? false, nodes };
}
