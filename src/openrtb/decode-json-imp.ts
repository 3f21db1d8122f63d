/**
 * Decoding of `imp` objects (OpenRTB 2.6 §3.2.4–3.2.12): banner with its formats, video, audio, native,
 * floors, private marketplace deals. An imp must offer at least one of banner, video, audio, native.
 */
import { FieldError, flag, int, intList, isObj, kEmptyNumbers, num, obj, str, strList, uint, arr, type Obj } from './json-reader.js';
import type { Audio, Banner, Deal, Format, Imp, Native, Pmp, Video } from './types.js';

export function decodeImp(v: unknown, i: number): Imp {
  const p = `imp[${i}]`;
  if (!isObj(v)) throw new FieldError(p, 'expected object');
  const id = str(v.id, p, 'id');
  if (id === undefined || id === '') throw new FieldError(`${p}.id`, 'required');
  const banner = v.banner == null ? undefined : decodeBanner(v.banner, `${p}.banner`);
  const video = v.video == null ? undefined : decodeVideo(v.video, `${p}.video`);
  const audio = v.audio == null ? undefined : decodeAudio(v.audio, `${p}.audio`);
  const native = v.native == null ? undefined : decodeNative(v.native, `${p}.native`);
  if (banner === undefined && video === undefined && audio === undefined && native === undefined) throw new FieldError(p, 'one of banner, video, audio, native is required');
  const bidfloor = num(v.bidfloor, p, 'bidfloor') ?? 0;
  if (bidfloor < 0) throw new FieldError(`${p}.bidfloor`, 'expected a non-negative number');
  return {
    id,
    banner,
    video,
    audio,
    native,
    pmp: v.pmp == null ? undefined : decodePmp(v.pmp, `${p}.pmp`),
    tagid: str(v.tagid, p, 'tagid'),
    bidfloor,
    bidfloorcur: str(v.bidfloorcur, p, 'bidfloorcur') ?? 'USD',
    secure: flag(v.secure, p, 'secure') ?? false,
    instl: flag(v.instl, p, 'instl') ?? false,
    ext: obj(v.ext, p, 'ext'),
  };
}

function decodeBanner(v: unknown, p: string): Banner {
  if (!isObj(v)) throw new FieldError(p, 'expected object');
  const w = uint(v.w, p, 'w');
  const h = uint(v.h, p, 'h');
  const list = arr(v.format, p, 'format');
  let formats: Format[];
  if (list === undefined || list.length === 0) {
    formats = w !== undefined && h !== undefined ? [{ w, h }] : [];
  } else {
    formats = [];
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (!isObj(f)) throw new FieldError(`${p}.format[${i}]`, 'expected object');
      const fw = uint(f.w, `${p}.format[${i}]`, 'w');
      const fh = uint(f.h, `${p}.format[${i}]`, 'h');
      // Ratio-based formats (wratio/hratio, min width) have no fixed size to match a creative against.
      if (fw !== undefined && fh !== undefined && fw > 0 && fh > 0) formats.push({ w: fw, h: fh });
    }
    if (w !== undefined && h !== undefined && !formats.some((f) => f.w === w && f.h === h)) formats.push({ w, h });
  }
  return { formats, w, h, battr: intList(v.battr, p, 'battr'), pos: int(v.pos, p, 'pos') };
}

function decodeVideo(v: unknown, p: string): Video {
  if (!isObj(v)) throw new FieldError(p, 'expected object');
  return {
    mimes: strList(v.mimes, p, 'mimes') ?? [],
    protocols: intList(v.protocols, p, 'protocols'),
    minduration: uint(v.minduration, p, 'minduration'),
    maxduration: uint(v.maxduration, p, 'maxduration'),
    w: uint(v.w, p, 'w'),
    h: uint(v.h, p, 'h'),
    startdelay: int(v.startdelay, p, 'startdelay'),
    plcmt: int(v.plcmt, p, 'plcmt'),
    placement: int(v.placement, p, 'placement'),
    linearity: int(v.linearity, p, 'linearity'),
    battr: intList(v.battr, p, 'battr'),
  };
}

function decodeAudio(v: unknown, p: string): Audio {
  if (!isObj(v)) throw new FieldError(p, 'expected object');
  return {
    mimes: strList(v.mimes, p, 'mimes') ?? [],
    minduration: uint(v.minduration, p, 'minduration'),
    maxduration: uint(v.maxduration, p, 'maxduration'),
    protocols: intList(v.protocols, p, 'protocols'),
  };
}

/** `native.request` is a JSON string per spec; some exchanges send the object itself, which we re-serialise. */
function decodeNative(v: unknown, p: string): Native {
  if (!isObj(v)) throw new FieldError(p, 'expected object');
  let request: string;
  if (typeof v.request === 'string') request = v.request;
  else if (isObj(v.request)) request = JSON.stringify(v.request);
  else throw new FieldError(`${p}.request`, 'required (string or object)');
  return { request, ver: str(v.ver, p, 'ver'), battr: intList(v.battr, p, 'battr') };
}

function decodePmp(v: unknown, p: string): Pmp {
  if (!isObj(v)) throw new FieldError(p, 'expected object');
  const list = arr(v.deals, p, 'deals') ?? [];
  const deals: Deal[] = [];
  for (let i = 0; i < list.length; i++) deals.push(decodeDeal(list[i], `${p}.deals[${i}]`));
  return { private_auction: flag(v.private_auction, p, 'private_auction') ?? false, deals };
}

function decodeDeal(v: unknown, p: string): Deal {
  const d: Obj | undefined = isObj(v) ? v : undefined;
  if (d === undefined) throw new FieldError(p, 'expected object');
  const id = str(d.id, p, 'id');
  if (id === undefined || id === '') throw new FieldError(`${p}.id`, 'required');
  const bidfloor = num(d.bidfloor, p, 'bidfloor') ?? 0;
  if (bidfloor < 0) throw new FieldError(`${p}.bidfloor`, 'expected a non-negative number');
  return { id, bidfloor, bidfloorcur: str(d.bidfloorcur, p, 'bidfloorcur') ?? 'USD', at: int(d.at, p, 'at'), wseat: strList(d.wseat, p, 'wseat') };
}

export { kEmptyNumbers };
