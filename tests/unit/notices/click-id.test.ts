import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import type { ConfigSnapshot } from '../../../src/config/snapshot.js';
import { clickIdFor, withClickId } from '../../../src/notices/click-id.js';
import { NoticeHandler } from '../../../src/notices/notice-handler.js';
import { signToken, type NoticeClaims } from '../../../src/tokens/token.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Store } from '../../../src/store/ports.js';
import { conversionSnapshot } from './conversion-config.js';

describe('click ids', () => {
  it('are deterministic per token, keyed, and 22 url-safe characters', () => {
    const key = Buffer.from('k');
    expect(clickIdFor('tag1', key)).toBe(clickIdFor('tag1', key));
    expect(clickIdFor('tag1', key)).not.toBe(clickIdFor('tag2', key));
    expect(clickIdFor('tag1', key)).not.toBe(clickIdFor('tag1', Buffer.from('other')));
    expect(clickIdFor('tag1', key)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('are appended to the landing URL keeping its query and fragment as written', () => {
    expect(withClickId('https://a.example/p', 'X')).toBe('https://a.example/p?pgclid=X');
    expect(withClickId('https://a.example/p?utm_source=pg&q=a%20b+c', 'X')).toBe(
      'https://a.example/p?utm_source=pg&q=a%20b+c&pgclid=X',
    );
    expect(withClickId('https://a.example/p?x=1#top?not=query', 'X')).toBe(
      'https://a.example/p?x=1&pgclid=X#top?not=query',
    );
    expect(withClickId('https://a.example/p#frag', 'X')).toBe('https://a.example/p?pgclid=X#frag');
    expect(withClickId('https://a.example/p?', 'X')).toBe('https://a.example/p?pgclid=X');
    expect(withClickId('https://a.example/p?a=1&', 'X')).toBe('https://a.example/p?a=1&pgclid=X');
  });
});

describe('click recording in the notice handler', () => {
  const now = Date.parse('2026-11-23T17:00:00Z');
  let snap: ConfigSnapshot;
  let store: Store;
  let clock: VirtualClock;
  let handler: NoticeHandler;
  let clicks: number;

  beforeAll(async () => {
    snap = await conversionSnapshot();
  });
  beforeEach(() => {
    store = createMemoryStore();
    clock = new VirtualClock(now);
    clicks = 0;
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
      clicks: store.clicks,
      events: { onNotice: () => {}, onSpend: () => {}, onClick: () => clicks++ },
    });
  });

  const claims = (over: Partial<NoticeClaims> = {}): NoticeClaims => ({
    auctionId: 'a1',
    impId: '1',
    campaignId: 'acme-prospecting',
    creativeId: 'acme-pro-300x250',
    channelId: 'ssp-alpha',
    bidCpmMicros: 2_000_000,
    bidCpmAccountMicros: 2_000_000,
    currency: 'USD',
    issuedAtMs: now - 1000,
    instanceId: 'i1',
    day: '2026-11-23',
    personId: 'person-1',
    dealId: undefined,
    ...over,
  });

  it('records the first click under its id for the attribution window and redirects with pgclid', async () => {
    const t = signToken(claims(), snap.noticeKeys[0]!);
    const r = await handler.click({ t, p: undefined, r: undefined });
    expect(r.status).toBe(302);
    const loc = new URL(r.location!);
    expect(`${loc.origin}${loc.pathname}`).toBe('https://www.acmeshoes.example/landing');
    expect(loc.searchParams.get('utm_content')).toBe('acme-pro-300x250');
    const clid = loc.searchParams.get('pgclid')!;
    expect(clid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await store.clicks.lookup(clid, now + 1)).toEqual({
      campaignId: 'acme-prospecting',
      channelId: 'ssp-alpha',
      advertiserId: 'acme',
      personId: 'person-1',
      auctionId: 'a1',
      impId: '1',
      atMs: now,
    });
    expect(await store.clicks.lastByPerson('acme', 'person-1', now + 1)).toMatchObject({
      clickId: clid,
      campaignId: 'acme-prospecting',
    });
    // The configured window is 7 days.
    expect(await store.clicks.lookup(clid, now + 7 * 86_400_000 - 1)).toBeDefined();
    expect(await store.clicks.lookup(clid, now + 7 * 86_400_000)).toBeUndefined();

    // A repeated click: same id on the landing page, counted once, recorded once (its time is the first's).
    clock.advance(5_000);
    const again = await handler.click({ t, p: undefined, r: undefined });
    expect(again).toMatchObject({ status: 302, outcome: 'duplicate' });
    expect(new URL(again.location!).searchParams.get('pgclid')).toBe(clid);
    expect(clicks).toBe(1);
    expect((await store.clicks.lookup(clid, clock.now()))?.atMs).toBe(now);
  });

  it('the click id is the same whichever active key signed, and differs per bid', async () => {
    const t1 = signToken(claims(), snap.noticeKeys[1]!);
    const t2 = signToken(claims({ impId: '2' }), snap.noticeKeys[0]!);
    const id1 = new URL((await handler.click({ t: t1, p: undefined, r: undefined })).location!).searchParams.get(
      'pgclid',
    );
    const id2 = new URL((await handler.click({ t: t2, p: undefined, r: undefined })).location!).searchParams.get(
      'pgclid',
    );
    expect(id1).not.toBe(id2);
    expect(await store.clicks.lookup(id1!, now)).toMatchObject({ impId: '1' });
  });

  it('still redirects, with the id, when the click store fails', async () => {
    const failing = new NoticeHandler({
      clock,
      config: { current: snap },
      gate: new PacingGate(store.budgets, clock, new TimeZoneTable(), {
        instanceId: 'i1',
        leaseTtlMs: 60_000,
        noticeWindowMs: 300_000,
        minLeaseMicros: 1_000_000,
      }),
      dedup: store.dedup,
      profiles: store.profiles,
      clicks: {
        record: () => Promise.reject(new Error('down')),
        lookup: async () => undefined,
        lastByPerson: async () => undefined,
      },
      events: { onNotice: () => {}, onSpend: () => {}, onClickStoreError: () => clicks--, onClick: () => clicks++ },
    });
    const r = await failing.click({ t: signToken(claims(), snap.noticeKeys[0]!), p: undefined, r: undefined });
    expect(r.status).toBe(302);
    expect(r.location).toContain('pgclid=');
    expect(clicks).toBe(0); // one error, one click
  });
});
