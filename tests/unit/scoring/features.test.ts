import { describe, expect, it } from 'vitest';
import {
  encodeRecord,
  hashCampaign,
  hashDomain,
  hashString,
  kSegmentSlots,
  kSlot,
  kSlots,
  localHour,
  slotsOf,
} from '../../../src/scoring/features.js';
import { creativeHashes, RequestFeatures } from '../../../src/scoring/request-features.js';
import { device, request, site } from '../../helpers/requests.js';
import { creative, kStart } from './fixtures.js';

const profile = {
  personId: 'p1',
  segments: new Set(['seg-a', 'stage:consideration']),
  frequency: new Map<string, number>(),
};

describe('feature hashing', () => {
  it('encodes a live request exactly as the trainer encodes its logged record', () => {
    const rf = new RequestFeatures();
    const req = request({
      inventory: site('WWW.News.Example'),
      device: device({
        devicetype: 4,
        os: 'iOS',
        geo: { country: 'GBR', region: undefined, city: undefined, lat: undefined, lon: undefined, utcoffset: 60 },
      }),
    });
    rf.set(req, 'ssp-alpha', kStart, profile);
    const camp = hashCampaign('c1');
    const ch = creativeHashes(camp, creative);
    const live = Int32Array.from(rf.row);
    const rec = rf.record('tag-1', 'c1', creative);
    const logged = new Int32Array(kSlots);
    encodeRecord(rec, logged, 0);
    // Per-candidate slots, as the batch fills them.
    live[kSlot.placement] = hashString(kSlot.placement, 'tag-1');
    live[kSlot.size] = ch.size;
    live[kSlot.format] = ch.format;
    live[kSlot.creative] = ch.creative;
    live[kSlot.campaign] = camp;
    expect([...live]).toEqual([...logged]);
    expect(rec).toMatchObject({
      domain: 'WWW.News.Example',
      hour: 13,
      size: '300x250',
      segment: ['seg-a', 'stage:consideration'],
    });
  });
  it('normalises domains (case, www.) and never produces 0 for a value', () => {
    expect(hashDomain('www.News.example')).toBe(hashDomain('news.example'));
    expect(hashDomain(undefined)).not.toBe(0);
  });
  it('gives missing values their own bucket and leaves unused segment slots empty', () => {
    const rf = new RequestFeatures();
    rf.set(request({ inventory: undefined, device: undefined }), 'ch', kStart, undefined);
    const again = new Int32Array(kSlots);
    encodeRecord({ channel: 'ch', hour: 12 }, again, 0);
    expect(rf.row[kSlot.domain]).toBe(again[kSlot.domain]);
    expect(rf.row[kSlot.domain]).not.toBe(0);
    for (let j = 0; j < kSegmentSlots; j++) expect(rf.row[kSlot.segment + j]).toBe(0);
  });
  it('keeps the same value in different features apart', () => {
    const a = new Int32Array(kSlots);
    encodeRecord({ publisher: 'x', bundle: 'x' }, a, 0);
    expect(a[kSlot.publisher]).not.toBe(a[kSlot.bundle]);
  });
  it('caps segments at the slot count and expands the segment feature to its slots', () => {
    const rf = new RequestFeatures();
    const many = { ...profile, segments: new Set(Array.from({ length: 20 }, (_, i) => `s${i}`)) };
    rf.set(request(), 'ch', kStart, many);
    expect(rf.segments).toHaveLength(kSegmentSlots);
    expect([...slotsOf(['channel', 'segment'])]).toEqual([
      0,
      ...Array.from({ length: kSegmentSlots }, (_, j) => kSlot.segment + j),
    ]);
  });
  it('computes the local hour from geo.utcoffset', () => {
    expect(localHour(Date.parse('2026-11-23T23:30:00Z'), 120)).toBe(1);
    expect(localHour(Date.parse('2026-11-23T00:30:00Z'), -60)).toBe(23);
  });
});
