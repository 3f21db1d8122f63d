/**
 * The Prebid dialect. Prebid.js's Prebid Server adapter (`s2sConfig.endpoint`) sends plain OpenRTB with
 * bidder params in `imp.ext.prebid.bidder.<code>`, and accepts a bid only when `seatbid[].seat` is the code it
 * asked for, `impid` matches, `price`/`crid` are present and `mtype` fits the ad unit; it treats 204 as an
 * error, so a no-bid is an empty `seatbid`. Exchange channels never go through this module.
 */
import type { BidRequest, BidResponse, Imp } from '../openrtb/types.js';

export type PrebidCheck =
  | { readonly ok: true; readonly code: string | undefined }
  | { readonly ok: false; readonly path: string; readonly message: string };

/**
 * Validates the Prebid extensions and finds the bidder code (one of ours) the request asks for.
 * `code` is undefined when the request asks for none of our codes (a no-bid, not an error).
 */
export function checkPrebid(req: BidRequest, codes: ReadonlySet<string>): PrebidCheck {
  let found: string | undefined;
  for (let i = 0; i < req.imp.length; i++) {
    const ext = req.imp[i]!.ext;
    if (ext === undefined || ext.prebid === undefined) continue;
    const prebid = ext.prebid;
    if (!isRecord(prebid)) return { ok: false, path: `imp[${i}].ext.prebid`, message: 'expected object' };
    const bidder = prebid.bidder;
    if (bidder === undefined) continue;
    if (!isRecord(bidder)) return { ok: false, path: `imp[${i}].ext.prebid.bidder`, message: 'expected object' };
    for (const code of Object.keys(bidder)) {
      const params = bidder[code];
      if (params !== undefined && params !== null && !isRecord(params))
        return { ok: false, path: `imp[${i}].ext.prebid.bidder.${code}`, message: 'expected object' };
      if (found === undefined && codes.has(code)) found = code;
    }
  }
  return { ok: true, code: found };
}

/** The params Prebid passed for `code` on this imp (e.g. `{ placementId: "homepage-top" }`). */
function prebidParams(imp: Imp, code: string): Readonly<Record<string, unknown>> | undefined {
  const prebid = imp.ext?.prebid;
  if (!isRecord(prebid) || !isRecord(prebid.bidder)) return undefined;
  const params = prebid.bidder[code];
  return isRecord(params) ? params : undefined;
}

/**
 * The request in plain OpenRTB for the auction: an imp for which Prebid passed a `placementId` param for
 * `code` gets it as its `tagid` (the placement targeting and scoring read). The auction thus never knows the
 * dialect. Returns `req` itself when no imp changes.
 */
export function withPrebidPlacements(req: BidRequest, code: string): BidRequest {
  let imps: Imp[] | undefined;
  for (let i = 0; i < req.imp.length; i++) {
    const imp = req.imp[i]!;
    const p = prebidParams(imp, code);
    const id = p?.placementId ?? p?.placement_id;
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    const placement = String(id);
    if (placement === imp.tagid) continue;
    imps ??= [...req.imp];
    imps[i] = { ...imp, tagid: placement };
  }
  return imps === undefined ? req : { ...req, imp: imps };
}

/** Reshapes our response for Prebid: seat = the bidder code asked for, `exp` on every bid. */
export function toPrebidResponse(res: BidResponse, code: string, exp: number): BidResponse {
  return {
    ...res,
    seatbid: res.seatbid.map((sb) => ({ seat: code, bid: sb.bid.map((b) => ({ ...b, exp })) })),
  };
}

/** Prebid's clean no-bid: 200 with an empty seatbid. */
export function emptyResponse(id: string, cur: string, nbr: number | undefined): BidResponse {
  return { id, bidid: undefined, cur, seatbid: [], nbr };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
