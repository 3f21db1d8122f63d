import { describe, expect, it } from 'vitest';
import { bidderSchema } from '../../../src/config/schema.js';
import { conversionSnapshot } from './conversion-config.js';

describe('advertisers for conversion postbacks', () => {
  it('own the campaigns whose advertiser name matches, with secrets resolved once per snapshot', async () => {
    const snap = await conversionSnapshot();
    const acme = snap.advertisers.byId.get('acme')!;
    expect([...acme.campaignIds].sort()).toEqual([
      'acme-mobile-app',
      'acme-prospecting',
      'acme-retargeting',
      'acme-video',
    ]);
    expect(acme.secret?.toString()).toBe('acme-secret');
    expect(snap.advertisers.byId.get('volt')?.secret?.toString()).toBe('volt-secret');
    expect(snap.advertisers.byCampaign.get('volt-desktop')).toBe('volt');
    expect(snap.advertisers.byCampaign.has('peregrine-demo')).toBe(false);
    expect(snap.advertisers.byId.get('ghost')?.secret).toBeUndefined();
    expect(snap.warnings.some((w) => w.includes('advertiser ghost'))).toBe(true);
    expect(snap.campaignsById.get('acme-retargeting')?.roi).toEqual({
      clickValueMicros: 400_000,
      conversionValueMicros: 25_000_000,
    });
    expect(snap.campaignsById.get('acme-prospecting')?.roi).toEqual({ clickValueMicros: 0, conversionValueMicros: 0 });
  });

  it('defaults to none, and refuses duplicate ids', () => {
    expect(bidderSchema.parse({}).conversions).toEqual({
      attributionWindow: 2_592_000,
      dedupTtl: 2_592_000,
      advertisers: [],
    });
    const dup = bidderSchema.safeParse({
      conversions: {
        advertisers: [
          { id: 'a', secret: 's' },
          { id: 'a', secret: 't' },
        ],
      },
    });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.path).toEqual(['conversions', 'advertisers', 1, 'id']);
  });
});
