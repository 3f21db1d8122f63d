/**
 * Hashed features: the closed set of feature names models may use, their slot layout in a candidate row,
 * and the one hashing rule shared by serving (from a `BidRequest`) and training (from a logged record), so
 * a trained model's indices mean the same thing in the bidder.
 *
 * A candidate row is `kSlots` int32 raw hashes (slot order below). A model uses the slots of its features and
 * maps a raw hash to a weight index with `hash & (2^hashBits − 1)`, so models with different sizes share one
 * encoding. 0 means "no value" (unused segment slots); a missing single value has its own hash, because
 * "no domain" is informative. Raw hash = murmur3(value, seed of the feature name), so equal values in
 * different features never share a weight.
 *
 *   slot: 0 channel │ 1 publisher │ 2 domain │ 3 bundle │ 4 placement │ 5 size │ 6 format │ 7 devicetype │
 *         8 os │ 9 country │ 10 hour │ 11 creative │ 12 campaign │ 13…20 segment (up to 8)
 */
import type { FeatureRecord } from '../store/ports.js';
import { fmix32, hashInt, murmur3 } from './hash.js';

/** The logged form of a row is the event log's (`store/ports.ts`); re-exported for the offline trainer. */
export type { FeatureRecord } from '../store/ports.js';

export const kFeatureNames = [
  'channel',
  'publisher',
  'domain',
  'bundle',
  'placement',
  'size',
  'format',
  'devicetype',
  'os',
  'country',
  'hour',
  'creative',
  'campaign',
  'segment',
] as const;
export type FeatureName = (typeof kFeatureNames)[number];

/** Segments a row carries at most: the person's first ones (profiles keep insertion order). */
export const kSegmentSlots = 8;
/** Slot index of each feature; `segment` is the first of `kSegmentSlots` consecutive slots. */
export const kSlot: Readonly<Record<FeatureName, number>> = Object.freeze(
  Object.fromEntries(kFeatureNames.map((n, i) => [n, i])) as Record<FeatureName, number>,
);
export const kSlots = kFeatureNames.length - 1 + kSegmentSlots;

const kSeedBase = 0x5eed_f00d;
/** Per-slot seeds (segment slots share one seed: a segment is the same feature in any slot). */
const kSlotSeed: Int32Array = (() => {
  const seeds = new Int32Array(kSlots);
  for (let i = 0; i < kSlots; i++) seeds[i] = murmur3(kFeatureNames[Math.min(i, kSlot.segment)]!, kSeedBase);
  return seeds;
})();

/** Raw hashes are never 0: 0 marks an empty slot. */
function nz(h: number): number {
  return h === 0 ? 1 : h;
}

export function hashString(slot: number, value: string | undefined): number {
  return nz(murmur3(value ?? '', kSlotSeed[slot]!, true));
}

/** Domains without a leading `www.`, as targeting normalises them (`normaliseDomain`). */
export function hashDomain(value: string | undefined): number {
  if (value === undefined) return hashString(kSlot.domain, undefined);
  const www =
    value.length > 4 &&
    (value.charCodeAt(0) | 32) === 119 &&
    (value.charCodeAt(1) | 32) === 119 &&
    (value.charCodeAt(2) | 32) === 119 &&
    value.charCodeAt(3) === 46;
  return nz(murmur3(value, kSlotSeed[kSlot.domain]!, true, www ? 4 : 0));
}

export function hashNumber(slot: number, value: number | undefined): number {
  return value === undefined ? hashString(slot, undefined) : nz(hashInt(value, kSlotSeed[slot]!));
}

export function hashSize(w: number, h: number): number {
  return nz(hashInt(w * 65536 + h, kSlotSeed[kSlot.size]!));
}

export function hashCampaign(campaignId: string): number {
  return hashString(kSlot.campaign, campaignId);
}

/** Creative ids are unique within a campaign only, so the campaign's hash seeds the creative's. */
export function hashCreative(campaignHash: number, creativeId: string): number {
  return nz(murmur3(creativeId, fmix32(kSlotSeed[kSlot.creative]! ^ campaignHash), true));
}

export function hashSegment(segment: string): number {
  return hashString(kSlot.segment, segment);
}

/** Local hour of day from epoch ms and `geo.utcoffset` minutes (UTC when unknown). */
export function localHour(nowMs: number, utcOffsetMinutes: number | undefined): number {
  const h = Math.floor((nowMs + (utcOffsetMinutes ?? 0) * 60_000) / 3_600_000) % 24;
  return h < 0 ? h + 24 : h;
}

/** The slot indices a model over `features` reads (segment expands to all its slots). */
export function slotsOf(features: readonly FeatureName[]): Int32Array {
  const out: number[] = [];
  for (const f of features) {
    if (f === 'segment') for (let j = 0; j < kSegmentSlots; j++) out.push(kSlot.segment + j);
    else out.push(kSlot[f]);
  }
  return Int32Array.from(out);
}

const kSizeRe = /^(\d+)x(\d+)$/;

/** Encodes a logged record into `out[base … base + kSlots)` exactly as serving encodes a live request. */
export function encodeRecord(r: FeatureRecord, out: Int32Array, base: number): void {
  out[base + kSlot.channel] = hashString(kSlot.channel, r.channel);
  out[base + kSlot.publisher] = hashString(kSlot.publisher, r.publisher);
  out[base + kSlot.domain] = hashDomain(r.domain);
  out[base + kSlot.bundle] = hashString(kSlot.bundle, r.bundle);
  out[base + kSlot.placement] = hashString(kSlot.placement, r.placement);
  const m = r.size === undefined ? null : kSizeRe.exec(r.size);
  out[base + kSlot.size] = m === null ? hashString(kSlot.size, undefined) : hashSize(Number(m[1]), Number(m[2]));
  out[base + kSlot.format] = hashString(kSlot.format, r.format);
  out[base + kSlot.devicetype] = hashNumber(kSlot.devicetype, r.devicetype);
  out[base + kSlot.os] = hashString(kSlot.os, r.os);
  out[base + kSlot.country] = hashString(kSlot.country, r.country);
  out[base + kSlot.hour] = hashNumber(kSlot.hour, r.hour);
  const campaign = hashCampaign(r.campaign ?? '');
  out[base + kSlot.creative] = hashCreative(campaign, r.creative ?? '');
  out[base + kSlot.campaign] = campaign;
  const segs = r.segment ?? [];
  for (let j = 0; j < kSegmentSlots; j++) out[base + kSlot.segment + j] = j < segs.length ? hashSegment(segs[j]!) : 0;
}
