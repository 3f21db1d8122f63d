import { describe, expect, it } from 'vitest';
import { kNoDeal, matchCreative, matchDeal } from '../../../src/campaigns/creative-match.js';
import type { Video } from '../../../src/openrtb/types.js';
import { campaign } from '../../helpers/campaigns.js';
import { banner, imp, request } from '../../helpers/requests.js';

const deal = (id: string, wseat?: string[]) => ({ id, bidfloor: 3, bidfloorcur: 'USD', at: undefined, wseat });
const vid = (over: Partial<Video> = {}): Video => ({
  mimes: ['video/mp4'],
  protocols: [2, 3],
  minduration: 5,
  maxduration: 30,
  w: 640,
  h: 360,
  startdelay: 0,
  plcmt: 1,
  placement: undefined,
  linearity: 1,
  battr: undefined,
  ...over,
});
const videoCreative = {
  id: 'v',
  format: 'video',
  w: 640,
  h: 360,
  durationSeconds: 15,
  mimes: ['video/mp4'],
  vast: '<VAST/>',
  landingUrl: 'https://x.example/',
};

describe('deals', () => {
  it('open auction when the imp has no pmp', () => {
    expect(matchDeal(campaign(), imp('1'), 'seat')).toBe(kNoDeal);
  });
  it('private auction: only campaigns targeting one of its deals may bid, respecting wseat', () => {
    const i = imp('1', { pmp: { private_auction: true, deals: [deal('D1', ['other']), deal('D2')] } });
    expect(matchDeal(campaign(), i, 'seat')).toBeUndefined();
    expect(matchDeal(campaign({ targeting: { deals: ['D1'] } }), i, 'seat')).toBeUndefined();
    expect(matchDeal(campaign({ targeting: { deals: ['D2'] } }), i, 'seat')?.id).toBe('D2');
    expect(matchDeal(campaign({ targeting: { deals: ['D1'] } }), i, 'other')?.id).toBe('D1');
  });
  it('deals-only campaigns skip the open auction', () => {
    expect(matchDeal(campaign({ targeting: { deals: ['D1'], dealsOnly: true } }), imp('1'), 'seat')).toBeUndefined();
  });
});

describe('creatives', () => {
  it('picks a banner of a size the imp offers', () => {
    const c = campaign({
      creatives: [
        { id: 'a', format: 'banner', w: 728, h: 90, markup: 'm', landingUrl: 'https://x.example/' },
        { id: 'b', format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://x.example/' },
      ],
    });
    expect(matchCreative(c, imp('1', { banner: banner(300, 250) }), request(), undefined)?.id).toBe('b');
    expect(matchCreative(c, imp('1', { banner: banner(320, 50) }), request(), undefined)).toBeUndefined();
  });
  it('respects bcat and battr', () => {
    const c = campaign({
      creatives: [
        {
          id: 'a',
          format: 'banner',
          w: 300,
          h: 250,
          markup: 'm',
          landingUrl: 'https://x.example/',
          categories: ['IAB9'],
          attr: [6],
        },
      ],
    });
    expect(
      matchCreative(c, imp('1', { banner: banner(300, 250) }), request({ bcat: ['IAB9'] }), undefined),
    ).toBeUndefined();
    expect(
      matchCreative(c, imp('1', { banner: banner(300, 250, { battr: [6] }) }), request(), undefined),
    ).toBeUndefined();
    expect(matchCreative(c, imp('1', { banner: banner(300, 250, { battr: [7] }) }), request(), undefined)?.id).toBe(
      'a',
    );
  });
  it('video: mime, duration bounds and protocols must fit', () => {
    const c = campaign({ creatives: [videoCreative] });
    expect(matchCreative(c, imp('1', { video: vid() }), request(), undefined)?.id).toBe('v');
    expect(matchCreative(c, imp('1', { video: vid({ mimes: ['video/webm'] }) }), request(), undefined)).toBeUndefined();
    expect(matchCreative(c, imp('1', { video: vid({ maxduration: 10 }) }), request(), undefined)).toBeUndefined();
    expect(matchCreative(c, imp('1', { video: vid({ minduration: 20 }) }), request(), undefined)).toBeUndefined();
    expect(matchCreative(c, imp('1', { video: vid({ protocols: [1] }) }), request(), undefined)).toBeUndefined();
    expect(matchCreative(c, imp('1', { banner: banner(640, 360) }), request(), undefined)).toBeUndefined();
  });
  it('prefers the creative made for the person journey stage, else a generic one', () => {
    const c = campaign({
      creatives: [
        { id: 'generic', format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://x.example/' },
        {
          id: 'decision',
          format: 'banner',
          w: 300,
          h: 250,
          markup: 'm',
          landingUrl: 'https://x.example/',
          stages: ['stage:decision'],
        },
      ],
    });
    const i = imp('1', { banner: banner(300, 250) });
    expect(matchCreative(c, i, request(), 'stage:decision')?.id).toBe('decision');
    expect(matchCreative(c, i, request(), 'stage:awareness')?.id).toBe('generic');
    expect(matchCreative(c, i, request(), undefined)?.id).toBe('generic');
  });
});
