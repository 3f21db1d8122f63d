/**
 * The targeting checks the bitset index does not cover: cheap per-campaign predicates run only on the
 * campaigns that survived the index. Request-level ones run once per request; profile-level ones after the
 * user lookup; imp-level ones (deals, creatives) in `creative-match.ts`.
 */
import type { BidRequest } from '../openrtb/types.js';
import type { Profile } from '../store/ports.js';
import type { Campaign } from './model.js';
import { normaliseDomain } from './targeting-index.js';

/** Why a campaign was dropped, for the no-bid reason. Ordered by how far the request got. */
export const enum Drop {
  None = 0,
  Targeting = 1,
  Blocked = 2,
}

export function checkRequest(c: Campaign, req: BidRequest, nowMs: number, hourOfWeek: number): Drop {
  if (nowMs < c.flightStartMs || nowMs >= c.flightEndMs) return Drop.Targeting;
  const t = c.targeting;
  if (t.dayparts !== undefined && t.dayparts[hourOfWeek] !== 1) return Drop.Targeting;
  const inv = req.inventory;
  if (t.domainBlock !== undefined && inv?.domain !== undefined && t.domainBlock.has(normaliseDomain(inv.domain)))
    return Drop.Blocked;
  if (t.bundleBlock !== undefined && inv?.bundle !== undefined && t.bundleBlock.has(inv.bundle)) return Drop.Blocked;
  const pub = inv?.publisher?.id;
  if (t.publisherAllow !== undefined && (pub === undefined || !t.publisherAllow.has(pub))) return Drop.Targeting;
  if (t.publisherBlock !== undefined && pub !== undefined && t.publisherBlock.has(pub)) return Drop.Blocked;
  if (t.categoryAllow !== undefined && !anyIn(inv?.cat, t.categoryAllow)) return Drop.Targeting;
  if (t.categoryBlock !== undefined && anyIn(inv?.cat, t.categoryBlock)) return Drop.Blocked;
  const device = req.device;
  if (t.regions !== undefined) {
    const region = device?.geo?.region ?? req.user?.geo?.region;
    if (region === undefined || !t.regions.has(region)) return Drop.Targeting;
  }
  if (t.os !== undefined && (device?.os === undefined || !t.os.has(device.os.toLowerCase()))) return Drop.Targeting;
  const badv = req.badv;
  if (badv !== undefined) for (const d of c.adomain) if (badv.includes(d)) return Drop.Blocked;
  return Drop.None;
}

/** Whether the campaign needs the user's profile to decide (segments, frequency caps, journey stages). */
export function needsProfile(c: Campaign): boolean {
  return (
    c.targeting.segmentsInclude !== undefined ||
    c.targeting.segmentsExclude !== undefined ||
    c.frequencyCaps.length > 0 ||
    c.usesStages
  );
}

export const enum ProfileCheck {
  Ok = 0,
  Segments = 1,
  Frequency = 2,
}

/**
 * Segment include/exclude and frequency caps. Without a profile (unknown user, no consent, lookup timed
 * out) a campaign that requires segments or caps frequency does not bid: we can't prove it may.
 */
export function checkProfile(c: Campaign, profile: Profile | undefined): ProfileCheck {
  const t = c.targeting;
  if (t.segmentsInclude !== undefined) {
    if (profile === undefined) return ProfileCheck.Segments;
    let any = false;
    for (const s of t.segmentsInclude) {
      if (profile.segments.has(s)) {
        any = true;
        break;
      }
    }
    if (!any) return ProfileCheck.Segments;
  }
  if (t.segmentsExclude !== undefined && profile !== undefined) {
    for (const s of t.segmentsExclude) if (profile.segments.has(s)) return ProfileCheck.Segments;
  }
  const caps = c.frequencyCaps;
  if (caps.length > 0) {
    if (profile === undefined) return ProfileCheck.Frequency;
    for (let i = 0; i < caps.length; i++) {
      if ((profile.frequency.get(c.frequencyKeys[i]!) ?? 0) >= caps[i]!.count) return ProfileCheck.Frequency;
    }
  }
  return ProfileCheck.Ok;
}

/**
 * Whether a campaign that failed `checkProfile` on its segments may still explore this user: the user is
 * only outside the included segments — not in an excluded one (an advertiser's explicit no), and under
 * every frequency cap.
 */
export function explorableProfile(c: Campaign, profile: Profile | undefined): boolean {
  const t = c.targeting;
  if (t.segmentsExclude !== undefined && profile !== undefined) {
    for (const s of t.segmentsExclude) if (profile.segments.has(s)) return false;
  }
  const caps = c.frequencyCaps;
  if (caps.length === 0) return true;
  if (profile === undefined) return false;
  for (let i = 0; i < caps.length; i++)
    if ((profile.frequency.get(c.frequencyKeys[i]!) ?? 0) >= caps[i]!.count) return false;
  return true;
}

function anyIn(values: readonly string[] | undefined, set: ReadonlySet<string>): boolean {
  if (values === undefined) return false;
  for (const v of values) if (set.has(v)) return true;
  return false;
}
