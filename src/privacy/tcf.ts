/**
 * TCF v2 consent strings, decoded with @iabtcf/core (no GVL needed to decode). Only the core segment's
 * purpose and vendor consents matter to the decision; the result is a small plain object worth caching.
 */
import { TCString } from '@iabtcf/core';

export type TcfVerdict =
  | {
      readonly kind: 'ok';
      readonly purposes: ReadonlySet<number>;
      readonly purposesLi: ReadonlySet<number>;
      readonly vendors: ReadonlySet<number>;
    }
  | { readonly kind: 'bad' };

const kBad: TcfVerdict = Object.freeze({ kind: 'bad' });

export function decodeTcf(consent: string): TcfVerdict {
  try {
    const m = TCString.decode(consent);
    if (m.version !== 2) return kBad;
    const purposes = new Set<number>();
    const purposesLi = new Set<number>();
    const vendors = new Set<number>();
    m.purposeConsents.forEach((has, id) => {
      if (has) purposes.add(id);
    });
    m.purposeLegitimateInterests.forEach((has, id) => {
      if (has) purposesLi.add(id);
    });
    m.vendorConsents.forEach((has, id) => {
      if (has) vendors.add(id);
    });
    return { kind: 'ok', purposes, purposesLi, vendors };
  } catch {
    return kBad;
  }
}
