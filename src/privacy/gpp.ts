/**
 * IAB Global Privacy Platform strings: `header~section~section…`. The header (type 3, version 1, then the
 * section ids as a Fibonacci-coded range list) says which sections follow, in order. We decode what the
 * decision needs from each section we understand:
 *   2 tcfeuv2 — a TCF v2 string;           6 uspv1 — the 4-char US Privacy string;
 *   7 usnat, 8 usca, 9 usva, 10 usco, 11 usut, 12 usct — their sale / sharing / targeted-advertising
 *   opt-out fields (2 bits each: 1 = opted out, 2 = did not opt out, 0 = not applicable).
 * Sections we don't know are ignored; a malformed header or known section marks the string bad.
 */
import { BitReader } from './bit-reader.js';
import { decodeTcf, type TcfVerdict } from './tcf.js';
import { usPrivacyOptedOut } from './us-privacy.js';

export type GppSection =
  | { readonly kind: 'ok' }
  | { readonly kind: 'optout' }
  | { readonly kind: 'bad' }
  | { readonly kind: 'tcf'; readonly tcf: TcfVerdict };

export type GppVerdict =
  | { readonly kind: 'ok'; readonly sectionIds: readonly number[]; readonly sections: ReadonlyMap<number, GppSection> }
  | { readonly kind: 'bad' };

const kBad: GppVerdict = Object.freeze({ kind: 'bad' });
const kOk: GppSection = Object.freeze({ kind: 'ok' });
const kOptOut: GppSection = Object.freeze({ kind: 'optout' });
const kBadSection: GppSection = Object.freeze({ kind: 'bad' });

/**
 * Bit offsets of the opt-out fields in each US section's core segment (after the 6-bit version and the
 * notice fields that precede them in that section's field list).
 */
const kOptOutFields: ReadonlyMap<number, readonly number[]> = new Map([
  [7, [18, 20, 22]], // usnat: SaleOptOut, SharingOptOut, TargetedAdvertisingOptOut
  [8, [12, 14]], // usca: SaleOptOut, SharingOptOut
  [9, [12, 14]], // usva: SaleOptOut, TargetedAdvertisingOptOut
  [10, [12, 14]], // usco: SaleOptOut, TargetedAdvertisingOptOut
  [11, [14, 16]], // usut: SaleOptOut, TargetedAdvertisingOptOut
  [12, [12, 14]], // usct: SaleOptOut, TargetedAdvertisingOptOut
]);

export function decodeGppHeader(header: string): number[] {
  const r = new BitReader(header);
  if (r.int(6) !== 3) throw new RangeError('not a GPP header');
  r.skip(6); // version
  const n = r.int(12);
  const ids: number[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    if (r.bool()) {
      const start = offset + r.fibonacci();
      const end = start + r.fibonacci();
      for (let id = start; id <= end && ids.length < 64; id++) ids.push(id);
      offset = end;
    } else {
      offset += r.fibonacci();
      ids.push(offset);
    }
  }
  return ids;
}

function decodeSection(id: number, text: string): GppSection {
  if (id === 2) return { kind: 'tcf', tcf: decodeTcf(text) };
  if (id === 6) {
    const out = usPrivacyOptedOut(text);
    return out === undefined ? kBadSection : out ? kOptOut : kOk;
  }
  const fields = kOptOutFields.get(id);
  if (fields === undefined) return kOk;
  try {
    const core = new BitReader(text.split('.')[0] ?? '');
    const bits: number[] = [];
    const last = fields[fields.length - 1]! + 2;
    for (let i = 0; i < last; i += 2) bits[i] = core.int(2);
    for (const f of fields) if (bits[f] === 1) return kOptOut;
    return kOk;
  } catch {
    return kBadSection;
  }
}

export function decodeGpp(gpp: string): GppVerdict {
  const parts = gpp.split('~');
  let ids: number[];
  try {
    ids = decodeGppHeader(parts[0]!);
  } catch {
    return kBad;
  }
  if (ids.length !== parts.length - 1) return kBad;
  const sections = new Map<number, GppSection>();
  for (let i = 0; i < ids.length; i++) sections.set(ids[i]!, decodeSection(ids[i]!, parts[i + 1]!));
  return { kind: 'ok', sectionIds: ids, sections };
}
