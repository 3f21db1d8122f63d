import { beforeEach, describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import type { ConfigSnapshot } from '../../../src/config/snapshot.js';
import { NoticeHandler, type NoticeOutcome, type NoticeType } from '../../../src/notices/notice-handler.js';
import { signToken, type NoticeClaims } from '../../../src/tokens/token.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Store } from '../../../src/store/ports.js';
import { sampleSnapshot } from '../../helpers/snapshot.js';

const now = Date.parse('2026-11-23T17:00:00Z');
let snap: ConfigSnapshot;
let store: Store;
let clock: VirtualClock;
let handler: NoticeHandler;
let seen: [NoticeType, NoticeOutcome][];
let spent: number[];

const claims = (over: Partial<NoticeClaims> = {}): NoticeClaims => ({
  auctionId: 'a1',
  impId: '1',
  campaignId: 'volt-desktop',
  creativeId: 'volt-desk-728x90',
  channelId: 'ssp-beta',
  bidCpmMicros: 2_000_000,
  bidCpmAccountMicros: 2_000_000,
  currency: 'USD',
  issuedAtMs: now - 1000,
  instanceId: 'i1',
  day: '2026-11-23',
  personId: undefined,
  dealId: undefined,
  ...over,
});

beforeEach(async () => {
  snap = await sampleSnapshot();
  store = createMemoryStore();
  clock = new VirtualClock(now);
  seen = [];
  spent = [];
  const gate = new PacingGate(store.budgets, clock, new TimeZoneTable(), {
    instanceId: 'i1',
    leaseTtlMs: 60_000,
    noticeWindowMs: 300_000,
    minLeaseMicros: 1_000_000,
  });
  handler = new NoticeHandler({
    clock,
    config: { current: snap },
    gate,
    dedup: store.dedup,
    profiles: store.profiles,
    events: { onNotice: (t, _c, o) => seen.push([t, o]), onSpend: (_c, m) => spent.push(m) },
  });
});

const token = (over: Partial<NoticeClaims> = {}) => signToken(claims(over), snap.noticeKeys[0]!);
const key = { campaignId: 'volt-desktop', channelId: 'ssp-beta', day: '2026-11-23' };

describe('notice handler', () => {
  it('debits the billable event once (ssp-beta bills on win), at the clearing price', async () => {
    const t = token();
    expect((await handler.handle('win', { t, p: '1.5', r: undefined })).status).toBe(200);
    expect((await handler.handle('win', { t, p: '1.5', r: undefined })).outcome).toBe('duplicate');
    expect((await handler.handle('bill', { t, p: '1.5', r: undefined })).outcome).toBe('ok');
    expect(spent).toEqual([1500]);
    expect(await store.budgets.spent(key)).toBe(1500);
  });
  it('converts a clearing price in another currency at the bid exchange rate', async () => {
    await handler.handle('win', {
      t: token({ currency: 'EUR', bidCpmMicros: 2_000_000, bidCpmAccountMicros: 2_160_000 }),
      p: '1',
      r: undefined,
    });
    expect(spent).toEqual([1080]);
  });
  it('rejects forged, expired and missing tokens with 403', async () => {
    const t = token();
    expect((await handler.handle('win', { t: `${t.slice(0, -2)}xx`, p: '1', r: undefined })).status).toBe(403);
    expect((await handler.handle('win', { t: undefined, p: '1', r: undefined })).status).toBe(403);
    clock.advance(2 * 86_400_000);
    expect(await handler.handle('win', { t, p: '1', r: undefined })).toMatchObject({ status: 403, outcome: 'expired' });
    expect(spent).toEqual([]);
  });
  it('rejects prices above the bid, negative, non-numeric, and the unreplaced macro with 400', async () => {
    for (const p of ['2.01', '-1', 'abc', '${AUCTION_PRICE}', '', '1e3', 'NaN', 'Infinity', undefined]) {
      expect((await handler.handle('win', { t: token(), p, r: undefined })).status, String(p)).toBe(400);
    }
    expect((await handler.handle('win', { t: token(), p: '2', r: undefined })).status).toBe(200);
  });
  it('bills a first-price Prebid pixel fired with the macro unfilled at the bid, once with burl', async () => {
    // The sample `prebid` channel: Prebid dialect, first price, bills on `bill`.
    const pb = {
      campaignId: 'peregrine-demo',
      creativeId: 'demo-300x250',
      channelId: 'prebid',
      bidCpmMicros: 3_500_000,
    };
    const t = token({ ...pb, bidCpmAccountMicros: 3_500_000 });
    expect(await handler.handle('bill', { t, p: '${AUCTION_PRICE}', r: undefined })).toMatchObject({
      status: 200,
      outcome: 'ok',
    });
    expect((await handler.handle('bill', { t, p: '3.5', r: undefined })).outcome).toBe('duplicate');
    expect(spent).toEqual([3500]);
    // Anything else unfilled or malformed is still refused there, and the macro on an exchange channel too.
    for (const p of ['abc', '', undefined, '%24%7BAUCTION_PRICE%7D'])
      expect((await handler.handle('bill', { t: token({ ...pb, auctionId: 'a2' }), p, r: undefined })).status).toBe(
        400,
      );
    expect((await handler.handle('win', { t: token(), p: '${AUCTION_PRICE}', r: undefined })).status).toBe(400);
  });
  it('accepts loss notices without a price and records the loss code', async () => {
    expect((await handler.handle('loss', { t: token(), p: '${AUCTION_PRICE}', r: '102' })).outcome).toBe('ok');
    expect(spent).toEqual([]);
  });
  it('passes a loss notice priced above our bid (the price that beat us) on to the loss event', async () => {
    const losses: (number | undefined)[] = [];
    const gate = new PacingGate(store.budgets, clock, new TimeZoneTable(), {
      instanceId: 'i1',
      leaseTtlMs: 60_000,
      noticeWindowMs: 300_000,
      minLeaseMicros: 1_000_000,
    });
    const events = {
      onNotice: () => {},
      onSpend: (_c: NoticeClaims, m: number) => spent.push(m),
      onLoss: (_c: NoticeClaims, _code: number | undefined, price: number | undefined) => losses.push(price),
    };
    const h = new NoticeHandler({
      clock,
      config: { current: snap },
      gate,
      dedup: store.dedup,
      profiles: store.profiles,
      events,
    });
    expect((await h.handle('loss', { t: token(), p: '2.75', r: '102' })).outcome).toBe('ok');
    expect(losses).toEqual([2_750_000]);
    expect(spent).toEqual([]);
  });
  it('counts frequency for the person on the billable event', async () => {
    const person = await store.profiles.link(['uid:u1'], undefined, 3600, now);
    await handler.handle('bill', {
      t: token({
        campaignId: 'acme-retargeting',
        creativeId: 'acme-rt-300x250',
        channelId: 'ssp-alpha',
        personId: person,
      }),
      p: '1',
      r: undefined,
    });
    const profile = await store.profiles.lookup(['uid:u1'], now);
    expect(profile?.frequency.get('acme-retargeting:86400')).toBe(1);
    expect(profile?.frequency.get('acme-retargeting:600')).toBe(1);
  });
  it('redirects clicks to the configured landing page only', async () => {
    const r = await handler.click({ t: token(), p: undefined, r: undefined });
    expect(r).toMatchObject({ status: 302, location: expect.stringMatching(/^https:\/\/www\.voltmotors\.example\//) });
    expect((await handler.click({ t: token({ creativeId: 'nope' }), p: undefined, r: undefined })).status).toBe(404);
    expect((await handler.click({ t: 'https://evil.example', p: undefined, r: undefined })).status).toBe(403);
  });
});

describe('notice prices the page cannot set', () => {
  const withChannel = (id: string, patch: object): ConfigSnapshot => {
    const channels = new Map(snap.channels);
    channels.set(id, { ...snap.channels.get(id)!, ...patch });
    return { ...snap, channels };
  };

  it('refuses a plain price below the token floor without a mark, then bills the real price', async () => {
    const t = token({ floorCpmMicros: 1_980_000 }); // first price: the bid 2.00 less 1%
    for (const p of ['0', '0.01', '1.979999'])
      expect(await handler.handle('win', { t, p, r: undefined }), p).toMatchObject({
        status: 400,
        outcome: 'bad_price',
      });
    expect((await handler.handle('win', { t, p: '2', r: undefined })).outcome).toBe('ok');
    expect(spent).toEqual([2000]);
    expect(await store.budgets.spent(key)).toBe(2000);
  });

  it('a low in-range price fired first is raised by the real notice: spend is the real price', async () => {
    const t = token({ floorCpmMicros: 495_000 }); // second price, floor 0.50
    expect((await handler.handle('win', { t, p: '0.5', r: undefined })).outcome).toBe('ok');
    expect((await handler.handle('win', { t, p: '1.234', r: undefined })).outcome).toBe('raised');
    expect((await handler.handle('win', { t, p: '0.7', r: undefined })).outcome).toBe('duplicate');
    expect(spent).toEqual([500, 734]);
    expect(await store.budgets.spent(key)).toBe(1234);
  });

  it('a beacon token is refused on every money path and counted on /notice/imp', async () => {
    const beacon = token({ beacon: true });
    for (const type of ['win', 'bill', 'loss'] as const)
      expect(await handler.handle(type, { t: beacon, p: '0', r: undefined })).toMatchObject({
        status: 403,
        outcome: 'bad_token',
      });
    expect(await handler.impression({ t: beacon, p: undefined, r: undefined })).toMatchObject({
      status: 200,
      outcome: 'ok',
    });
    expect((await handler.impression({ t: beacon, p: '0', r: undefined })).outcome).toBe('duplicate');
    expect((await handler.impression({ t: 'forged', p: undefined, r: undefined })).status).toBe(403);
    expect(spent).toEqual([]);
    expect((await handler.handle('win', { t: token(), p: '1.5', r: undefined })).outcome).toBe('ok');
    expect(spent).toEqual([1500]);
  });

  it('a channel with encrypted prices refuses plain ones', async () => {
    const encrypted = withChannel('ssp-beta', { priceKeys: { encryptionKey: 'x', integrityKey: 'y' } });
    const h = new NoticeHandler({
      clock,
      config: { current: encrypted },
      gate: new PacingGate(store.budgets, clock, new TimeZoneTable(), {
        instanceId: 'i1',
        leaseTtlMs: 60_000,
        noticeWindowMs: 300_000,
        minLeaseMicros: 1_000_000,
      }),
      dedup: store.dedup,
      profiles: store.profiles,
      decodePrice: (_ch, text) => (text === 'ENC-1.5' ? 1_500_000 : undefined),
      events: { onNotice: (t, _c, o) => seen.push([t, o]), onSpend: (_c, m) => spent.push(m) },
    });
    const t = token();
    expect((await h.handle('win', { t, p: '0', r: undefined })).status).toBe(400);
    expect((await h.handle('win', { t, p: 'ENC-1.5', r: undefined })).outcome).toBe('ok');
    expect(spent).toEqual([1500]);
  });
});

/** The memory store with its next `failures` calls of one method rejecting, as a store outage does. */
function failing<T extends object>(target: T, method: keyof T, failures: { n: number }): T {
  return new Proxy(target, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv);
      if (prop !== method || typeof v !== 'function') return typeof v === 'function' ? v.bind(t) : v;
      return (...args: unknown[]) =>
        failures.n-- > 0
          ? Promise.reject(new Error('Command timed out'))
          : (v as (...a: unknown[]) => unknown).apply(t, args);
    },
  });
}

describe('notice handler when the store fails', () => {
  const build = (budgetFailures: { n: number }, dedupFailures: { n: number }, errors: unknown[]) => {
    const gate = new PacingGate(failing(store.budgets, 'settle', budgetFailures), clock, new TimeZoneTable(), {
      instanceId: 'i1',
      leaseTtlMs: 60_000,
      noticeWindowMs: 300_000,
      minLeaseMicros: 1_000_000,
    });
    return new NoticeHandler({
      clock,
      config: { current: snap },
      gate,
      dedup: failing(store.dedup, 'firstSeen', dedupFailures),
      profiles: store.profiles,
      events: {
        onNotice: (t, _c, o) => seen.push([t, o]),
        onSpend: (_c, m) => spent.push(m),
        onStoreError: (e) => errors.push(e),
      },
    });
  };

  it('a failed settle answers 503, leaves no mark, and the retry bills once', async () => {
    const errors: unknown[] = [];
    const h = build({ n: 2 }, { n: 0 }, errors);
    const t = token();
    expect(await h.handle('win', { t, p: '1.5', r: undefined })).toMatchObject({ status: 503, outcome: 'unavailable' });
    expect(await h.handle('win', { t, p: '1.5', r: undefined })).toMatchObject({ status: 503, outcome: 'unavailable' });
    expect(await h.handle('win', { t, p: '1.5', r: undefined })).toMatchObject({ status: 200, outcome: 'ok' });
    expect(await h.handle('win', { t, p: '1.5', r: undefined })).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(errors).toHaveLength(2);
    expect(spent).toEqual([1500]);
    expect(await store.budgets.spent(key)).toBe(1500);
  });

  it('a failed de-dup of a notice that moves no money answers 503 too; a click still redirects', async () => {
    const errors: unknown[] = [];
    const h = build({ n: 0 }, { n: 2 }, errors);
    expect((await h.handle('loss', { t: token(), p: '2.75', r: '102' })).status).toBe(503);
    expect((await h.click({ t: token(), p: undefined, r: undefined })).status).toBe(302);
    expect(errors).toHaveLength(2);
    expect((await h.handle('loss', { t: token(), p: '2.75', r: '102' })).outcome).toBe('ok');
  });
});
