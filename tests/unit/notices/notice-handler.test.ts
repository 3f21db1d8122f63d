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
