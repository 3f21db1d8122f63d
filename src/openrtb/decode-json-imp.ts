/**
 * Decoding of `imp` objects (OpenRTB 2.6 §3.2.4–3.2.12): banner with its formats, video, audio, native,
 * floors, private marketplace deals. An imp must offer at least one of banner, video, audio, native.
 * Runs with the path stack (`json-reader.ts`) positioned on the imp: `imp`, index.
 */
import {
  arr,
  enter,
  fail,
  flag,
  floor,
  id,
  int,
  intList,
  isObj,
  kEmptyStrings,
  leave,
  obj,
  str,
  strList,
  uint,
  type Obj,
} from './json-reader.js';
import type { Audio, Banner, Deal, Format, Imp, Native, Pmp, Video } from './types.js';

const kNoFormats: readonly Format[] = Object.freeze([]);
const kNoDeals: readonly Deal[] = Object.freeze([]);

export function decodeImp(v: unknown): Imp {
  if (!isObj(v)) fail(undefined, 'expected object');
  const impId = id(v.id, 'id');
  const banner = v.banner == null ? undefined : decodeBanner(v.banner);
  const video = v.video == null ? undefined : decodeVideo(v.video);
  const audio = v.audio == null ? undefined : decodeAudio(v.audio);
  const native = v.native == null ? undefined : decodeNative(v.native);
  if (banner === undefined && video === undefined && audio === undefined && native === undefined) {
    fail(undefined, 'one of banner, video, audio, native is required');
  }
  return {
    id: impId,
    banner,
    video,
    audio,
    native,
    pmp: v.pmp == null ? undefined : decodePmp(v.pmp),
    tagid: str(v.tagid, 'tagid'),
    bidfloor: floor(v.bidfloor, 'bidfloor'),
    bidfloorcur: str(v.bidfloorcur, 'bidfloorcur') ?? 'USD',
    secure: flag(v.secure, 'secure') ?? false,
    instl: flag(v.instl, 'instl') ?? false,
    // Kept as parsed, for channel dialects (Prebid reads `imp.ext.prebid.bidder`).
    ext: obj(v.ext, 'ext'),
  };
}

/** Every size the banner accepts: `format[]` then `w`×`h` (OpenRTB 2.6 §3.2.6, §3.2.10), without repeats. */
function decodeBanner(v: unknown): Banner {
  const b = obj(v, 'banner')!;
  enter('banner');
  const w = uint(b.w, 'w');
  const h = uint(b.h, 'h');
  const list = arr(b.format, 'format');
  let formats: Format[] | undefined;
  if (list !== undefined && list.length > 0) {
    enter('format');
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (!isObj(f)) fail(i, 'expected object');
      enter(i);
      const fw = uint(f.w, 'w');
      const fh = uint(f.h, 'h');
      leave();
      // Ratio-based formats (wratio/hratio/wmin) have no fixed size to match a creative against.
      if (fw !== undefined && fh !== undefined && fw > 0 && fh > 0 && !hasSize(formats, fw, fh))
        (formats ??= []).push({ w: fw, h: fh });
    }
    leave();
  }
  if (w !== undefined && h !== undefined && w > 0 && h > 0 && !hasSize(formats, w, h)) (formats ??= []).push({ w, h });
  const banner: Banner = {
    formats: formats ?? kNoFormats,
    w,
    h,
    battr: intList(b.battr, 'battr'),
    pos: int(b.pos, 'pos'),
  };
  leave();
  return banner;
}

function hasSize(list: readonly Format[] | undefined, w: number, h: number): boolean {
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) if (list[i]!.w === w && list[i]!.h === h) return true;
  return false;
}

function decodeVideo(v: unknown): Video {
  const o = obj(v, 'video')!;
  enter('video');
  const video: Video = {
    // Required by the spec, tolerated when absent: the creative match then has no MIME to go on.
    mimes: strList(o.mimes, 'mimes') ?? kEmptyStrings,
    protocols: intList(o.protocols, 'protocols'),
    minduration: uint(o.minduration, 'minduration'),
    maxduration: uint(o.maxduration, 'maxduration'),
    w: uint(o.w, 'w'),
    h: uint(o.h, 'h'),
    // -1, -2 are the mid-roll and post-roll generic values (AdCOM start delay), so signed.
    startdelay: int(o.startdelay, 'startdelay'),
    plcmt: int(o.plcmt, 'plcmt'),
    placement: int(o.placement, 'placement'),
    linearity: int(o.linearity, 'linearity'),
    battr: intList(o.battr, 'battr'),
  };
  leave();
  return video;
}

function decodeAudio(v: unknown): Audio {
  const o = obj(v, 'audio')!;
  enter('audio');
  const audio: Audio = {
    mimes: strList(o.mimes, 'mimes') ?? kEmptyStrings,
    minduration: uint(o.minduration, 'minduration'),
    maxduration: uint(o.maxduration, 'maxduration'),
    protocols: intList(o.protocols, 'protocols'),
  };
  leave();
  return audio;
}

/**
 * `native.request` is a JSON string per spec (OpenRTB 2.6 §3.2.9); some exchanges send the object itself,
 * which is serialised back to text so everything downstream sees one type. Only that case stringifies.
 */
function decodeNative(v: unknown): Native {
  const o = obj(v, 'native')!;
  enter('native');
  const raw = o.request;
  let request: string;
  if (typeof raw === 'string') request = raw;
  else if (isObj(raw)) request = JSON.stringify(raw);
  else fail('request', 'required (string or object)');
  const native: Native = { request, ver: str(o.ver, 'ver'), battr: intList(o.battr, 'battr') };
  leave();
  return native;
}

function decodePmp(v: unknown): Pmp {
  const o = obj(v, 'pmp')!;
  enter('pmp');
  const list = arr(o.deals, 'deals');
  let deals: readonly Deal[] = kNoDeals;
  if (list !== undefined && list.length > 0) {
    const out: Deal[] = [];
    enter('deals');
    for (let i = 0; i < list.length; i++) out.push(decodeDeal(list[i], i));
    leave();
    deals = out;
  }
  const pmp: Pmp = { private_auction: flag(o.private_auction, 'private_auction') ?? false, deals };
  leave();
  return pmp;
}

function decodeDeal(v: unknown, i: number): Deal {
  if (!isObj(v)) fail(i, 'expected object');
  const d: Obj = v;
  enter(i);
  const deal: Deal = {
    id: id(d.id, 'id'),
    bidfloor: floor(d.bidfloor, 'bidfloor'),
    bidfloorcur: str(d.bidfloorcur, 'bidfloorcur') ?? 'USD',
    at: int(d.at, 'at'),
    wseat: strList(d.wseat, 'wseat'),
  };
  leave();
  return deal;
}
