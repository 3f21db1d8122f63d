/**
 * The protobuf bid request decoder (Google Authorized Buyers / Open Bidding and other protobuf exchanges):
 * the generated static decoder (`generated/`, from proto/openrtb.proto) reads the wire format, skipping
 * unknown fields and extensions, and this module maps the message onto the same internal `BidRequest`
 * the JSON decoder produces, with the same validation and defaults. Truncated or malformed bytes are a
 * 400, never a throw.
 *
 * protobufjs keeps proto2 defaults on the prototype and sets own properties only for fields on the wire,
 * so presence is `Object.hasOwn`.
 */
import type { DecodeResult } from '../decode-result.js';
import { FieldError } from '../json-reader.js';
import type { Banner, BidRequest, Deal, Device, Eid, Format, Geo, Imp, Inventory, Regs, Source, User } from '../types.js';
import { peregrine } from './generated/openrtb.js';

const pb = peregrine.openrtb;
type PbRequest = peregrine.openrtb.BidRequest.$Properties;
type PbImp = peregrine.openrtb.BidRequest.Imp.$Properties;
type PbGeo = peregrine.openrtb.BidRequest.Geo.$Properties;
type PbInventory = peregrine.openrtb.BidRequest.Site.$Properties & peregrine.openrtb.BidRequest.App.$Properties & peregrine.openrtb.BidRequest.Dooh.$Properties;

const has = Object.hasOwn as <T extends object>(o: T, k: keyof T) => boolean;

function opt<T extends object, K extends keyof T>(o: T, k: K): NonNullable<T[K]> | undefined {
  return has(o, k) && o[k] !== null ? (o[k] as NonNullable<T[K]>) : undefined;
}

function nonNegative(v: number | undefined, path: string): number | undefined {
  if (v !== undefined && v < 0) throw new FieldError(path, 'expected non-negative integer');
  return v;
}

function list<T>(v: T[] | null | undefined): readonly T[] | undefined {
  return v === null || v === undefined || v.length === 0 ? undefined : v;
}

export function decodeProtoRequest(bytes: Uint8Array): DecodeResult {
  let msg: PbRequest;
  try {
    msg = pb.BidRequest.decode(bytes);
  } catch {
    return { ok: false, path: '', message: 'invalid protobuf' };
  }
  try {
    return { ok: true, request: mapRequest(msg) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, path: e.path, message: e.message };
    return { ok: false, path: '', message: 'malformed request' };
  }
}

function mapRequest(m: PbRequest): BidRequest {
  const id = opt(m, 'id');
  if (id === undefined || id === '') throw new FieldError('id', 'required');
  const imps = m.imp ?? [];
  if (imps.length === 0) throw new FieldError('imp', 'at least one imp is required');
  const imp: Imp[] = [];
  // Pairwise below 16 imps, a Set above: a body of thousands of tiny imps must not cost quadratic time.
  const seen = imps.length > 16 ? new Set<string>() : undefined;
  for (let i = 0; i < imps.length; i++) {
    const d = mapImp(imps[i]!, i);
    if (seen !== undefined) {
      if (seen.has(d.id)) throw new FieldError(`imp[${i}].id`, 'duplicate imp id');
      seen.add(d.id);
    } else {
      for (const prev of imp) if (prev.id === d.id) throw new FieldError(`imp[${i}].id`, 'duplicate imp id');
    }
    imp.push(d);
  }
  const kinds = (m.site ? 1 : 0) + (m.app ? 1 : 0) + (m.dooh ? 1 : 0);
  if (kinds > 1) throw new FieldError(m.site ? 'site' : 'app', 'only one of site, app, dooh may be present');
  const at = opt(m, 'at');
  return {
    id,
    imp,
    inventory: m.site ? mapInventory(m.site, 'site') : m.app ? mapInventory(m.app, 'app') : m.dooh ? mapInventory(m.dooh, 'dooh') : undefined,
    device: m.device ? mapDevice(m.device) : undefined,
    user: m.user ? mapUser(m.user) : undefined,
    regs: mapRegs(m.regs ?? undefined),
    source: m.source ? mapSource(m.source) : undefined,
    at: at === undefined || at < 1 ? 2 : at,
    tmax: nonNegative(opt(m, 'tmax'), 'tmax'),
    cur: list(m.cur),
    bcat: list(m.bcat),
    badv: list(m.badv),
    bapp: list(m.bapp),
    battr: undefined,
    wseat: list(m.wseat),
    bseat: list(m.bseat),
    test: m.test === true,
    ext: undefined,
  };
}

