/**
 * Protobuf decoding of `imp` (OpenRTB 2.6 §3.2.4–3.2.12, field numbers from proto/openrtb.proto): banner with
 * its formats, video, audio, native, floors, private marketplace deals. Mirrors `decode-json-imp.ts`: the
 * same validation, defaults, error paths (`imp[0].banner.format[1].w`) and output shapes.
 *
 * `imp` is repeated, so each occurrence is one imp. Its singular sub-messages (banner, video, …) follow
 * proto2's rule that a message field seen twice is merged, not replaced: each reader takes the draft from
 * an earlier occurrence and keeps filling it. Derived fields (banner sizes, the native request text) are
 * settled once the imp ends.
 */
import { FieldError, kEmptyStrings } from '../json-reader.js';
import type { Audio, Banner, Deal, Format, Imp, Native, Pmp, Video } from '../types.js';
import { nativeRequestJson } from './native-request-json.js';
import {
  append,
  appendInts,
  bytesView,
  closeMessage,
  openMessage,
  skipField,
  type Draft,
  type Reader,
} from './wire.js';

const kNoFormats: readonly Format[] = Object.freeze([]);
const kNoDeals: readonly Deal[] = Object.freeze([]);

/** Native while being read: the string form and the `request_native` bytes are settled when the imp ends. */
interface NativeDraft {
  request: string | undefined;
  requestNative: Uint8Array | undefined;
  ver: string | undefined;
  battr: readonly number[] | undefined;
}

export function readImp(r: Reader, i: number): Imp {
  const outer = openMessage(r);
  let id = '';
  let banner: Draft<Banner> | undefined;
  let video: Draft<Video> | undefined;
  let audio: Draft<Audio> | undefined;
  let native: NativeDraft | undefined;
  let pmp: Draft<Pmp> | undefined;
  let tagid: string | undefined;
  let bidfloor = 0;
  let bidfloorcur = 'USD';
  let secure = false;
  let instl = false;
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        id = r.string();
        break;
      case (2 << 3) | 2:
        banner = readBanner(r, banner, i);
        break;
      case (3 << 3) | 2:
        video = readVideo(r, video, i);
        break;
      case (6 << 3) | 0:
        instl = r.bool();
        break;
      case (7 << 3) | 2:
        tagid = r.string();
        break;
      case (8 << 3) | 1:
        bidfloor = r.double();
        break;
      case (9 << 3) | 2:
        bidfloorcur = r.string();
        break;
      case (11 << 3) | 2:
        pmp = readPmp(r, pmp, i);
        break;
      case (12 << 3) | 0:
        secure = r.bool();
        break;
      case (13 << 3) | 2:
        native = readNative(r, native);
        break;
      case (15 << 3) | 2:
        audio = readAudio(r, audio, i);
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  if (id === '') throw new FieldError(`imp[${i}].id`, 'required');
  if (banner === undefined && video === undefined && audio === undefined && native === undefined) {
    throw new FieldError(`imp[${i}]`, 'one of banner, video, audio, native is required');
  }
  if (banner !== undefined) settleSizes(banner);
  return {
    id,
    banner,
    video,
    audio,
    native: native === undefined ? undefined : settleNative(native, i),
    pmp,
    tagid,
    bidfloor: floorAt(bidfloor, i, undefined),
    bidfloorcur,
    secure,
    instl,
    ext: undefined,
  };
}

function floorAt(v: number, i: number, deal: number | undefined): number {
  if (Number.isFinite(v) && v >= 0) return v;
  const path = deal === undefined ? `imp[${i}].bidfloor` : `imp[${i}].pmp.deals[${deal}].bidfloor`;
  throw new FieldError(path, Number.isFinite(v) ? 'expected a non-negative number' : 'expected number');
}

/** A width, height or duration: a non-negative integer, as the JSON decoder's `uint`. */
function dim(v: number, i: number, at: string): number {
  if (v < 0) throw new FieldError(`imp[${i}].${at}`, 'expected non-negative integer');
  return v;
}

function readBanner(r: Reader, prev: Draft<Banner> | undefined, i: number): Draft<Banner> {
  const b = prev ?? { formats: kNoFormats, w: undefined, h: undefined, battr: undefined, pos: undefined };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        b.w = dim(r.int32(), i, 'banner.w');
        break;
      case (2 << 3) | 0:
        b.h = dim(r.int32(), i, 'banner.h');
        break;
      case (4 << 3) | 0:
        b.pos = r.int32();
        break;
      case (6 << 3) | 0:
      case (6 << 3) | 2:
        b.battr = appendInts(r, tag, b.battr);
        break;
      // Every format is kept while reading (so `format[j]` in an error is its index on the wire); sizes
      // without a fixed w×h (ratio-based formats) are dropped when the imp ends.
      case (15 << 3) | 2:
        b.formats = append(b.formats, readFormat(r, i, b.formats.length));
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return b;
}

function readFormat(r: Reader, i: number, j: number): Format {
  let w = 0;
  let h = 0;
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        w = dim(r.int32(), i, `banner.format[${j}].w`);
        break;
      case (2 << 3) | 0:
        h = dim(r.int32(), i, `banner.format[${j}].h`);
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return { w, h };
}

