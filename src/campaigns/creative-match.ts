/**
 * Imp-level matching: which deal (if any) a campaign bids through on an imp, and which of its creatives
 * fits the imp (format, size, video specs, blocked categories and attributes, journey stage).
 * OpenRTB 2.6 §3.2.11–12 (pmp, deals), §3.2.6–7 (banner, video).
 */
import type { BidRequest, Deal, Imp } from '../openrtb/types.js';
import type { Campaign, Creative } from './model.js';

export const kNoDeal = null;

/**
 * The deal the campaign bids through: a `Deal`, `kNoDeal` for the open auction, or `undefined` when the
 * campaign may not bid on this imp at all (private auction without a matching deal, or deals-only campaign).
 */
export function matchDeal(c: Campaign, imp: Imp, seat: string): Deal | null | undefined {
  const pmp = imp.pmp;
  const wanted = c.targeting.deals;
  if (pmp !== undefined && wanted !== undefined) {
    for (const d of pmp.deals) {
      if (wanted.has(d.id) && (d.wseat === undefined || d.wseat.length === 0 || d.wseat.includes(seat))) return d;
    }
  }
  if (pmp?.private_auction === true || c.targeting.dealsOnly) return undefined;
  return kNoDeal;
}

/** The first creative that fits, preferring one made for the person's journey stage. */
export function matchCreative(c: Campaign, imp: Imp, req: BidRequest, stage: string | undefined): Creative | undefined {
  let generic: Creative | undefined;
  const creatives = c.creatives;
  for (let i = 0; i < creatives.length; i++) {
    const cr = creatives[i]!;
    if (!fits(cr, imp, req)) continue;
    if (cr.stages.size === 0) {
      generic ??= cr;
      if (stage === undefined || !c.usesStages) return cr;
    } else if (stage !== undefined && cr.stages.has(stage)) {
      return cr;
    }
  }
  return generic;
}

function fits(cr: Creative, imp: Imp, req: BidRequest): boolean {
  switch (cr.format) {
    case 'banner': {
      const b = imp.banner;
      if (b === undefined) return false;
      let sized = false;
      for (const f of b.formats) {
        if (f.w === cr.w && f.h === cr.h) {
          sized = true;
          break;
        }
      }
      if (!sized || intersects(cr.attr, b.battr)) return false;
      break;
    }
    case 'video': {
      const v = imp.video;
      if (v === undefined) return false;
      let mime = false;
      for (const m of v.mimes) {
        if (cr.mimes.has(m)) {
          mime = true;
          break;
        }
      }
      if (!mime) return false;
      if (v.minduration !== undefined && cr.durationSeconds < v.minduration) return false;
      if (v.maxduration !== undefined && v.maxduration > 0 && cr.durationSeconds > v.maxduration) return false;
      if (v.protocols !== undefined && v.protocols.length > 0 && !intersects(cr.protocols, v.protocols)) return false;
      if (intersects(cr.attr, v.battr)) return false;
      break;
    }
    case 'native':
      if (imp.native === undefined || intersects(cr.attr, imp.native.battr)) return false;
      break;
  }
  if (intersects(cr.attr, req.battr)) return false;
  const bcat = req.bcat;
  if (bcat !== undefined) for (const cat of cr.categories) if (bcat.includes(cat)) return false;
  return true;
}

function intersects(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (b === undefined || b.length === 0 || a.length === 0) return false;
  for (const x of a) if (b.includes(x)) return true;
  return false;
}
