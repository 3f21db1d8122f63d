import { describe, expect, it } from 'vitest';
import { collect } from '../../../src/campaigns/bitset.js';
import { TargetingIndex } from '../../../src/campaigns/targeting-index.js';
import { campaigns } from '../../helpers/campaigns.js';
import { banner, device, imp, request, site } from '../../helpers/requests.js';

function selected(index: TargetingIndex, req: ReturnType<typeof request>, channel = 'ch1', impIndex = 0): string[] {
  const out: number[] = [];
  collect(index.impBits(index.requestBits(req, channel), req.imp[impIndex]!), out);
  return out.map((i) => index.campaigns[i]!.id);
}

const video = {
  id: 'v1',
  format: 'video',
  w: 640,
  h: 360,
  durationSeconds: 15,
  mimes: ['video/mp4'],
  vast: '<VAST/>',
  landingUrl: 'https://x.example/',
};

describe('targeting index', () => {
  it('selects by channel share, country, device type, inventory kind and size', () => {
    const idx = new TargetingIndex(
      campaigns([
        {},
        { targeting: { countries: ['CAN'] } },
        { targeting: { deviceTypes: [1, 4] } },
        { targeting: { inventory: ['app'] } },
        { budget: { daily: 1, channels: { ch2: 1 } } },
        { creatives: [{ id: 'x', format: 'banner', w: 728, h: 90, markup: 'm', landingUrl: 'https://x.example/' }] },
        { status: 'paused' },
      ]),
    );
    expect(selected(idx, request())).toEqual(['c0']);
    expect(
      selected(
        idx,
        request({
          device: device({
            devicetype: 4,
            geo: {
              country: 'CAN',
              region: undefined,
              city: undefined,
              lat: undefined,
              lon: undefined,
              utcoffset: undefined,
            },
          }),
        }),
      ),
    ).toEqual(['c0', 'c1', 'c2']);
    expect(selected(idx, request(), 'ch2')).toEqual(['c4']);
    expect(
      selected(
        idx,
        request({
          imp: [
            imp('1', {
              banner: {
                ...banner(300, 250),
                formats: [
                  { w: 300, h: 250 },
                  { w: 728, h: 90 },
                ],
              },
            }),
          ],
        }),
      ),
    ).toEqual(['c0', 'c5']);
  });

  it('domain and bundle allow-lists index by value and never match the other inventory kind', () => {
    const idx = new TargetingIndex(
      campaigns([
        { targeting: { domains: { allow: ['www.Finance.example'] } } },
        { targeting: { bundles: { allow: ['com.game'] } } },
        {},
      ]),
    );
    expect(selected(idx, request({ inventory: site('finance.example') }))).toEqual(['c0', 'c2']);
    expect(selected(idx, request({ inventory: site('other.example') }))).toEqual(['c2']);
    expect(
      selected(idx, request({ inventory: { ...site('x'), kind: 'app', domain: undefined, bundle: 'com.game' } })),
    ).toEqual(['c1', 'c2']);
    expect(
      selected(idx, request({ inventory: { ...site('finance.example'), kind: 'app', bundle: 'com.other' } })),
    ).toEqual(['c2']);
  });

  it('matches video and native imps only to campaigns with such creatives', () => {
    const idx = new TargetingIndex(campaigns([{}, { creatives: [video] }]));
    const v = {
      mimes: ['video/mp4'],
      protocols: undefined,
      minduration: undefined,
      maxduration: undefined,
      w: 640,
      h: 360,
      startdelay: undefined,
      plcmt: 1,
      placement: undefined,
      linearity: undefined,
      battr: undefined,
    };
    expect(selected(idx, request({ imp: [imp('1', { video: v })] }))).toEqual(['c1']);
    expect(
      selected(idx, request({ imp: [imp('1', { native: { request: '{}', ver: '1.2', battr: undefined } })] })),
    ).toEqual([]);
  });

  it('selection cost does not depend on campaigns that cannot match (10,000 campaigns, one match)', () => {
    const list = Array.from({ length: 10_000 }, (_, i) => ({ targeting: { countries: [i === 7777 ? 'USA' : 'DEU'] } }));
    const idx = new TargetingIndex(campaigns(list));
    expect(selected(idx, request())).toEqual(['c7777']);
    expect(idx.words).toBe(313);
    // Compiling 10,000 campaigns takes a few seconds on a loaded 2-core CI box.
  }, 30_000);
});
