import { describe, expect, it } from 'vitest';
import { checkProfile, checkRequest, Drop, needsProfile, ProfileCheck } from '../../../src/campaigns/residual.js';
import type { Profile } from '../../../src/store/ports.js';
import { campaign } from '../../helpers/campaigns.js';
import { device, request, site } from '../../helpers/requests.js';

const now = Date.parse('2026-11-23T15:00:00Z');
const profile = (segments: string[], frequency: [string, number][] = []): Profile => ({
  personId: 'p1',
  segments: new Set(segments),
  frequency: new Map(frequency),
});

describe('request-level residual targeting', () => {
  it('honours the flight window', () => {
    const c = campaign({ flight: { start: '2026-12-01T00:00:00Z' } });
    expect(checkRequest(c, request(), now, 0)).toBe(Drop.Targeting);
    expect(checkRequest(c, request(), Date.parse('2026-12-02T00:00:00Z'), 0)).toBe(Drop.None);
  });
  it('honours dayparts by hour of week', () => {
    const c = campaign({ targeting: { dayparts: [{ days: ['mon'], hours: [9, 17] }] } });
    expect(checkRequest(c, request(), now, 10)).toBe(Drop.None);
    expect(checkRequest(c, request(), now, 17)).toBe(Drop.Targeting);
    expect(checkRequest(c, request(), now, 24 + 10)).toBe(Drop.Targeting);
  });
  it('drops blocked domains, publishers and categories as blocked', () => {
    expect(
      checkRequest(
        campaign({ targeting: { domains: { block: ['news.example'] } } }),
        request({ inventory: site('www.news.example') }),
        now,
        0,
      ),
    ).toBe(Drop.Blocked);
    expect(checkRequest(campaign({ targeting: { publishers: { block: ['pub1'] } } }), request(), now, 0)).toBe(
      Drop.Blocked,
    );
    expect(
      checkRequest(
        campaign({ targeting: { categories: { block: ['IAB25'] } } }),
        request({ inventory: site('x.example', { cat: ['IAB25'] }) }),
        now,
        0,
      ),
    ).toBe(Drop.Blocked);
    expect(
      checkRequest(
        campaign({ targeting: { categories: { allow: ['IAB3'] } } }),
        request({ inventory: site('x.example', { cat: ['IAB25'] }) }),
        now,
        0,
      ),
    ).toBe(Drop.Targeting);
  });
  it('drops a campaign whose advertiser domain is in badv', () => {
    expect(checkRequest(campaign(), request({ badv: ['adv.example'] }), now, 0)).toBe(Drop.Blocked);
    expect(checkRequest(campaign(), request({ badv: ['other.example'] }), now, 0)).toBe(Drop.None);
  });
  it('matches OS case-insensitively and regions exactly', () => {
    expect(
      checkRequest(campaign({ targeting: { os: ['iOS'] } }), request({ device: device({ os: 'ios' }) }), now, 0),
    ).toBe(Drop.None);
    expect(checkRequest(campaign({ targeting: { os: ['iOS'] } }), request(), now, 0)).toBe(Drop.Targeting);
    expect(checkRequest(campaign({ targeting: { regions: ['CA'] } }), request(), now, 0)).toBe(Drop.None);
    expect(checkRequest(campaign({ targeting: { regions: ['NY'] } }), request(), now, 0)).toBe(Drop.Targeting);
  });
});

describe('profile-level targeting', () => {
  it('requires an included segment and refuses excluded ones', () => {
    const c = campaign({ targeting: { segments: { include: ['a', 'b'], exclude: ['x'] } } });
    expect(needsProfile(c)).toBe(true);
    expect(checkProfile(c, undefined)).toBe(ProfileCheck.Segments);
    expect(checkProfile(c, profile(['b']))).toBe(ProfileCheck.Ok);
    expect(checkProfile(c, profile(['c']))).toBe(ProfileCheck.Segments);
    expect(checkProfile(c, profile(['a', 'x']))).toBe(ProfileCheck.Segments);
  });
  it('caps frequency per window, and without a profile a capped campaign does not bid', () => {
    const c = campaign({
      id: 'cap',
      frequencyCaps: [
        { count: 3, window: '24h' },
        { count: 1, window: '10m' },
      ],
    });
    expect(c.frequencyKeys).toEqual(['cap:86400', 'cap:600']);
    expect(checkProfile(c, undefined)).toBe(ProfileCheck.Frequency);
    expect(checkProfile(c, profile([], [['cap:86400', 2]]))).toBe(ProfileCheck.Ok);
    expect(checkProfile(c, profile([], [['cap:86400', 3]]))).toBe(ProfileCheck.Frequency);
    expect(checkProfile(c, profile([], [['cap:600', 1]]))).toBe(ProfileCheck.Frequency);
  });
  it('a campaign without segments or caps does not need a profile', () => {
    expect(needsProfile(campaign())).toBe(false);
  });
});
