import { describe, expect, it } from 'vitest';
import { withPrebidPlacements } from '../../../src/dialects/prebid.js';
import { banner, imp, request } from '../../helpers/requests.js';

describe('withPrebidPlacements', () => {
  it('puts the placementId Prebid passed for our bidder code into imp.tagid, leaving other imps alone', () => {
    const req = request({
      imp: [
        imp('1', {
          banner: banner(300, 250),
          tagid: 'x',
          ext: { prebid: { bidder: { peregrine: { placementId: 7 } } } },
        }),
        imp('2', {
          banner: banner(300, 250),
          tagid: 'kept',
          ext: { prebid: { bidder: { other: { placementId: 'no' } } } },
        }),
        imp('3', { banner: banner(300, 250), ext: { prebid: { bidder: { peregrine: { placement_id: 'side' } } } } }),
      ],
    });
    const out = withPrebidPlacements(req, 'peregrine');
    expect(out.imp.map((i) => i.tagid)).toEqual(['7', 'kept', 'side']);
    expect(out.imp[1]).toBe(req.imp[1]);
    expect(req.imp[0]!.tagid).toBe('x');
  });

  it('returns the request itself when no imp has a placement for the code', () => {
    const req = request({ imp: [imp('1', { banner: banner(300, 250), tagid: 't' })] });
    expect(withPrebidPlacements(req, 'peregrine')).toBe(req);
  });
});
