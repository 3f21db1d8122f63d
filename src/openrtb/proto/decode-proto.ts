/**
 * The protobuf bid request decoder (Google Authorized Buyers / Open Bidding and other protobuf exchanges,
 * schema in proto/openrtb.proto): one pass over the wire bytes straight into the internal `BidRequest`, the
 * same objects the JSON decoder (`decode-json.ts`) produces, with the same validation, defaults and error
 * paths. Unknown fields, IAB's `ext` and Google's extensions (100–9999) are skipped without allocating.
 * Truncated or malformed bytes are `{ ok: false }`, never a throw.
 *
 * Hand-written on protobufjs's `Reader` rather than the generated decoder, for speed: the generated code
 * builds a message object for every sub-message on the wire (content, data segments, user agent, …) and
 * we then copy what we need; here what we do not read is skipped and what we read is built once, in its
 * final shape (see `bench/micro/proto.bench.ts` for both). The generated code remains the schema of
 * record: it encodes responses (`encode-proto.ts`) and the tests encode requests with it, so a field
 * number here that disagrees with the .proto fails them.
 *
 * Errors found while reading are reported in wire order; the JSON decoder reports in its walk order, so a
 * request with several faults may name a different first one.
 */
import type { DecodeResult } from '../decode-result.js';
import { FieldError } from '../json-reader.js';
import type { BidRequest, Device, Imp, Inventory, Regs, Source, User } from '../types.js';
import {
  kNoRegs,
  readApp,
  readDevice,
  readDooh,
  readRegs,
  readSite,
  readSource,
  readUser,
  settleInventory,
} from './decode-proto-context.js';
import { readImp } from './decode-proto-imp.js';
import { append, readerFor, skipField, type Draft, type Reader } from './wire.js';

/** Up to this many imps, duplicate ids are found by comparing pairs; beyond it a Set keeps the check linear. */
const kPairwiseImpLimit = 16;

export function decodeProtoRequest(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, request: readRequest(readerFor(bytes)) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, path: e.path, message: e.message };
    // protobufjs's reader throws RangeError on truncation and Error on bad varints, tags and wire types.
    return { ok: false, path: '', message: `invalid protobuf: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function readRequest(r: Reader): BidRequest {
  let id = '';
  let imp: Imp[] | undefined;
  let site: Draft<Inventory> | undefined;
  let app: Draft<Inventory> | undefined;
  let dooh: Draft<Inventory> | undefined;
  let device: Device | undefined;
  let user: User | undefined;
  let regs: Regs = kNoRegs;
  let source: Source | undefined;
  let at = 0;
  let tmax: number | undefined;
  let cur: string[] | undefined;
  let bcat: string[] | undefined;
  let badv: string[] | undefined;
  let bapp: string[] | undefined;
  let wseat: string[] | undefined;
  let bseat: string[] | undefined;
  let test = false;
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        id = r.string();
        break;
      case (2 << 3) | 2:
        imp = append(imp, readImp(r, imp === undefined ? 0 : imp.length));
        break;
      case (3 << 3) | 2:
        site = readSite(r, site);
        break;
      case (4 << 3) | 2:
        app = readApp(r, app);
        break;
      case (5 << 3) | 2:
        device = readDevice(r, device);
        break;
      case (6 << 3) | 2:
        user = readUser(r, user);
        break;
      case (7 << 3) | 0:
        at = r.int32();
        break;
      case (8 << 3) | 0: {
        const t = r.int32();
        if (t < 0) throw new FieldError('tmax', 'expected non-negative integer');
        tmax = t;
        break;
      }
      case (9 << 3) | 2:
        wseat = append(wseat, r.string());
        break;
      case (11 << 3) | 2:
        cur = append(cur, r.string());
        break;
      case (12 << 3) | 2:
        bcat = append(bcat, r.string());
        break;
      case (13 << 3) | 2:
        badv = append(badv, r.string());
        break;
      case (14 << 3) | 2:
        regs = readRegs(r, regs);
        break;
      case (15 << 3) | 0:
        test = r.bool();
        break;
      case (16 << 3) | 2:
        bapp = append(bapp, r.string());
        break;
      case (17 << 3) | 2:
        bseat = append(bseat, r.string());
        break;
      case (19 << 3) | 2:
        source = readSource(r, source);
        break;
      case (22 << 3) | 2:
        dooh = readDooh(r, dooh);
        break;
      default:
        skipField(r, tag);
    }
  }
  if (id === '') throw new FieldError('id', 'required');
  if (imp === undefined) throw new FieldError('imp', 'at least one imp is required');
  checkImpIds(imp);
  if (at < 0) throw new FieldError('at', 'expected non-negative integer');
  return {
    id,
    imp,
    inventory: inventoryOf(site, app, dooh),
    device,
    user,
    regs,
    source,
    // 0 is "unset" in proto3-style encoders and no auction type in OpenRTB: it takes the default.
    at: at === 0 ? 2 : at,
    tmax,
    cur,
    bcat,
    badv,
    bapp,
    battr: undefined,
    wseat,
    bseat,
    test,
    ext: undefined,
  };
}

function checkImpIds(imps: readonly Imp[]): void {
  const seen = imps.length > kPairwiseImpLimit ? new Set<string>() : undefined;
  for (let i = 0; i < imps.length; i++) {
    const id = imps[i]!.id;
    if (seen === undefined ? hasImpId(imps, i, id) : seen.has(id))
      throw new FieldError(`imp[${i}].id`, 'duplicate imp id');
    seen?.add(id);
  }
}

function hasImpId(imps: readonly Imp[], before: number, id: string): boolean {
  for (let j = 0; j < before; j++) if (imps[j]!.id === id) return true;
  return false;
}

/** `site`, `app` and `dooh` are mutually exclusive (OpenRTB 2.6 §3.2.1): the request is from one of them. */
function inventoryOf(
  site: Draft<Inventory> | undefined,
  app: Draft<Inventory> | undefined,
  dooh: Draft<Inventory> | undefined,
): Inventory | undefined {
  if ((site ? 1 : 0) + (app ? 1 : 0) + (dooh ? 1 : 0) > 1)
    throw new FieldError(site ? 'site' : 'app', 'only one of site, app, dooh may be present');
  const inv = site ?? app ?? dooh;
  return inv === undefined ? undefined : settleInventory(inv);
}