/** Every size the banner accepts: `format[]` then `w`×`h` (OpenRTB 2.6 §3.2.6, §3.2.10), without repeats. */
function settleSizes(b: Draft<Banner>): void {
  const read = b.formats;
  let sizes: Format[] | undefined;
  for (let k = 0; k < read.length; k++) {
    const f = read[k]!;
    if (f.w > 0 && f.h > 0 && !hasSize(sizes, f.w, f.h)) (sizes ??= []).push(f);
  }
  if (b.w !== undefined && b.h !== undefined && b.w > 0 && b.h > 0 && !hasSize(sizes, b.w, b.h))
    (sizes ??= []).push({ w: b.w, h: b.h });
  b.formats = sizes ?? kNoFormats;
}

function hasSize(list: readonly Format[] | undefined, w: number, h: number): boolean {
  if (list === undefined) return false;
  for (let k = 0; k < list.length; k++) if (list[k]!.w === w && list[k]!.h === h) return true;
  return false;
}

function readVideo(r: Reader, prev: Draft<Video> | undefined, i: number): Draft<Video> {
  const v: Draft<Video> = prev ?? {
    mimes: kEmptyStrings,
    protocols: undefined,
    minduration: undefined,
    maxduration: undefined,
    w: undefined,
    h: undefined,
    startdelay: undefined,
    plcmt: undefined,
    placement: undefined,
    linearity: undefined,
    battr: undefined,
  };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        v.mimes = append(v.mimes, r.string());
        break;
      case (2 << 3) | 0:
        v.linearity = r.int32();
        break;
      case (3 << 3) | 0:
        v.minduration = dim(r.int32(), i, 'video.minduration');
        break;
      case (4 << 3) | 0:
        v.maxduration = dim(r.int32(), i, 'video.maxduration');
        break;
      case (6 << 3) | 0:
        v.w = dim(r.int32(), i, 'video.w');
        break;
      case (7 << 3) | 0:
        v.h = dim(r.int32(), i, 'video.h');
        break;
      // -1, -2 are the mid-roll and post-roll generic values (AdCOM start delay), so signed.
      case (8 << 3) | 0:
        v.startdelay = r.int32();
        break;
      case (10 << 3) | 0:
      case (10 << 3) | 2:
        v.battr = appendInts(r, tag, v.battr);
        break;
      case (21 << 3) | 0:
      case (21 << 3) | 2:
        v.protocols = appendInts(r, tag, v.protocols);
        break;
      case (26 << 3) | 0:
        v.placement = r.int32();
        break;
      case (35 << 3) | 0:
        v.plcmt = r.int32();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return v;
}

function readAudio(r: Reader, prev: Draft<Audio> | undefined, i: number): Draft<Audio> {
  const a: Draft<Audio> = prev ?? {
    mimes: kEmptyStrings,
    minduration: undefined,
    maxduration: undefined,
    protocols: undefined,
  };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        a.mimes = append(a.mimes, r.string());
        break;
      case (2 << 3) | 0:
        a.minduration = dim(r.int32(), i, 'audio.minduration');
        break;
      case (3 << 3) | 0:
        a.maxduration = dim(r.int32(), i, 'audio.maxduration');
        break;
      case (4 << 3) | 0:
      case (4 << 3) | 2:
        a.protocols = appendInts(r, tag, a.protocols);
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return a;
}

function readNative(r: Reader, prev: NativeDraft | undefined): NativeDraft {
  const n: NativeDraft = prev ?? { request: undefined, requestNative: undefined, ver: undefined, battr: undefined };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        n.request = r.string();
        break;
      case (2 << 3) | 2:
        n.ver = r.string();
        break;
      case (4 << 3) | 0:
      case (4 << 3) | 2:
        n.battr = appendInts(r, tag, n.battr);
        break;
      // Kept as bytes (a view): only serialised if no string form arrives, and two occurrences merge as
      // their concatenation, which is how protobuf defines merging.
      case (50 << 3) | 2:
        n.requestNative = concat(n.requestNative, bytesView(r));
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return n;
}

function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  return a === undefined ? b : Buffer.concat([a, b]);
}

/**
 * `native.request` is the Native request as JSON text (OpenRTB 2.6 §3.2.9). Google sends the message form
 * `request_native` instead; the string form wins when both are present, else the message is serialised.
 */
function settleNative(n: NativeDraft, i: number): Native {
  let request = n.request;
  if (request === undefined) {
    if (n.requestNative === undefined) throw new FieldError(`imp[${i}].native.request`, 'required (string or object)');
    request = nativeRequestJson(n.requestNative);
  }
  return { request, ver: n.ver, battr: n.battr };
}

function readPmp(r: Reader, prev: Draft<Pmp> | undefined, i: number): Draft<Pmp> {
  const p: Draft<Pmp> = prev ?? { private_auction: false, deals: kNoDeals };
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0:
        p.private_auction = r.bool();
        break;
      case (2 << 3) | 2:
        p.deals = append(p.deals, readDeal(r, i, p.deals.length));
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  return p;
}

function readDeal(r: Reader, i: number, j: number): Deal {
  let id = '';
  let bidfloor = 0;
  let bidfloorcur = 'USD';
  let at: number | undefined;
  let wseat: string[] | undefined;
  const outer = openMessage(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        id = r.string();
        break;
      case (2 << 3) | 1:
        bidfloor = r.double();
        break;
      case (3 << 3) | 2:
        bidfloorcur = r.string();
        break;
      case (4 << 3) | 2:
        wseat = append(wseat, r.string());
        break;
      case (6 << 3) | 0:
        at = r.int32();
        break;
      default:
        skipField(r, tag);
    }
  }
  closeMessage(r, outer);
  if (id === '') throw new FieldError(`imp[${i}].pmp.deals[${j}].id`, 'required');
  return { id, bidfloor: floorAt(bidfloor, i, j), bidfloorcur, at, wseat };
}
