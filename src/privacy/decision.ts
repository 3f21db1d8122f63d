/**
 * The privacy decision, made once per request before any user lookup: may we use personal data (identity,
 * segments, frequency), may we use the advertising id, may we measure. Bad or undecodable consent strings
 * mean no consent (with the reason counted), never an error response.
 *
 *   COPPA=1 ─────────────────────────────▶ no personal data
 *   GDPR applies: TCF v2 purposes 1,3,4 + our vendor consent, else no personal data; purpose 7 = measurement
 *   us_privacy "1?Y?" (opted out of sale) ─▶ no personal data
 *   GPP: each applicable section (gpp_sid) — TCF EU, US privacy, US national and state opt-outs
 *   device.lmt=1 ─────────────────────────▶ no IFA
 */
import type { BidRequest } from '../openrtb/types.js';
import { ConsentCache } from './consent-cache.js';
import { decodeGpp } from './gpp.js';
import { decodeTcf, type TcfVerdict } from './tcf.js';
import { usPrivacyOptedOut } from './us-privacy.js';

export interface PrivacyPolicy {
  /** Our IAB Global Vendor List id. */
  readonly vendorId: number;
  /** Require TCF purpose 7 (measurement) as well as 1, 3, 4 for personal data. */
  readonly requireMeasurementPurpose?: boolean;
}

export type PrivacyReason =
  | 'none'
  | 'coppa'
  | 'gdpr_no_consent_string'
  | 'gdpr_bad_string'
  | 'gdpr_purposes'
  | 'gdpr_vendor'
  | 'us_privacy_optout'
  | 'us_privacy_bad_string'
  | 'gpp_optout'
  | 'gpp_bad_string';

export interface PrivacyDecision {
  readonly personalData: boolean;
  readonly useIfa: boolean;
  readonly measurement: boolean;
  readonly reason: PrivacyReason;
}

const deny = (reason: PrivacyReason): PrivacyDecision =>
  Object.freeze({ personalData: false, useIfa: false, measurement: false, reason });
const kCoppa = deny('coppa');

function tcfDecision(v: TcfVerdict, policy: PrivacyPolicy): PrivacyDecision | undefined {
  if (v.kind === 'bad') return deny('gdpr_bad_string');
  if (!v.vendors.has(policy.vendorId)) return deny('gdpr_vendor');
  // Purposes 1, 3 and 4 (store/access, personalised ads profile, select personalised ads) need consent:
  // TCF 2.2 allows no legitimate interest for 3 and 4, and purpose 1 is consent-only by law.
  if (!v.purposes.has(1) || !v.purposes.has(3) || !v.purposes.has(4)) return deny('gdpr_purposes');
  if (policy.requireMeasurementPurpose === true && !v.purposes.has(7) && !v.purposesLi.has(7))
    return deny('gdpr_purposes');
  return undefined;
}

export function decidePrivacy(req: BidRequest, policy: PrivacyPolicy, cache: ConsentCache): PrivacyDecision {
  const regs = req.regs;
  if (regs.coppa) return kCoppa;
  let measurement = true;
  if (regs.gdpr === true) {
    const consent = req.user?.consent;
    if (consent === undefined || consent === '') return deny('gdpr_no_consent_string');
    const v = cache.get(`tcf:${consent}`, () => decodeTcf(consent));
    const refused = tcfDecision(v, policy);
    if (refused !== undefined) return refused;
    measurement = v.kind === 'ok' && (v.purposes.has(7) || v.purposesLi.has(7));
  }
  const usp = regs.us_privacy;
  if (usp !== undefined && usp !== '') {
    const out = usPrivacyOptedOut(usp);
    if (out === undefined) return deny('us_privacy_bad_string');
    if (out) return deny('us_privacy_optout');
  }
  const gpp = regs.gpp;
  if (gpp !== undefined && gpp !== '') {
    const g = cache.get(`gpp:${gpp}`, () => decodeGpp(gpp));
    if (g.kind === 'bad') return deny('gpp_bad_string');
    const sids = regs.gpp_sid ?? g.sectionIds;
    for (const sid of sids) {
      const s = g.sections.get(sid);
      if (s === undefined) continue;
      if (s.kind === 'bad') return deny('gpp_bad_string');
      if (s.kind === 'optout') return deny('gpp_optout');
      if (s.kind === 'tcf') {
        const refused = tcfDecision(s.tcf, policy);
        if (refused !== undefined) return refused;
      }
    }
  }
  const lmt = req.device?.lmt === true;
  return { personalData: true, useIfa: !lmt, measurement, reason: 'none' };
}

export { ConsentCache };
