/**
 * The user ids a request carries, as identity-graph keys, in priority order (the first id that resolves
 * decides the person, see ProfileStore.lookup):
 *
 *   buid:<channel>:<buyeruid>   our own id for the user at this exchange (cookie sync): the most reliable
 *   eid:<source>:<id>           extended ids (OpenRTB 2.6 §3.2.27, `user.eids`): deterministic, cross-exchange
 *   ifa:<ifa>                   the device's advertising id, lower-cased; only when privacy allows it
 *   uid:<user.id>               the exchange's own user id: last, it is the least specific
 *
 * The same order is used by the segment loader (`recordIdKeys`), so a loaded record and a live request
 * agree on which id names the person.
 */
import type { BidRequest } from '../openrtb/types.js';
import type { IdKey } from '../store/ports.js';

/** Bounds the lookup's fan-out (one GET per id) against requests stuffed with ids. */
export const kMaxIds = 16;

/** The ids of one person as a loader record carries them. */
export interface RecordIds {
  readonly uid?: string;
  readonly ifa?: string;
  readonly eids?: readonly { readonly source: string; readonly id: string }[];
  /** channel id → buyer uid. */
  readonly buid?: Readonly<Record<string, string>>;
}

export function idKeysFor(req: BidRequest, channelId: string, useIfa: boolean): IdKey[] {
  const ids: IdKey[] = [];
  const user = req.user;
  if (user !== undefined && user.buyeruid !== undefined && user.buyeruid !== '')
    ids.push(`buid:${channelId}:${user.buyeruid}`);
  if (user !== undefined) {
    for (const eid of user.eids) {
      if (eid.source === '') continue;
      for (const uid of eid.uids) if (uid.id !== '') add(ids, `eid:${eid.source}:${uid.id}`);
    }
  }
  const ifa = req.device?.ifa;
  if (useIfa && ifa !== undefined && isUsableIfa(ifa)) add(ids, `ifa:${ifa.toLowerCase()}`);
  if (user !== undefined && user.id !== undefined && user.id !== '') add(ids, `uid:${user.id}`);
  return ids;
}

/** A loader record's ids in the same priority order as `idKeysFor`. */
export function recordIdKeys(r: RecordIds): IdKey[] {
  const ids: IdKey[] = [];
  if (r.buid !== undefined)
    for (const ch of Object.keys(r.buid).sort()) if (r.buid[ch] !== '') add(ids, `buid:${ch}:${r.buid[ch]}`);
  if (r.eids !== undefined)
    for (const e of r.eids) if (e.source !== '' && e.id !== '') add(ids, `eid:${e.source}:${e.id}`);
  if (r.ifa !== undefined && isUsableIfa(r.ifa)) add(ids, `ifa:${r.ifa.toLowerCase()}`);
  if (r.uid !== undefined && r.uid !== '') add(ids, `uid:${r.uid}`);
  return ids;
}

/**
 * False for an empty or all-zero IFA (`00000000-0000-0000-0000-000000000000`): what devices send when
 * tracking is limited. It identifies nobody, and as a key it would merge everyone into one person.
 */
export function isUsableIfa(ifa: string): boolean {
  for (let i = 0; i < ifa.length; i++) {
    const c = ifa.charCodeAt(i);
    if (c !== 0x30 && c !== 0x2d) return true; // not '0', not '-'
  }
  return false;
}

/** The channel an id list was seen on, from its `buid:<channel>:` key (undefined when it has none). */
export function channelOf(ids: readonly IdKey[]): string | undefined {
  for (const id of ids) {
    if (!id.startsWith('buid:')) continue;
    const end = id.indexOf(':', 5);
    return end === -1 ? undefined : id.slice(5, end);
  }
  return undefined;
}

function add(ids: IdKey[], id: IdKey): void {
  if (ids.length < kMaxIds && !ids.includes(id)) ids.push(id);
}