function mapImp(p: PbImp, i: number): Imp {
  const path = `imp[${i}]`;
  const id = opt(p, 'id');
  if (id === undefined || id === '') throw new FieldError(`${path}.id`, 'required');
  const banner = p.banner ? mapBanner(p.banner, `${path}.banner`) : undefined;
  const v = p.video ?? undefined;
  const a = p.audio ?? undefined;
  const n = p.native ?? undefined;
  if (banner === undefined && !v && !a && !n) throw new FieldError(path, 'one of banner, video, audio, native is required');
  const bidfloor = opt(p, 'bidfloor') ?? 0;
  if (!Number.isFinite(bidfloor) || bidfloor < 0) throw new FieldError(`${path}.bidfloor`, 'expected a non-negative number');
  const pmp = p.pmp ?? undefined;
  return {
    id,
    banner,
    video: v
      ? {
          mimes: v.mimes ?? [],
          protocols: list(v.protocols),
          minduration: nonNegative(opt(v, 'minduration'), `${path}.video.minduration`),
          maxduration: nonNegative(opt(v, 'maxduration'), `${path}.video.maxduration`),
          w: nonNegative(opt(v, 'w'), `${path}.video.w`),
          h: nonNegative(opt(v, 'h'), `${path}.video.h`),
          startdelay: opt(v, 'startdelay'),
          plcmt: opt(v, 'plcmt'),
          placement: opt(v, 'placement'),
          linearity: opt(v, 'linearity'),
          battr: list(v.battr),
        }
      : undefined,
    audio: a ? { mimes: a.mimes ?? [], minduration: opt(a, 'minduration'), maxduration: opt(a, 'maxduration'), protocols: list(a.protocols) } : undefined,
    native: n ? { request: opt(n, 'request') ?? JSON.stringify(n.request_native ?? {}), ver: opt(n, 'ver'), battr: list(n.battr) } : undefined,
    pmp: pmp ? { private_auction: pmp.private_auction === true, deals: (pmp.deals ?? []).map((d, j) => mapDeal(d, `${path}.pmp.deals[${j}]`)) } : undefined,
    tagid: opt(p, 'tagid'),
    bidfloor,
    bidfloorcur: opt(p, 'bidfloorcur') ?? 'USD',
    secure: p.secure === true,
    instl: p.instl === true,
    ext: undefined,
  };
}

function mapBanner(b: peregrine.openrtb.BidRequest.Banner.$Properties, path: string): Banner {
  const w = nonNegative(opt(b, 'w'), `${path}.w`);
  const h = nonNegative(opt(b, 'h'), `${path}.h`);
  const formats: Format[] = [];
  for (const f of b.format ?? []) if (f.w && f.h && f.w > 0 && f.h > 0) formats.push({ w: f.w, h: f.h });
  if (w !== undefined && h !== undefined && w > 0 && h > 0 && !formats.some((f) => f.w === w && f.h === h)) formats.push({ w, h });
  return { formats, w, h, battr: list(b.battr), pos: opt(b, 'pos') };
}

function mapDeal(d: peregrine.openrtb.BidRequest.Deal.$Properties, path: string): Deal {
  const id = opt(d, 'id');
  if (id === undefined || id === '') throw new FieldError(`${path}.id`, 'required');
  const bidfloor = opt(d, 'bidfloor') ?? 0;
  if (!Number.isFinite(bidfloor) || bidfloor < 0) throw new FieldError(`${path}.bidfloor`, 'expected a non-negative number');
  return { id, bidfloor, bidfloorcur: opt(d, 'bidfloorcur') ?? 'USD', at: opt(d, 'at'), wseat: list(d.wseat) };
}

function mapInventory(s: PbInventory, kind: Inventory['kind']): Inventory {
  const pub = s.publisher ?? undefined;
  return {
    kind,
    id: opt(s, 'id'),
    name: opt(s, 'name'),
    domain: opt(s, 'domain'),
    page: opt(s, 'page'),
    bundle: opt(s, 'bundle'),
    cat: list(s.cat),
    publisher: pub ? { id: opt(pub, 'id'), name: opt(pub, 'name'), domain: opt(pub, 'domain') } : undefined,
  };
}

function mapGeo(g: PbGeo | null | undefined): Geo | undefined {
  if (!g) return undefined;
  return { country: opt(g, 'country'), region: opt(g, 'region'), city: opt(g, 'city'), lat: opt(g, 'lat'), lon: opt(g, 'lon'), utcoffset: opt(g, 'utcoffset') };
}

function mapDevice(d: peregrine.openrtb.BidRequest.Device.$Properties): Device {
  return {
    ua: opt(d, 'ua'),
    ip: opt(d, 'ip'),
    ipv6: opt(d, 'ipv6'),
    geo: mapGeo(d.geo),
    devicetype: nonNegative(opt(d, 'devicetype'), 'device.devicetype'),
    os: opt(d, 'os'),
    osv: opt(d, 'osv'),
    make: opt(d, 'make'),
    model: opt(d, 'model'),
    ifa: opt(d, 'ifa'),
    lmt: d.lmt === true,
    dnt: d.dnt === true,
    language: opt(d, 'language'),
  };
}

function mapUser(u: peregrine.openrtb.BidRequest.User.$Properties): User {
  const eids: Eid[] = [];
  for (const e of u.eids ?? []) {
    const source = opt(e, 'source');
    if (source === undefined) continue;
    eids.push({ source, uids: (e.uids ?? []).filter((x) => typeof x.id === 'string' && x.id !== '').map((x) => ({ id: x.id!, atype: opt(x, 'atype') })) });
  }
  return { id: opt(u, 'id'), buyeruid: opt(u, 'buyeruid'), consent: opt(u, 'consent'), eids, geo: mapGeo(u.geo) };
}

const kNoRegs: Regs = Object.freeze({ coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined });

function mapRegs(r: peregrine.openrtb.BidRequest.Regs.$Properties | undefined): Regs {
  if (r === undefined) return kNoRegs;
  return { coppa: r.coppa === true, gdpr: opt(r, 'gdpr'), us_privacy: opt(r, 'us_privacy'), gpp: opt(r, 'gpp'), gpp_sid: list(r.gpp_sid) };
}

function mapSource(s: peregrine.openrtb.BidRequest.Source.$Properties): Source {
  const sc = s.schain ?? undefined;
  return {
    tid: opt(s, 'tid'),
    fd: opt(s, 'fd'),
    schain: sc ? { complete: sc.complete === true || (sc.complete as unknown) === 1, nodes: (sc.nodes ?? []).map((n) => ({ asi: n.asi ?? '', sid: n.sid ?? '', hp: n.hp === true || (n.hp as unknown) === 1 })) } : undefined,
  };
}
