/**
 * The JSON bid request decoder: `JSON.parse` (native, the fastest parser V8 has) then a hand-written walk
 * that validates every field the bidder reads and copies it into the internal types (`types.ts`), with the
 * spec's defaults filled in and the privacy signals normalised (2.6 location first, then the pre-2.6 `ext`
 * location). Unknown fields and unknown enum values are ignored (OpenRTB 2.6 §2.6, §3.1). Errors name the
 * field path: `imp[0].banner.w: expected integer`. Never throws.
 *
 * Every internal object is built by one object literal that sets all of its fields in declaration order
 * (`undefined` when absent), so each type keeps one V8 shape and the auction's property reads stay
 * monomorphic; absent lists share frozen empty arrays instead of allocating.
 *
 * `__proto__` in the input is harmless: `JSON.parse` defines it as an own data property (it never calls the
 * setter), and the walk reads only the fields it names. The raw `ext` objects keep such keys as own
 * properties; consumers must not `Object.assign` them onto plain objects.
 */
import { decodeDevice, decodeInventory, decodeRegs, decodeSource, decodeUser } from './decode-json-context.js';
import { decodeImp } from './decode-json-imp.js';
import type { DecodeResult } from './decode-result.js';
import {
  arr,
  enter,
  fail,
  FieldError,
  flag,
  id,
  intList,
  isObj,
  leave,
  obj,
  resetPath,
  strList,
  uint,
  type Obj,
} from './json-reader.js';
import type { BidRequest, Imp, Inventory } from './types.js';

const kDecoder = new TextDecoder('utf-8', { fatal: false });

/** Up to this many imps, duplicate ids are found by comparing pairs; beyond it a Set keeps the check linear. */
const kPairwiseImpLimit = 16;

export function decodeJsonRequest(body: string | Uint8Array): DecodeResult {
  let root: unknown;
  try {
    root = JSON.parse(typeof body === 'string' ? body : kDecoder.decode(body));
  } catch {
    return { ok: false, path: '', message: 'invalid JSON' };
  }
  resetPath();
  try {
    return { ok: true, request: decodeRequest(root) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, path: e.path, message: e.message };
    // A RangeError from pathological input (e.g. a native request object too deep to re-serialise): still
    // a bad request, never a crash.
    return { ok: false, path: '', message: 'malformed request' };
  }
}

function decodeRequest(root: unknown): BidRequest {
  if (!isObj(root)) fail(undefined, 'expected a JSON object');
  const reqId = id(root.id, 'id');
  const imp = decodeImps(root.imp);
  const at = uint(root.at, 'at');
  return {
    id: reqId,
    imp,
    inventory: decodeInventoryOf(root),
    device: root.device == null ? undefined : decodeDevice(root.device),
    user: root.user == null ? undefined : decodeUser(root.user),
    regs: decodeRegs(root.regs),
    source: root.source == null ? undefined : decodeSource(root.source),
    // 0 is no auction type: protobuf-to-JSON converters write it for "unset", so it takes the default.
    at: at === undefined || at === 0 ? 2 : at,
    tmax: uint(root.tmax, 'tmax'),
    cur: strList(root.cur, 'cur'),
    bcat: strList(root.bcat, 'bcat'),
    badv: strList(root.badv, 'badv'),
    bapp: strList(root.bapp, 'bapp'),
    battr: intList(root.battr, 'battr'),
    wseat: strList(root.wseat, 'wseat'),
    bseat: strList(root.bseat, 'bseat'),
    test: flag(root.test, 'test') ?? false,
    // Kept as parsed, for channel dialects.
    ext: obj(root.ext, 'ext'),
  };
}

function decodeImps(v: unknown): Imp[] {
  const list = arr(v, 'imp');
  if (list === undefined || list.length === 0) fail('imp', 'at least one imp is required');
  const imps: Imp[] = [];
  const seen = list.length > kPairwiseImpLimit ? new Set<string>() : undefined;
  enter('imp');
  for (let i = 0; i < list.length; i++) {
    enter(i);
    const imp = decodeImp(list[i]);
    if (seen === undefined ? hasImpId(imps, imp.id) : seen.has(imp.id)) fail('id', 'duplicate imp id');
    seen?.add(imp.id);
    leave();
    imps.push(imp);
  }
  leave();
  return imps;
}

function hasImpId(imps: readonly Imp[], impId: string): boolean {
  for (let j = 0; j < imps.length; j++) if (imps[j]!.id === impId) return true;
  return false;
}

/** `site`, `app` and `dooh` are mutually exclusive (OpenRTB 2.6 §3.2.1): the request is from one of them. */
function decodeInventoryOf(root: Obj): Inventory | undefined {
  const site = root.site != null;
  const app = root.app != null;
  const dooh = root.dooh != null;
  if ((site ? 1 : 0) + (app ? 1 : 0) + (dooh ? 1 : 0) > 1)
    fail(site ? 'site' : 'app', 'only one of site, app, dooh may be present');
  if (site) return decodeInventory(root.site, 'site');
  if (app) return decodeInventory(root.app, 'app');
  if (dooh) return decodeInventory(root.dooh, 'dooh');
  return undefined;
}
