/**
 * Request-level features of one bid request, hashed once per request (channel, publisher, domain, bundle,
 * device type, OS, country, hour, segments) into a reusable row; per-candidate slots (placement, size,
 * format, creative, campaign) are filled in by the batch. The raw values are kept by reference so a sampled
 * bid can be logged and an explanation built without re-reading the request.
 */
import type { BidRequest } from '../openrtb/types.js';
import type { FeatureRecord, Profile } from '../store/ports.js';
import {
  hashCreative,
  hashDomain,
  hashNumber,
  hashSegment,
  hashSize,
  hashString,
  kSegmentSlots,
  kSlot,
  kSlots,
  localHour,
} from './features.js';

/** What the scorer needs of a creative (`campaigns/model.ts` `Creative` has it). */
export interface CreativeRef {
  readonly id: string;
  readonly format: string;
  readonly w: number;
  readonly h: number;
}

/** Per-creative hashes, computed once per creative object (creatives live as long as their snapshot). */
interface CreativeHashes {
  readonly creative: number;
  readonly size: number;
  readonly format: number;
}

const gCreativeHashes = new WeakMap<CreativeRef, CreativeHashes>();

export function creativeHashes(campaignHash: number, cr: CreativeRef): CreativeHashes {
  let h = gCreativeHashes.get(cr);
  if (h === undefined) {
    h = {
      creative: hashCreative(campaignHash, cr.id),
      size: hashSize(cr.w, cr.h),
      format: hashString(kSlot.format, cr.format),
    };
    gCreativeHashes.set(cr, h);
  }
  return h;
}

export class RequestFeatures {
  /** Request-level raw hashes; candidate slots are left for the batch. */
  readonly row = new Int32Array(kSlots);
  channel = '';
  publisher: string | undefined = undefined;
  domain: string | undefined = undefined;
  bundle: string | undefined = undefined;
  devicetype: number | undefined = undefined;
  os: string | undefined = undefined;
  country: string | undefined = undefined;
  hour = 0;
  readonly segments: string[] = [];

  set(req: BidRequest, channelId: string, nowMs: number, profile: Profile | undefined): void {
    const inv = req.inventory;
    const dev = req.device;
    const geo = dev?.geo ?? req.user?.geo;
    this.channel = channelId;
    this.publisher = inv?.publisher?.id;
    this.domain = inv?.domain;
    this.bundle = inv?.bundle;
    this.devicetype = dev?.devicetype;
    this.os = dev?.os;
    this.country = geo?.country;
    this.hour = localHour(nowMs, geo?.utcoffset);
    const row = this.row;
    row[kSlot.channel] = hashString(kSlot.channel, channelId);
    row[kSlot.publisher] = hashString(kSlot.publisher, this.publisher);
    row[kSlot.domain] = hashDomain(this.domain);
    row[kSlot.bundle] = hashString(kSlot.bundle, this.bundle);
    row[kSlot.devicetype] = hashNumber(kSlot.devicetype, this.devicetype);
    row[kSlot.os] = hashString(kSlot.os, this.os);
    row[kSlot.country] = hashString(kSlot.country, this.country);
    row[kSlot.hour] = hashNumber(kSlot.hour, this.hour);
    const segs = this.segments;
    segs.length = 0;
    if (profile !== undefined) {
      for (const s of profile.segments) {
        if (segs.length === kSegmentSlots) break;
        segs.push(s);
      }
    }
    for (let j = 0; j < kSegmentSlots; j++) row[kSlot.segment + j] = j < segs.length ? hashSegment(segs[j]!) : 0;
  }

  /** The logged form of one candidate's features (allocates: sampled bids and explanations only). */
  record(placement: string | undefined, campaignId: string, cr: CreativeRef): FeatureRecord {
    const r: FeatureRecord = {
      channel: this.channel,
      hour: this.hour,
      size: `${cr.w}x${cr.h}`,
      format: cr.format,
      creative: cr.id,
      campaign: campaignId,
    };
    if (this.publisher !== undefined) r.publisher = this.publisher;
    if (this.domain !== undefined) r.domain = this.domain;
    if (this.bundle !== undefined) r.bundle = this.bundle;
    if (placement !== undefined) r.placement = placement;
    if (this.devicetype !== undefined) r.devicetype = this.devicetype;
    if (this.os !== undefined) r.os = this.os;
    if (this.country !== undefined) r.country = this.country;
    if (this.segments.length > 0) r.segment = [...this.segments];
    return r;
  }
}
