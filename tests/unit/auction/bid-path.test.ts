import { afterEach, describe, expect, it } from 'vitest';
import { verifyToken } from '../../../src/tokens/token.js';
import { banner, imp, request, user } from '../../helpers/requests.js';
import { auctionFixture, campaignCfg, type AuctionFixture } from './fixture.js';

const person = (segments: string[]) => ({ personId: 'p1', segments: new Set(segments), frequency: new Map() });

describe('BidPath.run', () => {
  let f: AuctionFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });
  const run = async (req = request(), debug = false, fx = f!) =>
    fx.bidPath.run(req, fx.snap, fx.snap.channels.get('ex')!, fx.clock.now() + 80, debug);

  it('bids the best-priced campaign with links whose token verifies for that bid', async () => {
    f = await auctionFixture([campaignCfg('two', 2), campaignCfg('three', 3)]);
    const out = await run(request({ id: 'r1', imp: [imp('1', { banner: banner(300, 250), bidfloor: 0.1 })] }));
    expect(out.bid).toBe(true);
    if (!out.bid) return;
    expect(out.chosen.map((c) => c.campaign.id)).toEqual(['three']);
    const bid = out.response.seatbid[0]!.bid[0]!;
    expect(bid).toMatchObject({ impid: '1', cid: 'three', crid: 'three-cr', price: 3 });
    const token = new URL(bid.nurl!).searchParams.get('t')!;
    const v = verifyToken(token, f.snap.noticeKeys, f.clock.now(), 3600);
    expect(v.ok && v.claims).toMatchObject({ auctionId: 'r1', impId: '1', campaignId: 'three', channelId: 'ex' });
  });

  it('answers no_campaign when no campaign targets the request', async () => {
    f = await auctionFixture([campaignCfg('ca', 2, { targeting: { countries: ['CAN'] } })]);
    expect(await run()).toMatchObject({ bid: false, reason: 'no_campaign' });
  });

  it('answers currency when the request accepts no currency we can price in', async () => {
    f = await auctionFixture([campaignCfg('c', 2)]);
    expect(await run(request({ cur: ['JPY'] }))).toMatchObject({ bid: false, reason: 'currency' });
  });

  it('answers below_floor when every campaign bids under the floor', async () => {
    f = await auctionFixture([campaignCfg('c', 2)]);
    const req = request({ imp: [imp('1', { banner: banner(300, 250), bidfloor: 5 })] });
    expect(await run(req)).toMatchObject({ bid: false, reason: 'below_floor' });
  });

  it('looks the user up only when a campaign needs the profile, then bids on the segment found', async () => {
    f = await auctionFixture([campaignCfg('plain', 2)], { profile: person(['s1']) });
    expect((await run(request({ user: user('u1') }))).bid).toBe(true);
    expect(f.lookups).toEqual([]);
    await f.close();
    f = await auctionFixture([campaignCfg('seg', 2, { targeting: { segments: { include: ['s1'] } } })], {
      profile: person(['s1']),
    });
    const out = await run(request({ user: user('u1') }));
    expect(out.bid && out.chosen.map((c) => c.campaign.id)).toEqual(['seg']);
    expect(f.lookups).toEqual([['uid:u1']]);
  });

  it('answers segments when the profile lacks the segment, and asks for no profile without consent', async () => {
    const cfg = campaignCfg('seg', 2, { targeting: { segments: { include: ['s1'] } } });
    f = await auctionFixture([cfg], { profile: person(['other']) });
    expect(await run(request({ user: user('u1') }))).toMatchObject({ bid: false, reason: 'segments' });
    await f.close();
    const seen: string[] = [];
    f = await auctionFixture([cfg], {
      profile: person(['s1']),
      deps: {
        privacy: () => ({ personalData: false, useIfa: false, reason: 'gdpr' }),
        onLookup: (o) => seen.push(o),
        onPrivacy: (r) => seen.push(`privacy:${r}`),
      },
    });
    // Without a profile the campaign still gets as far as its segment check: that is the furthest reason.
    expect(await run(request({ user: user('u1') }))).toMatchObject({ bid: false, reason: 'segments' });
    expect(f.lookups).toEqual([]);
    expect(seen).toEqual(['privacy:gdpr', 'no_consent']);
  });

  it('answers deadline when the profile arrives after the deadline', async () => {
    let fx: AuctionFixture | undefined;
    f = fx = await auctionFixture([campaignCfg('seg', 2, { targeting: { segments: { include: ['s1'] } } })], {
      profile: person(['s1']),
      duringLookup: () => fx!.clock.advance(100),
    });
    expect(await run(request({ user: user('u1') }))).toMatchObject({ bid: false, reason: 'deadline' });
  });

  it('in debug (replay) explains every scored candidate and reserves no budget', async () => {
    f = await auctionFixture([campaignCfg('two', 2), campaignCfg('three', 3)]);
    const reserved = () => [...f!.gate.remaining()].reduce((s, r) => s + r.reservedMicros, 0);
    const out = await run(request(), true);
    expect(out.bid).toBe(true);
    expect(out.explanations?.map((e) => e.campaignId).sort()).toEqual(['three', 'two']);
    expect(reserved()).toBe(0);
    await run(request());
    expect(reserved()).toBeGreaterThan(0);
  });
});
