import { afterEach, describe, expect, it } from 'vitest';
import { createReplayEndpoint } from '../../../src/endpoints/replay-endpoint.js';
import { auctionFixture, campaignCfg, type AuctionFixture } from '../auction/fixture.js';
import { jsonOf, requestInfo } from './request-info.js';

const kBody = Buffer.from(JSON.stringify({ id: 'r1', imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 0.1 }] }));

describe('replay endpoint', () => {
  let f: AuctionFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });
  async function replay() {
    f = await auctionFixture([campaignCfg('two', 2), campaignCfg('three', 3)]);
    return createReplayEndpoint({ clock: f.clock, config: { current: f.snap }, bidPath: f.bidPath });
  }
  const reserved = () => [...f!.gate.remaining()].reduce((s, r) => s + r.reservedMicros, 0);

  it('runs the real bid path and, with debug=1, explains every scored candidate without reserving budget', async () => {
    const r = await (await replay())(requestInfo({ param: 'ex', query: 'debug=1' }), kBody);
    expect(r.status).toBe(200);
    const out = jsonOf(r.body) as { bid: boolean; explanations: { campaignId: string }[] };
    expect(out.bid).toBe(true);
    expect(out.explanations.map((e) => e.campaignId).sort()).toEqual(['three', 'two']);
    expect(reserved()).toBe(0);
  });

  it('answers the no-bid reason, and explains nothing without debug', async () => {
    const run = await replay();
    const floor = Buffer.from(
      JSON.stringify({ id: 'r2', imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 9 }] }),
    );
    expect(jsonOf((await run(requestInfo({ param: 'ex' }), floor)).body)).toEqual({
      bid: false,
      reason: 'below_floor',
    });
  });

  it('answers 404 for an unknown channel and 400 naming the field of a bad request', async () => {
    const run = await replay();
    expect((await run(requestInfo({ param: 'nope' }), kBody)).status).toBe(404);
    const bad = await run(requestInfo({ param: 'ex' }), Buffer.from('{"id":"r","imp":"x"}'));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(jsonOf(bad.body))).toContain('imp');
  });
});
