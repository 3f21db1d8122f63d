/**
 * One whole instance from the composition root, on the memory store and a virtual clock: a bid, its bill
 * notice and a click go through the real handlers, and land in spend, ROI, the fleet ledger, the metrics
 * and the spend report.
 */
import { describe, expect, it } from 'vitest';
import { createBidder } from '../../../src/bidder/create-bidder.js';
import { VirtualClock } from '../../../src/clock.js';
import { bidderSchema, campaignSchema, channelSchema } from '../../../src/config/schema.js';
import { buildSnapshot } from '../../../src/config/snapshot.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { banner, imp, request, user } from '../../helpers/requests.js';

const T = Date.parse('2026-11-23T12:00:00Z');
const configDir = new URL('../../../config', import.meta.url).pathname;

async function instance(userId?: string) {
  const clock = new VirtualClock(T);
  const snap = buildSnapshot(
    {
      dir: configDir,
      bidder: bidderSchema.parse({ notices: { keys: [{ id: 'k1', secret: 'test' }] }, scoring: { mode: 'inline' } }),
      channels: [channelSchema.parse({ id: 'ex', name: 'ex' })],
      campaigns: [
        campaignSchema.parse({
          id: 'c1',
          advertiser: 'a',
          adomain: ['a.example'],
          budget: { daily: 100, channels: { ex: 1 }, pacing: 'asap' },
          bid: { strategy: 'fixed_cpm', cpm: 2 },
          // A cap makes the bid path look the person up, so the impression's token carries who it reached.
          ...(userId === undefined ? {} : { frequencyCaps: [{ count: 10, window: '24h' }] }),
          creatives: [{ id: 'cr', format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
        }),
      ],
      texts: new Map(),
    },
    1,
    T,
    {},
  );
  const store = createMemoryStore();
  const metrics = createMetrics({ defaultMetrics: false });
  const person = userId === undefined ? undefined : await store.profiles.link([`uid:${userId}`], undefined, 3600, T);
  const bidder = await createBidder({ config: { current: snap }, store, clock, instanceId: 'i1', metrics });
  const out = await bidder.bidPath.run(
    request({
      id: 'r1',
      imp: [imp('1', { banner: banner(300, 250), bidfloor: 0.1 })],
      ...(userId ? { user: user(userId) } : {}),
    }),
    snap,
    snap.channels.get('ex')!,
    clock.now() + 80,
  );
  if (!out.bid) throw new Error(`no bid: ${out.reason}`);
  const token = new URL(out.response.seatbid[0]!.bid[0]!.nurl!).searchParams.get('t')!;
  return { bidder, store, metrics, clock, token, person };
}

describe('createBidder', () => {
  it('books a billed impression as spend in the metrics, the ROI window and the spend report', async () => {
    const { bidder, metrics, clock, token } = await instance();
    clock.advance(1_000);
    expect((await bidder.notices.handle('bill', { t: token, p: '1.5', r: undefined })).status).toBe(200);
    const spend = await metrics.spend.get();
    expect(spend.values.find((v) => v.labels.campaign === 'c1')?.value).toBe(1_500);
    expect(bidder.roi.snapshot('c1', clock.now()).get('ex')?.spendMicros).toBe(1_500);
    const report = bidder.spendReport();
    expect(report.currency).toBe('USD');
    expect(report.rows).toEqual([
      expect.objectContaining({ campaign: 'c1', channel: 'ex', dailyBudget: 100, spent: 0.0015, pacing: 'asap' }),
    ]);
    await bidder.shutdown();
  });

  it('counts the person a billed impression reached in the fleet reach, once, written by shutdown at the latest', async () => {
    const { bidder, store, clock, token, person } = await instance('reader-1');
    expect(person).toBeDefined();
    clock.advance(1_000);
    expect((await bidder.notices.handle('bill', { t: token, p: '1.5', r: undefined })).status).toBe(200);
    expect((await bidder.notices.handle('bill', { t: token, p: '1.5', r: undefined })).outcome).toBe('duplicate');
    await bidder.shutdown();
    expect(await store.reach.count('c1', '2026-11-23', ['ex'])).toEqual({ perChannel: new Map([['ex', 1]]), union: 1 });
  });

  it('credits a click to the fleet ledger for the reallocator, on the bid day', async () => {
    const { bidder, store, clock, token } = await instance();
    clock.advance(5_000);
    expect((await bidder.notices.click({ t: token, p: undefined, r: undefined })).status).toBe(302);
    await new Promise((r) => setImmediate(r));
    expect((await store.budgets.dayResults('c1', '2026-11-23', ['ex'])).get('ex')?.clicks).toBe(1);
    expect(bidder.roi.snapshot('c1', clock.now()).get('ex')?.clicks).toBe(1);
    await bidder.shutdown();
  });

  it('fills the pacing and budget gauges from live state when scraped', async () => {
    const { bidder, metrics } = await instance();
    bidder.fillGauges();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/peregrine_pacing_cap_micros\{campaign="c1",channel="ex"\} 100000000\n/);
    expect(text).toMatch(/peregrine_budget_reserved_micros\{campaign="c1",channel="ex",pool="regular"\} 2000\n/);
    await bidder.shutdown();
  });
});
